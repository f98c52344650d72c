"""Writing the plans into the ledger: the educators not present yet, with their licenses,
entries, holdings and voids."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select

from ..models import Credential, District, Educator, Entry, Holding, License, State, Void
from .plans import ACTIVITY, MICRO, Item, Plan


class Added(NamedTuple):
    educators: int
    entries: int
    voided: int
    licenses: int


def add_records(session, actor: str, plans: list[Plan]) -> Added:
    """Add the planned educators not already present by (state, license number); one
    already there is left alone with their entries."""
    states = {s.code: s for s in session.scalars(select(State))}
    districts = {d.code: d for d in session.scalars(select(District))}
    present = set(session.execute(
        select(State.code, Educator.license_number).join(State, Educator.state_id == State.id)
    ).all())
    new = [p for p in plans if (p.state, p.license_number) not in present]
    credential_ids = dict(session.execute(select(Credential.code, Credential.id)).all())

    educators = _add_educators(session, new, states, districts)
    licenses, entries = _add_licenses_and_entries(session, actor, new, educators, credential_ids)
    voids = _add_holdings_and_voids(session, actor, entries)
    return Added(len(new), len(entries), len(voids), len(licenses))


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


def _add_licenses_and_entries(session, actor: str, new: list[Plan], educators: list[Educator],
                              credential_ids: dict[str, int]) -> tuple[list[License], list[tuple[Entry, Item]]]:
    entries: list[tuple[Entry, Item]] = []
    licenses = []
    for p, educator in zip(new, educators):
        for lic_type, start, end in p.licenses:
            licenses.append(License(educator_id=educator.id, state_id=educator.state_id, type=lic_type,
                                    cycle_start=start, cycle_end=end))
        # recorded in the order earned; a voided mistake before its correction
        for it in sorted(p.items, key=lambda it: (it.earned_on, it.void_reason is None)):
            entry = Entry(
                educator_id=educator.id, kind=it.kind, earned_on=it.earned_on,
                credential_id=credential_ids[it.credential] if it.kind == MICRO else None,
                title=it.title, hours=it.hours, tags=list(it.tags) if it.kind == ACTIVITY else [],
                external_id=it.external_id, evidence_url=it.evidence_url, recorded_by=actor,
            )
            entries.append((entry, it))
    session.add_all(licenses)
    session.add_all([e for e, _ in entries])
    session.flush()
    return licenses, entries


def _add_holdings_and_voids(session, actor: str, entries: list[tuple[Entry, Item]]) -> list[Void]:
    """A void for each planned mistake; a holding for each micro-credential that stands."""
    holdings, voids = [], []
    for entry, it in entries:
        if it.void_reason:
            voids.append(Void(entry_id=entry.id, reason=it.void_reason, voided_by=actor))
        elif it.kind == MICRO:
            holdings.append(Holding(educator_id=entry.educator_id, credential_id=entry.credential_id,
                                    entry_id=entry.id))
    session.add_all(holdings)
    session.add_all(voids)
    session.flush()
    return voids
