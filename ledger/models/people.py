"""States, districts, educators, their licenses and where they work."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from .base import Timestamp, Units, db, utcnow


class State(db.Model):
    __tablename__ = "states"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20))


class District(db.Model):
    __tablename__ = "districts"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"), index=True)
    salary_credits_per_mc: Mapped[Decimal] = mapped_column(Units, default=Decimal(0))
    state: Mapped[State] = relationship()


class Educator(db.Model):
    __tablename__ = "educators"
    __table_args__ = (UniqueConstraint("state_id", "license_number"),
                      # the lists' order: a page of a state's list walks it (migration 0019)
                      Index("ix_educators_name_order", "last_name", "first_name", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    license_number: Mapped[str] = mapped_column(String(40))
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    state: Mapped[State] = relationship(lazy="joined")
    district: Mapped[District | None] = relationship(lazy="joined")
    licenses: Mapped[list[License]] = relationship(
        back_populates="educator", order_by="License.cycle_start", lazy="selectin"
    )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class License(db.Model):
    """One cycle of a license. A license is its type in its state for one educator; its
    cycles are the rows of that (educator, state, type), numbered by `cycle_start` from 1,
    and the license's id is its first cycle's (CONTRACT.md section 6). Rows are never
    changed: a renewal adds the next cycle, an extension is a `LicenseEvent`."""

    __tablename__ = "licenses"
    __table_args__ = (CheckConstraint("cycle_end >= cycle_start", name="cycle_order"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), index=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"))
    type: Mapped[str] = mapped_column(String(50))
    cycle_start: Mapped[date] = mapped_column(Date)
    cycle_end: Mapped[date] = mapped_column(Date)
    educator: Mapped[Educator] = relationship(back_populates="licenses")
    state: Mapped[State] = relationship(lazy="joined")


class LicenseEvent(db.Model):
    """What happened to a cycle, and who did it, when and why: `opened` (a cycle recorded:
    the first, a renewal's next one, a reinstatement), `renewed` (with `snapshot`: what
    the cycle had earned, its status and the rule that judged it, frozen) or `extended`
    (`cycle_end` is the new end). Append-only; at most one `renewed` per cycle."""

    __tablename__ = "license_events"
    __table_args__ = (
        CheckConstraint("kind IN ('opened', 'renewed', 'extended')", name="kind"),
        Index("uq_license_events_renewed_once", "cycle_id", unique=True,
              postgresql_where=text("kind = 'renewed'"), sqlite_where=text("kind = 'renewed'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    license_id: Mapped[int] = mapped_column(ForeignKey("licenses.id"), index=True)  # the first cycle's id
    cycle_id: Mapped[int] = mapped_column(ForeignKey("licenses.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    renewed_on: Mapped[date | None] = mapped_column(Date)
    cycle_end: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(1000))
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)


# The cycle's end now: its latest extension's, else as first recorded (an extension is
# always later than the end it moves, so the latest is the largest).
License.current_cycle_end = column_property(func.coalesce(
    select(func.max(LicenseEvent.cycle_end))
    .where(LicenseEvent.cycle_id == License.id, LicenseEvent.kind == "extended")
    .correlate_except(LicenseEvent).scalar_subquery(),
    License.cycle_end))


class Employment(db.Model):
    """An educator's employment by a district, from `started_on` to `ended_on`
    (inclusive; open while null). The educator's current district is
    `educators.district_id`; this keeps the history. Entries belong to the educator, so a
    move between districts keeps the ledger whole."""

    __tablename__ = "employments"
    __table_args__ = (CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="period_order"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    district: Mapped[District] = relationship(lazy="joined")


