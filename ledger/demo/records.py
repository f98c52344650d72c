"""Writing the plans into the ledger: the educators not present yet, with their entries,
holdings and voids, then their licenses' histories through the licenses service, as a
state office makes them: each license recorded with its first cycle, then renewed on the
day planned (opening the next cycle), extended or reinstated, every step an event."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

from sqlalchemy import insert, select

from ..integrity.chain import track
from ..licenses import service
from ..models import Credential, District, Educator, Entry, Holding, State, Void
from .plans import ACTIVITY, MICRO, Item, Plan

FIRST_CYCLE = "recorded with the educator"  # the reason POST /educators gives


class Added(NamedTuple):
    educators: int
    entries: int
    voided: int
    licenses: int
    cycles: int
    renewals: int


def add_records(session, principal, plans: list[Plan], today: date) -> Added:
    """Add the planned educators not already present by (state, license number); one
    already there is left alone with their entries and licenses."""
    states = {s.code: s for s in session.scalars(select(State))}
    districts = {d.code: d for d in session.scalars(select(District))}
    present = set(session.execute(
        select(State.code, Educator.license_number).join(State, Educator.state_id == State.id)
    ).all())
    new = [p for p in plans if (p.state, p.license_number) not in present]
    credential_ids = dict(session.execute(select(Credential.code, Credential.id)).all())

    educators = _add_educators(session, new, states, districts)
    entries = _add_entries(session, principal.actor, new, educators, credential_ids)
    voided = _add_holdings_and_voids(session, principal.actor, entries, credential_ids)
    # after the entries: a renewal judges the cycle from what was earned by its day
    for p, educator in zip(new, educators):
        _add_history(session, principal, p, educator, today)
    return Added(len(new), len(entries), voided, len(new), sum(len(p.licenses) for p in new),
                 sum(len(p.renewed) for p in new))


def _add_educators(session, new: list[Plan], states: dict, districts: dict) -> list[Educator]:
    rows = [
        Educator(license_number=p.license_number, state_id=states[p.state].id, first_name=p.first_name,
                 last_name=p.last_name, email=p.email,
                 district_id=districts[p.district].id if p.district else None)
        for p in new
    ]
    session.add_all(rows)
    session.flush()
    return rows


def _add_entries(session, actor: str, new: list[Plan], educators: list[Educator],
                 credential_ids: dict[str, int]) -> list[tuple[int, int, Item]]:
    """(entry id, educator id, item) of each planned entry, written in one multi-row INSERT
    as an import writes them (and named to the hash chain, as an import names them)."""
    rows, planned = [], []
    for p, educator in zip(new, educators):
        # recorded in the order earned; a voided mistake before its correction
        for it in sorted(p.items, key=lambda it: (it.earned_on, it.void_reason is None)):
            rows.append({
                "educator_id": educator.id, "kind": it.kind, "earned_on": it.earned_on,
                "credential_id": credential_ids[it.credential] if it.kind == MICRO else None,
                "title": it.title, "hours": it.hours, "measure": it.measure,
                "tags": list(it.tags) if it.kind == ACTIVITY else [],
                "external_id": it.external_id, "evidence_url": it.evidence_url, "recorded_by": actor,
            })
            planned.append((educator.id, it))
    if not rows:
        return []
    ids = session.execute(insert(Entry).returning(Entry.id, sort_by_parameter_order=True), rows,
                          execution_options={"render_nulls": True}).scalars().all()
    track(session, "entries", ids)
    return [(id_, educator_id, it) for id_, (educator_id, it) in zip(ids, planned)]


def _add_holdings_and_voids(session, actor: str, entries: list[tuple[int, int, Item]],
                            credential_ids: dict[str, int]) -> int:
    """A void for each planned mistake; a holding for each micro-credential that stands.
    How many were voided."""
    voids = [{"entry_id": id_, "reason": it.void_reason, "voided_by": actor}
             for id_, _, it in entries if it.void_reason]
    holdings = [{"educator_id": educator_id, "credential_id": credential_ids[it.credential], "entry_id": id_}
                for id_, educator_id, it in entries if not it.void_reason and it.kind == MICRO]
    if holdings:
        session.execute(insert(Holding), holdings)
    if voids:
        track(session, "voids", session.execute(
            insert(Void).returning(Void.id, sort_by_parameter_order=True), voids).scalars().all())
    return len(voids)


def _add_history(session, principal, plan: Plan, educator: Educator, today: date) -> None:
    """The plan's cycles, in order: the first recorded with the educator, each later one
    opened by the renewal of the one before or after a gap (reinstated), each extension
    made once its cycle is there. A renewal is made on its day (`today` then is that
    day), so it judges the cycle as the office did."""
    license_id = None
    for n, cycle in enumerate(plan.licenses):
        recorded_end = cycle.first_end or cycle.end
        if n == 0:
            license_id = service.record_cycle(session, principal, None, educator.id, educator.state_id, cycle.type,
                                              cycle.start, recorded_end, FIRST_CYCLE).id
        elif n in plan.reinstated:
            service.open_cycle(session, principal, license_id, {
                "cycle_start": cycle.start, "cycle_end": recorded_end, "reason": plan.reinstated[n]}, today)
        elif n - 1 not in plan.renewed:
            raise RuntimeError(f"demo plan {plan.index}: nothing opens cycle {n + 1}")
        if n in plan.extended:
            service.extend(session, principal, license_id, {"cycle_end": cycle.end, "reason": plan.extended[n]},
                           today)
        if n in plan.renewed:
            day = plan.renewed[n]
            _, nxt = service.renew(session, principal, license_id, {"renewed_on": day}, day)
            want = plan.licenses[n + 1]
            if (nxt.row.cycle_start, nxt.row.cycle_end) != (want.start, want.first_end or want.end):
                raise RuntimeError(f"demo plan {plan.index}: renewing cycle {n + 1} opened "
                                   f"{nxt.row.cycle_start}..{nxt.row.cycle_end}, not {want.start}..{want.end}")
