"""What entries are valued by: the states' rulebook versions and the catalog."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Timestamp, Units, db, utcnow

if TYPE_CHECKING:
    from .people import State


class RulebookVersion(db.Model):
    __tablename__ = "rulebook_versions"
    __table_args__ = (UniqueConstraint("state_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    loaded_by: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    state: Mapped[State] = relationship()


class PendingRulebook(db.Model):
    """An uploaded rulebook awaiting its state office's "publish" or "discard" after the
    preview of what it would change (rulebooks/preview.py). Not history: a publish or a
    discard deletes the row, and a row older than PENDING_HOURS is never published. The
    id is a random token; `sha256` is of the document as stored, checked at publish."""

    __tablename__ = "pending_rulebooks"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"), index=True)
    base_version: Mapped[int | None] = mapped_column(Integer)  # the version in force at the upload
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))  # the file's name, or "pasted text"
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    as_of: Mapped[date] = mapped_column(Date)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)  # preview.summarize's answer
    state: Mapped[State] = relationship()


class Issuer(db.Model):
    __tablename__ = "issuers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Credential(db.Model):
    __tablename__ = "credentials"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    estimated_hours: Mapped[Decimal | None] = mapped_column(Units)
    badge_id: Mapped[str | None] = mapped_column(String(500), unique=True)
    reviewed: Mapped[bool] = mapped_column(Boolean, default=True)  # approved: it counts
    rejected: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # by its latest review
    issuer: Mapped[Issuer] = relationship(lazy="joined")

    @property
    def review_status(self) -> str:
        """approved (it counts), pending (imported, not yet reviewed) or rejected."""
        return "approved" if self.reviewed else "rejected" if self.rejected else "pending"


class CredentialReview(db.Model):
    """A state office's or an admin's review of a credential (CONTRACT.md section 3): is
    it a genuine credential of its issuer? The latest decides; all are kept (append-only,
    in the hash chain)."""

    __tablename__ = "credential_reviews"
    __table_args__ = (CheckConstraint("decision IN ('approved', 'rejected')", name="decision"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("credentials.id"), index=True)
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(String(1000))
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)


