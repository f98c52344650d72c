"""The ledger proper: entries and voids (append-only), the two mutable indexes over
them (`holdings`, `activity_keys`), and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Timestamp, Units, db, utcnow

if TYPE_CHECKING:
    from .credentials import ReceivedCredential
    from .people import Educator
    from .rules import Credential


class Entry(db.Model):
    """A ledger entry. Never updated or deleted: see `Void`."""

    __tablename__ = "entries"
    __table_args__ = (
        CheckConstraint("kind IN ('microcredential', 'activity')", name="kind"),
        CheckConstraint(
            "(kind = 'microcredential' AND credential_id IS NOT NULL AND hours IS NULL)"
            " OR (kind = 'activity' AND credential_id IS NULL AND hours IS NOT NULL"
            " AND hours >= 0 AND title IS NOT NULL)",
            name="kind_fields",
        ),
        Index("ix_entries_educator_id_earned_on", "educator_id", "earned_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"))
    kind: Mapped[str] = mapped_column(String(20))
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("credentials.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(300))
    hours: Mapped[Decimal | None] = mapped_column(Units)  # an activity's amount, in `measure`
    measure: Mapped[str | None] = mapped_column(String(40))  # NULL: clock hours (section 2b, "Activity units")
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    earned_on: Mapped[date] = mapped_column(Date)
    external_id: Mapped[str | None] = mapped_column(String(500), unique=True)
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    educator: Mapped[Educator] = relationship()
    credential: Mapped[Credential | None] = relationship(lazy="joined")
    void: Mapped[Void | None] = relationship(back_populates="entry", lazy="joined")
    # the credential as received and how it was verified (imported Open Badges only)
    received: Mapped[ReceivedCredential | None] = relationship(lazy="selectin", viewonly=True)


class Void(db.Model):
    __tablename__ = "voids"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(1000))
    voided_by: Mapped[str] = mapped_column(String(200))
    voided_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    entry: Mapped[Entry] = relationship(back_populates="void")


class Holding(db.Model):
    """The active micro-credential entry an educator holds for a credential. Its primary
    key is the rule "one active entry per educator and credential"; a void removes the
    holding, never the entry."""

    __tablename__ = "holdings"
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), primary_key=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("credentials.id"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), unique=True)


class ActivityKey(db.Model):
    """The active activity entry (recorded without an external_id) that has this content:
    the primary key makes "the same activity twice" impossible even when two clerks or
    two imports record it at the same moment; a void removes the key, never the entry."""

    __tablename__ = "activity_keys"
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), primary_key=True)
    content_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), unique=True)


class AuditEvent(db.Model):
    """Who did what to which record, and when. Append-only like the ledger."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    record_type: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[str] = mapped_column(String(100))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


