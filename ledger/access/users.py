"""Accounts for the pages: an admin makes them for every role, scoped like API tokens."""

from __future__ import annotations

from sqlalchemy import select, update
from werkzeug.security import generate_password_hash

from ..errors import Conflict, Invalid, NotFound
from ..models import MAX_ID, User, UserSession, utcnow
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


def get_user(session, user_id: int) -> User:
    user = session.get(User, user_id) if 1 <= user_id <= MAX_ID else None
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def end_sessions(session, actor: str, user: User) -> int:
    """End every open session of the user at once; how many were open."""
    ended = session.execute(update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
                            .values(ended_at=utcnow())).rowcount
    audit.record(session, actor, "end_sessions", "user", user.id, {"ended": ended})
    return ended


def disable_user(session, actor: str, user: User) -> User:
    """A disabled user cannot sign in, and their open sessions end now."""
    if user.disabled_at is not None:
        raise Conflict(f"{user.email} is already disabled", {"user": ["already disabled"]})
    user.disabled_at = utcnow()
    session.flush()
    audit.record(session, actor, "disable_user", "user", user.id, {"email": user.email})
    end_sessions(session, actor, user)
    return user


def enable_user(session, actor: str, user: User) -> User:
    if user.disabled_at is None:
        raise Conflict(f"{user.email} is not disabled", {"user": ["not disabled"]})
    user.disabled_at = None
    session.flush()
    audit.record(session, actor, "enable_user", "user", user.id, {"email": user.email})
    return user


def reset_password(session, actor: str, user: User, password: str) -> User:
    """A new password; the user's open sessions end (whoever had the old one is out)."""
    if len(password or "") < MIN_PASSWORD:
        raise Invalid(f"password: at least {MIN_PASSWORD} characters",
                      {"password": [f"at least {MIN_PASSWORD} characters"]})
    user.password_hash = hash_password(password)
    session.flush()
    audit.record(session, actor, "reset_password", "user", user.id, {"email": user.email})
    end_sessions(session, actor, user)
    return user


def change_role(session, actor: str, user: User, role: str, state=None, district=None, educator=None) -> User:
    """A new role and scope, checked like a new account's; open sessions end so the new
    scope holds from the next sign-in."""
    user.state_id, user.district_id, user.educator_id = resolve_scope(session, role, state, district, educator)
    user.role = role
    session.flush()
    audit.record(session, actor, "change_role", "user", user.id, {"email": user.email, "role": role})
    end_sessions(session, actor, user)
    return user
