"""Educators and their licenses."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..access import audit
from ..access.principals import DISTRICT_HR, STATE_OFFICE, Principal
from ..errors import Conflict, Forbidden, Invalid
from ..licenses.service import record_cycle, unknown_type
from ..models import District, Educator, Employment, State, savepoint, utcnow
from ..rulebooks.engine_view import engine_rulebook
from ..rulebooks.service import newest_version


def create_educator(session, principal: Principal, data: dict) -> Educator:
    """`data` is shaped by the API's EducatorIn: license_number, state, first_name,
    last_name, email?, district?, licenses [{type, cycle_start, cycle_end, state?}]."""
    principal.require("create_educator")
    errors: dict[str, list[str]] = {}
    state = _state(session, data["state"], "state", errors)
    district = None
    district_code = data.get("district")
    if district_code is None and principal.role == DISTRICT_HR:
        district = session.get(District, principal.district_id)
    elif district_code is not None:
        district = session.scalar(select(District).where(District.code == district_code))
        if district is None:
            errors["district"] = [f"unknown district {district_code!r}"]
    if district is not None and state is not None and district.state_id != state.id:
        errors["district"] = [
            f"{district.code} is a district of {district.state.code}; the educator's state is {state.code}"
        ]
    license_rows = _licenses(session, data.get("licenses") or [], state, errors)
    if errors:
        raise Invalid("the educator is invalid", errors)

    if principal.role == STATE_OFFICE and state.id != principal.state_id:
        raise Forbidden("a state_office token may add educators only to its own state")
    if principal.role == DISTRICT_HR and (district is None or district.id != principal.district_id):
        raise Forbidden("a district_hr token may add educators only to its own district")
    elsewhere = {f"licenses[{i}].state": [f"{principal.role} may record licenses only in {state.code}"]
                 for i, (_, lic_state) in enumerate(license_rows) if lic_state.id != state.id}
    if elsewhere and principal.role in (STATE_OFFICE, DISTRICT_HR):
        # another state's license would put the educator in that state's scope and reports
        raise Forbidden(next(iter(elsewhere.values()))[0], elsewhere)

    educator = Educator(
        license_number=data["license_number"], state_id=state.id,
        first_name=data["first_name"], last_name=data["last_name"],
        email=(data.get("email") or None), district_id=district.id if district else None,
    )
    try:
        with savepoint(session):
            session.add(educator)
            session.flush()
    except IntegrityError:
        raise _already_recorded(session, principal, state, data["license_number"]) from None
    for lic, lic_state in license_rows:
        record_cycle(session, principal, None, educator.id, lic_state.id, lic["type"], lic["cycle_start"],
                     lic["cycle_end"], "recorded with the educator")
    if district is not None:
        session.add(Employment(educator_id=educator.id, district_id=district.id,
                               started_on=data.get("employed_since") or utcnow().date(),
                               recorded_by=principal.actor))
    session.flush()
    audit.record(session, principal.actor, "create_educator", "educator", educator.id,
                 {"license_number": educator.license_number, "state": state.code})
    session.flush()
    session.refresh(educator)
    return educator


def _already_recorded(session, principal: Principal, state: State, number: str) -> Conflict:
    """The license number is taken. Within the caller's scope it names the educator; out
    of it, it says only what the caller can do (numbers are unique in a state, so the
    refusal itself cannot be hidden) and leaves a trace in the audit trail (F-17)."""
    existing = session.scalar(select(Educator.id).where(Educator.state_id == state.id,
                                                        Educator.license_number == number,
                                                        principal.educator_clause()))
    if existing is not None:
        return Conflict(f"{state.code} license number {number!r} is already an educator (educator {existing})",
                        {"license_number": [f"already recorded: educator {existing}"]}, educator_id=existing)
    return Conflict(
        f"{state.code} license number {number!r} cannot be added here: it is already recorded outside what "
        "this account can see. If this educator is joining your district, ask the state office to move them.",
        {"license_number": ["already recorded outside this account's scope"]},
        probe={"record_type": "educator", "asked": f"{state.code} {number}", "action": "create_educator"})


def _licenses(session, licenses: list[dict], home: State | None, errors) -> list[tuple[dict, State | None]]:
    """Each license with its state (the educator's home state unless it names one),
    its cycle and type checked against that state's rulebook."""
    rows, seen = [], {}
    for i, lic in enumerate(licenses):
        lic_state = home if not lic.get("state") else _state(session, lic["state"], f"licenses[{i}].state", errors)
        if lic["cycle_end"] < lic["cycle_start"]:
            errors[f"licenses[{i}].cycle_end"] = ["is before cycle_start"]
        if lic_state is not None:
            why = unknown_type(engine_rulebook(newest_version(session, lic_state.code)), lic["type"])
            if why is not None:
                errors[f"licenses[{i}].type"] = [why]
            key = (lic_state.id, lic["type"])
            if key in seen:  # one license per type and state; its later cycles come by renewal
                errors[f"licenses[{i}].type"] = [
                    f"repeats licenses[{seen[key]}]: one {lic_state.code} {lic['type']} license, renewed for "
                    "later cycles (POST /licenses/{id}/renewals)"]
            seen.setdefault(key, i)
        rows.append((lic, lic_state))
    return rows


def _state(session, code: str, field: str, errors) -> State | None:
    state = session.scalar(select(State).where(State.code == code.upper()))
    if state is None:
        errors[field] = [f"no rulebook loaded for state {code!r}"]
    return state
