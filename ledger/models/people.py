"""States, districts, educators, their licenses and where they work."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    __table_args__ = (UniqueConstraint("state_id", "license_number"),)
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


