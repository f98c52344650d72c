"""Loading a rulebook as its state's newest version (old versions are kept with who
loaded them and when), and finding the newest version."""

from __future__ import annotations

from marshmallow import ValidationError
from sqlalchemy import func, select

from ..access import audit
from ..access.principals import STATE_OFFICE, Principal
from ..errors import Forbidden, Invalid, NotFound, flatten
from ..fields import is_state_code, jsonable
from ..models import District, RulebookVersion, State
from ..text import unstorable_text
from .schema import rulebook_schema


def refuse_unstorable(raw) -> None:
    """Text no database can store (YAML's "\\ud800" or "\\0" escapes) is refused, naming
    each field, before anything else reads it."""
    try:
        errors = dict(unstorable_text(raw))
    except RecursionError:
        raise Invalid("the document is nested too deeply", {"_schema": ["nested too deeply"]}) from None
    if errors:
        path, messages = next(iter(errors.items()))
        raise Invalid(f"{path}: {messages[0]}", errors)


def validate_rulebook(raw) -> dict:
    """The rulebook checked whole, whichever way it came (API, page, CLI): every error
    names its field path."""
    if not isinstance(raw, dict):
        raise Invalid("a rulebook is a mapping", {"_schema": ["expected an object with state, name, unit, ..."]})
    refuse_unstorable(raw)
    try:
        return rulebook_schema.load(jsonable(raw))
    except ValidationError as exc:
        errors = flatten(exc.messages)
        raise Invalid("the rulebook is invalid", errors) from exc


def check_rulebook(session, principal: Principal, raw) -> tuple[dict, dict, State | None]:
    """Everything loading checks, storing nothing: who may load it, the document whole,
    district codes unique across states. (validated data, the document as stored, its
    state or None when the state is new)."""
    principal.require("load_rulebook")
    if principal.role == STATE_OFFICE:  # the cheap check first: another state's rules are refused unread
        own = session.get(State, principal.state_id)
        claimed = raw.get("state") if isinstance(raw, dict) else None
        if own is None or (isinstance(claimed, str) and claimed.upper() != own.code):
            raise Forbidden(f"a {principal.role} token may load only its own state's rulebook")
    data = validate_rulebook(raw)
    document = jsonable(raw)
    state = session.scalar(select(State).where(State.code == data["state"]))
    if principal.role == STATE_OFFICE and (state is None or state.id != principal.state_id):
        raise Forbidden(f"a {principal.role} token may load only its own state's rulebook")
    district_codes = [d["code"] for d in data["districts"]]
    if district_codes:
        taken = session.execute(
            select(District.code, State.code).join(State, District.state_id == State.id)
            .where(District.code.in_(district_codes), State.code != data["state"])
        ).all()
        if taken:
            errors = {
                f"districts[{district_codes.index(code)}].code": [f"already a district of {other}"]
                for code, other in taken
            }
            raise Invalid("district codes are unique across states", errors)
    return data, document, state


def load_rulebook(session, principal: Principal, raw) -> RulebookVersion:
    """Validate and store a rulebook as its state's newest version, in one transaction
    with its audit row. Districts named in it are created or updated."""
    data, document, state = check_rulebook(session, principal, raw)
    if state is None:
        state = State(code=data["state"], name=data["name"], unit=data["unit"])
        session.add(state)
        session.flush()
    else:
        state.name, state.unit = data["name"], data["unit"]
    version = (
        session.scalar(select(func.max(RulebookVersion.version)).where(RulebookVersion.state_id == state.id))
        or 0
    ) + 1
    row = RulebookVersion(state_id=state.id, version=version, document=document, loaded_by=principal.actor)
    session.add(row)
    for d in data["districts"]:
        district = session.scalar(select(District).where(District.code == d["code"]))
        if district is None:
            session.add(District(code=d["code"], name=d["name"], state_id=state.id,
                                 salary_credits_per_mc=d["salary_credits_per_mc"]))
        else:
            district.name, district.salary_credits_per_mc = d["name"], d["salary_credits_per_mc"]
    session.flush()
    audit.record(session, principal.actor, "load_rulebook", "rulebook", f"{state.code} v{version}",
                 {"state": state.code, "version": version})
    return row


def newest_version(session, state_code: str) -> RulebookVersion:
    if not is_state_code(state_code):
        raise NotFound(f"no rulebook loaded for state {state_code[:20]!r}")
    row = session.scalar(
        select(RulebookVersion).join(State).where(State.code == state_code.upper())
        .order_by(RulebookVersion.version.desc()).limit(1)
    )
    if row is None:
        raise NotFound(f"no rulebook loaded for state {state_code!r}")
    return row
