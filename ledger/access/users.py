"""Accounts for the pages: an admin makes them for every role, scoped like API tokens."""

from __future__ import annotations

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..errors import Invalid
from ..models import User
from . import audit
from .tokens import resolve_scope

MIN_PASSWORD = 12


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def create_user(session, actor, email: str, password: str, role: str, state=None, district=None, educator=None) -> User:
    errors: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    if not email or "@" not in email or len(email) > 254:
        errors["email"] = ["an e-mail address"]
    elif session.scalar(select(User.id).where(User.email == email)) is not None:
        errors["email"] = ["an account with this e-mail exists"]
    if len(password or "") < MIN_PASSWORD:
        errors["password"] = [f"at least {MIN_PASSWORD} characters"]
    if errors:
        raise Invalid(next(f"{k}: {v[0]}" for k, v in errors.items()), errors)
    state_id, district_id, educator_id = resolve_scope(session, role, state, district, educator)
    user = User(email=email, password_hash=hash_password(password), role=role, state_id=state_id,
                district_id=district_id, educator_id=educator_id)
    session.add(user)
    session.flush()
    audit.record(session, actor, "create_user", "user", user.id, {"email": email, "role": role})
    return user
