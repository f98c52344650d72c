"""Who sees what (CONTRACT.md section 5).

A `Principal` is whoever is calling: an API token or a signed-in user. Records outside
its scope are not found (404); actions its role may not take on records in scope are
forbidden (403).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import exists, or_, select

from .errors import Forbidden, Invalid, NotFound
from .models import MAX_ID, ApiToken, District, Educator, License, State

ADMIN = "admin"
STATE_OFFICE = "state_office"
DISTRICT_HR = "district_hr"
EDUCATOR = "educator"
ROLES = (ADMIN, STATE_OFFICE, DISTRICT_HR, EDUCATOR)

# Which roles may take which actions on records in their scope.
WRITERS = {ADMIN, STATE_OFFICE, DISTRICT_HR}
PERMISSIONS = {
    "read": set(ROLES),
    "record_entry": WRITERS,
    "void_entry": WRITERS,
    "create_educator": WRITERS,
    "import": WRITERS,
    "load_rulebook": {ADMIN, STATE_OFFICE},
    "load_catalog": {ADMIN, STATE_OFFICE},
}


@dataclass(frozen=True, slots=True)
class Principal:
    role: str
    actor: str
    state_id: int | None = None
    district_id: int | None = None
    educator_id: int | None = None

    def require(self, action: str) -> None:
        if self.role not in PERMISSIONS[action]:
            raise Forbidden(f"the {self.role} role may not {action.replace('_', ' ')}")

    def educator_clause(self):
        """A SQL condition on `Educator` that holds for the educators in scope."""
        if self.role == ADMIN:
            return True
        if self.role == STATE_OFFICE:
            return or_(
                Educator.state_id == self.state_id,
                exists().where(License.educator_id == Educator.id, License.state_id == self.state_id),
            )
        if self.role == DISTRICT_HR:
            return Educator.district_id == self.district_id
        return Educator.id == self.educator_id


def educator_in_scope(session, principal: Principal, educator_id: int) -> Educator:
    if not 1 <= educator_id <= MAX_ID:
        raise NotFound(f"educator {educator_id} not found")
    educator = session.scalar(
        select(Educator).where(Educator.id == educator_id, principal.educator_clause())
    )
    if educator is None:
        raise NotFound(f"educator {educator_id} not found")
    return educator


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
    from . import audit

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
