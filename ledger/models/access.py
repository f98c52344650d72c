"""Who may sign in or call the API: tokens, users and their sessions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    ForeignKey,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Timestamp, db, utcnow

if TYPE_CHECKING:
    from .people import District, State


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    state_id: Mapped[int | None] = mapped_column(ForeignKey("states.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    educator_id: Mapped[int | None] = mapped_column(ForeignKey("educators.id"))
    label: Mapped[str | None] = mapped_column(String(200))
    owner: Mapped[str | None] = mapped_column(String(254))  # who holds it: a person or a system
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp())
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp())
    state: Mapped[State | None] = relationship(lazy="joined")
    district: Mapped[District | None] = relationship(lazy="joined")


class User(db.Model):
    """A person who signs in to the web pages; scoped like an API token."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    state_id: Mapped[int | None] = mapped_column(ForeignKey("states.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    educator_id: Mapped[int | None] = mapped_column(ForeignKey("educators.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(Timestamp())


class UserSession(db.Model):
    """A signed-in session. The cookie holds only `id`; signing out sets `ended_at`, so the
    cookie stops working at once (see ledger/web/auth.py for the idle and absolute limits)."""

    __tablename__ = "user_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(Timestamp())
    user_agent: Mapped[str | None] = mapped_column(String(300))
    user: Mapped[User] = relationship(lazy="joined")


