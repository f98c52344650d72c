"""Submissions (CONTRACT.md section 7): what an educator reports, awaiting HR's or the
state office's decision, and the evidence files kept with them and with the entries
recorded from them.

`evidence_files` and `entry_evidence` are history (append-only, in the hash chain): a file
once kept stays the file an entry was approved on. A submission itself changes once, from
pending to approved or rejected (a trigger refuses any other change)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Timestamp, Units, db, utcnow

if TYPE_CHECKING:
    from .entries import Entry
    from .people import Educator
    from .rules import Credential

STATUSES = ("pending", "approved", "rejected")


class EvidenceFile(db.Model):
    """One file's bytes as kept in the evidence store, named by their SHA-256 (the store's
    key): the same bytes sent twice are one file."""

    __tablename__ = "evidence_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size: Mapped[int] = mapped_column(BigInteger)
    content_type: Mapped[str] = mapped_column(String(100))
    stored_by: Mapped[str] = mapped_column(String(200))
    stored_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)


class Submission(db.Model):
    __tablename__ = "submissions"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'rejected')", name="status"),
        CheckConstraint("kind IN ('microcredential', 'activity')", name="kind"),
        Index("ix_submissions_status_id", "status", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("credentials.id"))
    badge: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # a dropped badge the catalog may not hold yet
    title: Mapped[str | None] = mapped_column(String(300))
    hours: Mapped[Decimal | None] = mapped_column(Units)  # an activity's amount, in `measure`
    measure: Mapped[str | None] = mapped_column(String(40))  # NULL: clock hours
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    earned_on: Mapped[date] = mapped_column(Date)
    external_id: Mapped[str | None] = mapped_column(String(500))  # a badge's assertion or credential id
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence_files.id"))
    evidence_name: Mapped[str | None] = mapped_column(String(255))  # the file's name as sent
    status: Mapped[str] = mapped_column(String(10), default="pending")
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp())
    reason: Mapped[str | None] = mapped_column(String(1000))  # why it was rejected: the educator reads it
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id"))
    educator: Mapped[Educator] = relationship(lazy="joined")
    credential: Mapped[Credential | None] = relationship(lazy="joined")
    evidence: Mapped[EvidenceFile | None] = relationship(lazy="joined")
    entry: Mapped[Entry | None] = relationship()


class EntryEvidence(db.Model):
    """The evidence an entry was recorded on (from an approved submission): kept beside
    the entry, never changed."""

    __tablename__ = "entry_evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), unique=True)
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence_files.id"), index=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"))
    evidence: Mapped[EvidenceFile] = relationship(lazy="joined")
