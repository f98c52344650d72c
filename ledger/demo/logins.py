"""The demo logins, one per role, with fixed passwords that the command prints: demo
data only."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..access.principals import ADMIN, DISTRICT_HR, EDUCATOR, STATE_OFFICE
from ..models import District, Educator, State, User
from .plans import Plan

# Demo logins: (role, email, password, scope). The educator login's email is that
# educator's own (see `_educator_login`).
ADMIN_LOGIN = (ADMIN, "admin@demo.example", "demo-admin-2024")
STATE_LOGIN = (STATE_OFFICE, "state.tn@demo.example", "demo-state-2024", "TN")
# The North Carolina and Arkansas offices, who renew and reinstate their own licenses.
MORE_STATE_LOGINS = ((STATE_OFFICE, "state.nc@demo.example", "demo-state-2024", "NC"),
                     (STATE_OFFICE, "state.ar@demo.example", "demo-state-2024", "AR"))
HR_LOGIN = (DISTRICT_HR, "hr.juab@demo.example", "demo-hr-2024", "JUAB")
EDUCATOR_PASSWORD = "demo-educator-2024"
LOGIN_SCRIPT = "tl_active_period2"  # whose login the educator role gets (see `_educator_login`)


def add_logins(session, plans: list[Plan]) -> tuple[list[tuple[str, str, str]], int]:
    """One login per role; an existing user (by email) is left alone but still listed."""
    wanted = []
    states = dict(session.execute(select(State.code, State.id)).all())
    district_id = session.scalar(select(District.id).where(District.code == HR_LOGIN[3]))
    wanted.append((ADMIN_LOGIN[0], ADMIN_LOGIN[1], ADMIN_LOGIN[2], {}))
    wanted.append((STATE_LOGIN[0], STATE_LOGIN[1], STATE_LOGIN[2], {"state_id": states.get(STATE_LOGIN[3])}))
    for role, email, password, code in MORE_STATE_LOGINS:
        if code in states:
            wanted.append((role, email, password, {"state_id": states[code]}))
    wanted.append((HR_LOGIN[0], HR_LOGIN[1], HR_LOGIN[2], {"district_id": district_id}))
    educator = _educator_login(session, plans)
    if educator is not None and educator.email:
        wanted.append((EDUCATOR, educator.email, EDUCATOR_PASSWORD, {"educator_id": educator.id}))
    existing = {u.email: u for u in session.scalars(
        select(User).where(User.email.in_([w[1] for w in wanted]))
    )}
    added = 0
    out = []
    for role, email, password, scope in wanted:
        if email not in existing:
            session.add(User(email=email, password_hash=generate_password_hash(password), role=role, **scope))
            added += 1
        out.append((role, email, password))
    return out, added


def _educator_login(session, plans: list[Plan]) -> Educator | None:
    """The Juab teacher who holds the Teacher Leader card and is maintaining it; else
    any Juab teacher; else the first educator."""
    if not plans:
        return None
    p = min(plans, key=lambda p: (p.script != LOGIN_SCRIPT, p.district != "JUAB", p.index))
    return session.scalar(
        select(Educator).join(State, Educator.state_id == State.id)
        .where(State.code == p.state, Educator.license_number == p.license_number)
    )
