"""API tokens: only a token's SHA-256 is stored; each names a role and its scope."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from ..errors import Invalid
from ..models import ApiToken, District, Educator, State
from . import audit
from .principals import ADMIN, DISTRICT_HR, EDUCATOR, ROLES, STATE_OFFICE, Principal


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_for_token(session, token: str) -> Principal | None:
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )
    if row is None:
        return None
    return Principal(
        role=row.role,
        actor=f"token:{row.id} ({row.label or row.role})",
        state_id=row.state_id,
        district_id=row.district_id,
        educator_id=row.educator_id,
    )


def resolve_scope(session, role: str, state: str | None, district: str | None, educator: int | None):
    """Check a role and its scope names, returning the ids to store (state, district,
    educator). Each role names exactly the scope it needs."""
    if role not in ROLES:
        raise Invalid(f"unknown role {role!r}", {"role": [f"must be one of {', '.join(ROLES)}"]})
    needs = {ADMIN: None, STATE_OFFICE: "state", DISTRICT_HR: "district", EDUCATOR: "educator"}[role]
    given = {"state": state, "district": district, "educator": educator}
    for name, value in given.items():
        if value is not None and name != needs:
            raise Invalid(f"the {role} role takes no --{name}", {name: [f"not used by role {role}"]})
    state_id = district_id = educator_id = None
    if needs == "state":
        if not state:
            raise Invalid("state_office needs --state", {"state": ["required for role state_office"]})
        state_id = session.scalar(select(State.id).where(State.code == state.upper()))
        if state_id is None:
            raise Invalid(f"unknown state {state!r}", {"state": [f"no rulebook loaded for {state!r}"]})
    elif needs == "district":
        if not district:
            raise Invalid("district_hr needs --district", {"district": ["required for role district_hr"]})
        district_id = session.scalar(select(District.id).where(District.code == district))
        if district_id is None:
            raise Invalid(f"unknown district {district!r}", {"district": [f"unknown district {district!r}"]})
    elif needs == "educator":
        if educator is None:
            raise Invalid("educator needs --educator", {"educator": ["required for role educator"]})
        if session.get(Educator, educator) is None:
            raise Invalid(f"unknown educator {educator}", {"educator": [f"unknown educator {educator}"]})
        educator_id = educator
    return state_id, district_id, educator_id


def create_token(session, actor: str, role: str, state=None, district=None, educator=None, label=None) -> str:
    """Make an API token; only its SHA-256 is stored."""
    state_id, district_id, educator_id = resolve_scope(session, role, state, district, educator)
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=hash_token(token), role=role, state_id=state_id,
        district_id=district_id, educator_id=educator_id, label=label,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "create_token", "api_token", row.id, {"role": role, "label": label})
    return token
