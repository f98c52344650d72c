"""`flask ledger refresh-standings` and `check-standings`: the projection judged again
(a state, the stale, everyone) and checked against the engine."""

from __future__ import annotations

import sys
from datetime import date

import click
from sqlalchemy import select

from .. import clock
from ..clikit import fail
from ..errors import Invalid
from ..models import State, db
from . import check, counts, projection
from .kept import warm


def _state_id(code: str | None) -> int | None:
    if code is None:
        return None
    state_id = db.session.scalar(select(State.id).where(State.code == code.upper()))
    if state_id is None:
        fail(Invalid(f"no state {code!r}", {"state": [f"no state {code!r}"]}))
    return state_id


def _day(text: str | None) -> date:
    if text is None:
        return clock.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        fail(Invalid(f"--as-of {text!r} is not a date", {"as_of": ["a date, YYYY-MM-DD"]}))


@click.command("refresh-standings")
@click.option("--state", help="only educators judged in this state (default: every educator)")
@click.option("--due", is_flag=True, help="only those with a figure that moved by date alone (the daily job)")
@click.option("--batch", default=projection.BATCH, show_default=True, help="educators a commit")
def refresh_standings(state, due, batch):
    """Judge educators again and replace their projection rows, a batch a commit (after
    an upgrade, or to finish a refresh a new rulebook version left to a worker)."""
    state_id, day = _state_id(state), clock.today()
    ids = projection.stale_educators(db.session, day, state_id) if due else \
        projection.every_educator(db.session, state_id)
    with click.progressbar(length=len(ids), label="judging educators", file=sys.stderr, show_pos=True) as bar:
        last = [0]

        def advance(done):
            bar.update(done - last[0])
            last[0] = done
        projection.refresh(db.session, ids, day, batch=max(1, batch), checkpoint=db.session.commit, progress=advance)
    settled = counts.settle(db.session, day, state_id)  # statuses the days moved since they were stored
    if not due:
        counts.recount(db.session, state_id)  # the kept sums from the rows, mended if anything left them wrong
    db.session.commit()
    click.echo(f"judged {len(ids)} educator(s) as of {day.isoformat()}"
               + (f"; {settled} status(es) stored for the day" if settled else ""))


@click.command("check-standings")
@click.option("--state", help="only educators judged in this state")
@click.option("--sample", type=int, help="a random sample of this many educators (default: all)")
@click.option("--seed", type=int, help="the sample's seed")
@click.option("--as-of", "as_of", help="the day judged (default today)")
def check_standings(state, sample, seed, as_of):
    """Judge educators with the engine and print every difference from the projection as
    the lists read it; exit 1 if there is any."""
    state_id, day = _state_id(state), _day(as_of)
    ids = check.sample(projection.every_educator(db.session, state_id), sample, seed)
    found = 0
    for difference in check.differences(db.session, ids, day):
        found += 1
        click.echo(str(difference))
    if sample is None:  # every educator: the kept issuer totals too
        states = db.session.scalars(select(State).where(State.id == state_id) if state_id else select(State))
        for line in (line for st in states for line in (*check.issuer_differences(db.session, st),
                                                         *check.count_differences(db.session, st, day))):
            found += 1
            click.echo(line)
    db.session.rollback()
    click.echo(f"checked {len(ids)} educator(s) as of {day.isoformat()}: {found} difference(s)")
    sys.exit(1 if found else 0)


@click.command("warm-standings")
@click.option("--state", help="only educators judged in this state (default: every educator)")
def warm_standings(state):
    """Compute and keep today's standing answer of every educator (the API then answers
    the day's first request from what is kept; the daily job does it after the catch-up)."""
    state_id, day = _state_id(state), clock.today()
    projection.catch_up(db.session, day, state_id)
    db.session.commit()
    ids = projection.every_educator(db.session, state_id)
    with click.progressbar(length=len(ids), label="keeping answers", file=sys.stderr, show_pos=True) as bar:
        last = [0]

        def advance(done):
            bar.update(done - last[0])
            last[0] = done
        kept = warm(db.session, ids, day, checkpoint=db.session.commit, progress=advance)
    db.session.commit()
    click.echo(f"kept {kept} answer(s) as of {day.isoformat()}")


COMMANDS = [refresh_standings, check_standings, warm_standings]
