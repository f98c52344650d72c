"""Where an educator works: the current district (`educators.district_id`) and the
history of employment. Entries belong to the educator, never to a district, so a move
keeps the ledger whole; district HR sees the educators it employs now."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from ..access import audit
from ..access.principals import ADMIN, STATE_OFFICE, Principal, educator_in_scope
from ..errors import Forbidden, Invalid
from ..models import District, Employment


def history(session, principal: Principal, educator_id: int) -> list[Employment]:
    educator_in_scope(session, principal, educator_id)
    return list(session.scalars(
        select(Employment).where(Employment.educator_id == educator_id)
        .order_by(Employment.started_on, Employment.id)
    ))


def move(session, principal: Principal, educator_id: int, district_code: str | None, started_on: date,
         today: date | None = None):
    """End the current employment the day before `started_on` and start one in
    `district_code` (None: no district). The state office (for the educators whose home
    state it is: the districts are that state's) and an admin may move an educator. With
    `today`, a move cannot start after it: who employs an educator changes the day the
    move is recorded, so a later date would be false until then."""
    educator = educator_in_scope(session, principal, educator_id)
    if principal.role not in (ADMIN, STATE_OFFICE):
        raise Forbidden(f"the {principal.role} role may not move an educator between districts")
    if principal.role == STATE_OFFICE and educator.state_id != principal.state_id:
        raise Forbidden(f"educator {educator.id} works in {educator.state.code}: only that state's office moves them")
    if today is not None and started_on > today:
        raise Invalid(f"started_on {started_on} is after today: record the move on or after the day it starts",
                      {"started_on": ["is after today"]})
    district = None
    if district_code is not None:
        district = session.scalar(select(District).where(District.code == district_code))
        if district is None:
            raise Invalid(f"unknown district {district_code!r}", {"district": [f"unknown district {district_code!r}"]})
        if district.state_id != educator.state_id:
            raise Invalid(
                f"{district.code} is a district of {district.state.code}; "
                f"the educator's state is {educator.state.code}",
                {"district": [f"{district.code} is not a district of {educator.state.code}"]},
            )
    current = session.scalar(
        select(Employment).where(Employment.educator_id == educator.id, Employment.ended_on.is_(None))
        .order_by(Employment.started_on.desc()).limit(1)
    )
    if current is not None:
        if started_on <= current.started_on:
            raise Invalid(
                f"started_on must be after the current employment's start ({current.started_on})",
                {"started_on": [f"on or before {current.started_on}, when the current employment started"]},
            )
        if district is not None and current.district_id == district.id:
            raise Invalid(f"already employed by {district.code}",
                          {"district": [f"already employed by {district.code}"]})
        current.ended_on = started_on - timedelta(days=1)
    if district is not None:
        session.add(Employment(educator_id=educator.id, district_id=district.id, started_on=started_on,
                               recorded_by=principal.actor))
    educator.district_id = district.id if district is not None else None
    session.flush()
    audit.record(session, principal.actor, "move_educator", "educator", educator.id,
                 {"district": district_code, "started_on": started_on.isoformat()})
    session.flush()
    session.refresh(educator)
    return educator
