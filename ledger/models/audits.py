"""Audits for the state office (issue 15, item 3): a reproducible random sample of the
cycles a state renewed in a period, one case per cycle, and what the office found.

`audits` (the sample as drawn: period, share, seed) and `audit_findings` (an entry
disallowed, with the void it made) are history: append-only and in the hash chain. A case
changes once, from open to passed or findings, with who decided and when (a trigger
refuses any other change, and every DELETE)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Timestamp, db, utcnow

if TYPE_CHECKING:
    from .entries import Entry, Void
    from .people import Educator, License, LicenseEvent, State

CASE_STATUSES = ("open", "passed", "findings")


class Audit(db.Model):
    __tablename__ = "audits"
    __table_args__ = (
        CheckConstraint("(share IS NULL) <> (count_asked IS NULL)", name="share_or_count"),
        CheckConstraint("period_from <= period_to", name="period"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"), index=True)
    period_from: Mapped[date] = mapped_column(Date)
    period_to: Mapped[date] = mapped_column(Date)
    share: Mapped[Decimal | None] = mapped_column(Numeric(7, 6))  # a fraction of the candidates (0.05 = 5%)
    count_asked: Mapped[int | None] = mapped_column(Integer)  # or a number of cycles
    seed: Mapped[int] = mapped_column(BigInteger)
    candidates: Mapped[int] = mapped_column(Integer)  # cycles renewed in the period, in the state
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    state: Mapped[State] = relationship(lazy="joined")
    cases: Mapped[list[AuditCase]] = relationship(back_populates="audit", order_by="AuditCase.id")


class AuditCase(db.Model):
    __tablename__ = "audit_cases"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'passed', 'findings')", name="status"),
        UniqueConstraint("audit_id", "cycle_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("audits.id"), index=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), index=True)
    license_id: Mapped[int] = mapped_column(ForeignKey("licenses.id"))  # the license's first cycle
    cycle_id: Mapped[int] = mapped_column(ForeignKey("licenses.id"))  # the renewed cycle
    renewal_id: Mapped[int] = mapped_column(ForeignKey("license_events.id"))  # its `renewed` event
    status: Mapped[str] = mapped_column(String(10), default="open")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(Timestamp())
    audit: Mapped[Audit] = relationship(back_populates="cases")
    educator: Mapped[Educator] = relationship(lazy="joined")
    cycle: Mapped[License] = relationship(foreign_keys=[cycle_id], lazy="joined")
    renewal: Mapped[LicenseEvent] = relationship(lazy="joined")
    findings: Mapped[list[AuditFinding]] = relationship(back_populates="case", order_by="AuditFinding.id")


class AuditFinding(db.Model):
    """An entry the office disallowed in a case, and why: `void_id` is the void it made
    (NULL when the entry was void already, before the finding)."""

    __tablename__ = "audit_findings"
    __table_args__ = (UniqueConstraint("case_id", "entry_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("audit_cases.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), index=True)
    reason: Mapped[str] = mapped_column(String(1000))
    void_id: Mapped[int | None] = mapped_column(ForeignKey("voids.id"))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    case: Mapped[AuditCase] = relationship(back_populates="findings")
    entry: Mapped[Entry] = relationship()
    void: Mapped[Void | None] = relationship()
