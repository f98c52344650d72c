"""What the ledger issues: salary runs for payroll and official transcripts
(append-only)."""

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
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Timestamp, Units, db, utcnow

if TYPE_CHECKING:
    from .people import District, State


class SalaryRun(db.Model):
    """One run of a district's salary credits for payroll. Append-only: a run is never
    changed; running again makes a new run."""

    __tablename__ = "salary_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    pay_date: Mapped[date] = mapped_column(Date)
    run_by: Mapped[str] = mapped_column(String(200))
    run_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    rulebook_version: Mapped[int] = mapped_column(Integer)
    district: Mapped[District] = relationship(lazy="joined")
    rows: Mapped[list[SalaryRunRow]] = relationship(order_by="SalaryRunRow.id", lazy="selectin")


class SalaryRunRow(db.Model):
    __tablename__ = "salary_run_rows"
    __table_args__ = (UniqueConstraint("run_id", "educator_id"),
                      CheckConstraint("credits_new >= 0", name="credits_new_not_negative"))
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("salary_runs.id"))
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), index=True)
    license_number: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(201))
    credits_total: Mapped[Decimal] = mapped_column(Units)
    credits_new: Mapped[Decimal] = mapped_column(Units)
    lane: Mapped[str | None] = mapped_column(String(100))
    lane_changed: Mapped[bool] = mapped_column(Boolean)
    base_salary_pct: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    designations: Mapped[list[str]] = mapped_column(JSON, default=list)


class Transcript(db.Model):
    """An issued official transcript. Never changed: the PDF served later is these bytes,
    `sha256` is their digest, `standing` the standing the PDF shows, `clr` the signed
    machine-readable copy. A revocation is a row of its own."""

    __tablename__ = "transcripts"
    __table_args__ = (UniqueConstraint("season", "educator_id"),
                      Index("uq_transcripts_status_bit", "state_id", "status_list", "status_index", unique=True))
    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), index=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"))
    as_of: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    issued_by: Mapped[str] = mapped_column(String(200))
    office: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(201))           # as printed
    license_number: Mapped[str] = mapped_column(String(40))  # as printed
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    standing: Mapped[dict[str, Any]] = mapped_column(JSON)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    clr: Mapped[str] = mapped_column(db.Text, deferred=True)
    season: Mapped[str | None] = mapped_column(String(100))  # a renewal season's batch key
    # Its bit in its state's revocation status list (W3C Bitstring Status List), named in
    # the signed CLR; NULL for transcripts issued before the lists existed.
    status_list: Mapped[int | None] = mapped_column(Integer)
    status_index: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[State] = relationship(lazy="joined")
    revocation: Mapped[TranscriptRevocation | None] = relationship(lazy="joined")


class TranscriptRevocation(db.Model):
    __tablename__ = "transcript_revocations"
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(1000))
    revoked_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)

