"""State-wide figures: every licensed educator's renewal through the same engine as a
single standing, streamed; and the state office's overview counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import exists, func, select

from .. import engine
from ..models import Credential, Entry, Issuer, License, State, Void
from .facts import rulebook_row
from .many import standings_for


def state_renewal_report(session, state_code: str, as_of: date, batch: int = 5000,
                         with_cycle: bool = False) -> Iterator[tuple]:
    """Every educator licensed in a state: (educator_id, license type, earned units,
    status) for each license (and its cycle_start, cycle_end `with_cycle`), through the same
    engine as a single standing, streamed (many.standings_for): memory stays flat however
    large the state."""
    version = rulebook_row(session, state_code)
    for educator_id, s in standings_for(session, version, as_of, pathways=False, batch=batch):
        for p in s.renewal:
            lic = p.license
            if with_cycle:
                yield educator_id, lic.type, p.earned_units, p.status, lic.cycle_start, lic.cycle_end
            else:
                yield educator_id, lic.type, p.earned_units, p.status


def renewal_summary(session, state: State, day: date) -> dict:
    """Counts over the state's renewal report (the same engine as each standing) of each
    educator's current cycles (engine.current_cycles, as on every page); behind pace as on
    the educator's page (engine.behind_pace)."""
    counts = {"complete": 0, "in_progress": 0, "behind": 0, "lapsed": 0}
    educators = 0
    for _, s in standings_for(session, rulebook_row(session, state.code), day, pathways=False):
        educators += bool(s.renewal)
        for p in engine.current_cycles(s.renewal, day, key=engine.LICENSE):
            counts[p.status] += 1
            counts["behind"] += engine.behind_pace(p)
    counts["educators"] = educators
    counts["licenses"] = counts["complete"] + counts["in_progress"] + counts["lapsed"]
    counts["on_pace"] = counts["in_progress"] - counts["behind"]
    return counts


def mcs_by_issuer(session, state: State) -> list[tuple[str, int]]:
    """Active (never voided) micro-credential entries of educators licensed in the state,
    by issuer name."""
    licensed = exists().where(License.educator_id == Entry.educator_id, License.state_id == state.id)
    rows = session.execute(
        select(Issuer.name, func.count(Entry.id))
        .select_from(Entry)
        .join(Credential, Entry.credential_id == Credential.id)
        .join(Issuer, Credential.issuer_id == Issuer.id)
        .where(Entry.kind == "microcredential", ~exists().where(Void.entry_id == Entry.id), licensed)
        .group_by(Issuer.name)
        .order_by(func.count(Entry.id).desc(), Issuer.name)
    ).all()
    return [(name, count) for name, count in rows]
