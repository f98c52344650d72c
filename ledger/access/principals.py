"""Who sees what (CONTRACT.md section 5).

A `Principal` is whoever is calling: an API token or a signed-in user. Records outside
its scope are not found (404); actions its role may not take on records in scope are
forbidden (403).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, or_, select

from ..errors import Forbidden, NotFound
from ..models import MAX_ID, District, Educator, License

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
    "review_credential": {ADMIN, STATE_OFFICE},
    # Submissions (CONTRACT.md section 7): anyone reports for the educators in their scope
    # (an educator: themselves); only district HR and the state office decide.
    "submit": set(ROLES),
    "decide_submission": {STATE_OFFICE, DISTRICT_HR},
    # Audits (issue 15, item 3): the state office samples its state's renewals and decides the cases.
    "audit": {ADMIN, STATE_OFFICE},
}


ACTOR_LENGTH = 200  # every *_by / actor column


def actor_name(who: str, detail: str | None = None) -> str:
    """How a principal is written in the ledger ("user:7 (ada@example.org)"), cut to fit
    the columns that keep it: an e-mail may have 254 characters, a token's label 200."""
    if not detail:
        return who[:ACTOR_LENGTH]
    room = ACTOR_LENGTH - len(who) - 3
    return f"{who} ({detail[:room - 1]}…)" if len(detail) > room else f"{who} ({detail})"


@dataclass(frozen=True, slots=True)
class Principal:
    role: str
    actor: str
    state_id: int | None = None
    district_id: int | None = None
    educator_id: int | None = None

    @classmethod
    def of_user(cls, user) -> Principal:
        """The principal a signed-in user acts as (pages; the reminders' digest reads a
        staff user's scope the same way)."""
        return cls(role=user.role, actor=actor_name(f"user:{user.id}", user.email), state_id=user.state_id,
                   district_id=user.district_id, educator_id=user.educator_id)

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


def educator_in_scope(session, principal: Principal, educator_id: int, *options) -> Educator:
    """The educator, if in the principal's scope (a 404 otherwise); `options` are loader
    options for the query (a reader that needs no licenses can skip loading them)."""
    if not 1 <= educator_id <= MAX_ID:
        raise NotFound(f"educator {educator_id} not found")
    educator = session.scalar(
        select(Educator).where(Educator.id == educator_id, principal.educator_clause()).options(*options)
    )
    if educator is None:
        raise NotFound(f"educator {educator_id} not found")
    return educator


def district_in_scope(session, principal: Principal, code: str, action: str) -> District:
    district = session.scalar(select(District).where(District.code == code)) if len(code) <= 20 else None
    visible = district is not None and (
        principal.role == ADMIN
        or (principal.role == DISTRICT_HR and principal.district_id == district.id)
        or (principal.role == STATE_OFFICE and principal.state_id == district.state_id)
    )
    if not visible:
        raise NotFound(f"district {code[:20]!r} not found")
    if action == "salary_run" and principal.role not in (ADMIN, DISTRICT_HR):
        raise Forbidden(f"the {principal.role} role may not make salary runs")
    return district
