"""API tokens: only a token's SHA-256 is stored; each names a role and its scope."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select

from ..errors import Conflict, Invalid, NotFound
from ..models import MAX_ID, ApiToken, District, Educator, State, utcnow
from . import audit
from .principals import ADMIN, DISTRICT_HR, EDUCATOR, ROLES, STATE_OFFICE, Principal, actor_name


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def principal_for_token(session, token: str) -> Principal | None:
    """The token's principal; None when unknown, revoked or expired."""
    row = session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or (row.expires_at is not None and row.expires_at <= utcnow()):
        return None
    return Principal(
        role=row.role,
        actor=actor_name(f"token:{row.id}", row.label or row.role),
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


def create_token(session, actor: str, role: str, state=None, district=None, educator=None, label=None,
                 owner: str | None = None, expires_at: datetime | None = None) -> str:
    """Make an API token, named (`label`), held by `owner`, valid until `expires_at`
    (never, if None); only its SHA-256 is stored."""
    state_id, district_id, educator_id = resolve_scope(session, role, state, district, educator)
    if expires_at is not None and expires_at <= utcnow():
        raise Invalid("the token would expire before it is used", {"expires_at": ["must be in the future"]})
    token = secrets.token_urlsafe(32)
    row = ApiToken(
        token_hash=hash_token(token), role=role, state_id=state_id, district_id=district_id,
        educator_id=educator_id, label=label, owner=owner, expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "create_token", "api_token", row.id,
                 {"role": role, "label": label, "owner": owner,
                  "expires_at": expires_at.isoformat() if expires_at else None})
    return token


def revoke_token(session, actor: str, token_id: int) -> ApiToken:
    """Revoke a token: every call with it answers 401 from now on."""
    row = session.get(ApiToken, token_id) if 1 <= token_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"token {token_id} not found")
    if row.revoked_at is not None:
        raise Conflict(f"token {token_id} is already revoked", {"token": ["already revoked"]})
    row.revoked_at = utcnow()
    session.flush()
    audit.record(session, actor, "revoke_token", "api_token", row.id, {"label": row.label, "owner": row.owner})
    return row


def tokens(session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())))
