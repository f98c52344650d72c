"""The standings of many educators under one rulebook, read in bulk: their licenses in
one query, their entries in a few, then the engine in memory with one `Valuer` and one
`PathwayEvaluator` for them all. The state's renewal report, salary runs, the district
export and the roster all read standings through here, so each judges exactly what a
single educator's standing (answer.read_standing) would."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

from sqlalchemy import exists, func, or_, select, text

from pathways import PathwayEvaluator

from .. import engine
from ..models import Entry, License, LicenseEvent, RulebookVersion
from ..rulebooks.engine_view import engine_rulebook
from .facts import _active_entries, _fact, credential_map, facts_by_educator, licenses_by_educator


def standings_for(session, version: RulebookVersion, as_of: date, educators: Iterable[int] | None = None, *,
                  district: str | None = None, renewal: bool = True, pathways: bool = True,
                  batch: int = 5000) -> Iterator[tuple[int, engine.Standing]]:
    """(educator id, standing) under this rulebook version as of `as_of`, with the
    licenses each holds in its state.

    `educators`: their ids, answered in that order, their facts held in memory (a
    district's worth). None: every educator licensed in the state, streamed in educator
    order with flat memory however large the state (then those with nothing that counts,
    in id order); with `pathways=False` only entries that can count are read (earned by
    `as_of` inside one of the educator's cycles in the state), so `entries` holds just
    those. `district`: the code of the educators' district, whose role cards and salary
    schedule apply. `renewal=False` reads no licenses (a salary run needs none);
    `pathways=False` evaluates no role card."""
    rulebook = engine_rulebook(version)
    valuer = engine.Valuer(rulebook)
    evaluator = None
    if pathways:
        rules = rulebook.district(district)
        evaluator = PathwayEvaluator(rulebook.pathways + (rules.pathways if rules is not None else ()))
    if educators is None:
        grace = max((r.grace_days for r in rulebook.renewal), default=0)
        people = _licensed(session, version.state_id, as_of, not pathways, batch, grace)
    else:
        people = _listed(session, version.state_id if renewal else None, list(educators), as_of)
    for educator_id, facts, licenses in people:
        yield educator_id, engine.standing(facts, licenses, rulebook, as_of, valuer, district=district,
                                           pathways=pathways, evaluator=evaluator)


def _listed(session, state_id: int | None, ids: list[int], as_of: date):
    licenses = licenses_by_educator(session, state_id, ids) if state_id is not None else {}
    facts = facts_by_educator(session, ids, as_of)
    for educator_id in ids:
        yield educator_id, facts.get(educator_id, []), licenses.get(educator_id, [])


def _licensed(session, state_id: int, as_of: date, countable_only: bool, batch: int, grace: int = 0):
    licenses = licenses_by_educator(session, state_id)
    credentials = credential_map(session)
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if countable_only:
        # Inside a cycle, or in the grace days after its end: `grace` is the most any rule
        # of the rulebook gives. An extended cycle is read to the end of time (its end now
        # is a license event's): extensions are few, and the engine judges by that end.
        last = License.cycle_end
        if grace:
            last = last + grace if postgresql else func.date(last, f"+{grace} days")
        extended = select(LicenseEvent.cycle_id).where(LicenseEvent.kind == "extended")
        held = exists().where(
            License.educator_id == Entry.educator_id, License.state_id == state_id,
            License.cycle_start <= Entry.earned_on,
            or_(Entry.earned_on <= last, License.id.in_(extended)),
        )
    else:
        held = exists().where(License.educator_id == Entry.educator_id, License.state_id == state_id)
    if postgresql:
        # A cursor is planned for its first rows: an index scan in educator order over a
        # table stored in time order. Plan this one for all its rows (scan, then sort).
        connection.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    # Core rows (connection.execute), not ORM rows: the ORM's result layer costs more per
    # row than the fetch itself.
    rows = connection.execute(
        _active_entries().where(Entry.earned_on <= as_of, held).order_by(Entry.educator_id),
        execution_options={"yield_per": batch},
    )
    if postgresql:
        connection.execute(text("SET LOCAL cursor_tuple_fraction TO DEFAULT"))
    current, facts = None, []
    for row in rows:
        if row[0] != current:
            if current is not None:
                yield current, facts, licenses.pop(current, ())
            current, facts = row[0], []
        facts.append(_fact(row, credentials))
    if current is not None:
        yield current, facts, licenses.pop(current, ())
    for educator_id in sorted(licenses):  # licensed educators with nothing that counts
        yield educator_id, [], licenses[educator_id]
