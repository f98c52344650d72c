"""Renewal seasons started from the state office's pages (issue 18, item 4): a run is one
start of a season (its range, who, when, its counts and whether it is still printing);
its items are the educators it prints, each pending, printed or failed with the reason.

Neither is history: a run's counts and an item's status move as workers print (the
transcripts they issue are the history, chained as ever). Counts are kept on the run, in
the same transaction as the item they count, so the progress page reads one row."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Timestamp, db, utcnow

if TYPE_CHECKING:
    from .people import State

RUN_STATUSES = ("running", "done")
ITEM_STATUSES = ("pending", "printed", "failed")


class SeasonRun(db.Model):
    __tablename__ = "season_runs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'done')", name="status"),
        CheckConstraint("expiring_after IS NULL OR expiring_after < expiring_before", name="range"),
        CheckConstraint("printed >= 0 AND failed >= 0 AND printed + failed <= total", name="counts"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"), index=True)
    season: Mapped[str] = mapped_column(String(100))  # the transcripts' batch key (transcripts.season)
    expiring_before: Mapped[date] = mapped_column(Date)
    expiring_after: Mapped[date | None] = mapped_column(Date)
    as_of: Mapped[date] = mapped_column(Date)  # the day the transcripts show
    status: Mapped[str] = mapped_column(String(10), default="running")
    total: Mapped[int] = mapped_column(Integer)
    printed: Mapped[int] = mapped_column(Integer, default=0)  # printed before this run included
    failed: Mapped[int] = mapped_column(Integer, default=0)
    started_by: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(Timestamp())
    progress_at: Mapped[datetime | None] = mapped_column(Timestamp())  # when an item last printed or failed
    state: Mapped[State] = relationship(lazy="joined")

    @property
    def remaining(self) -> int:
        return self.total - self.printed - self.failed

    @property
    def last_day(self) -> date:
        """The last day of cycle end the season takes (the day before `expiring_before`)."""
        return self.expiring_before - timedelta(days=1)


class SeasonItem(db.Model):
    __tablename__ = "season_items"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'printed', 'failed')", name="status"),
        UniqueConstraint("run_id", "educator_id"),
        Index("ix_season_items_run_id_status", "run_id", "status"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("season_runs.id"))
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"))
    license_type: Mapped[str] = mapped_column(String(50))
    cycle_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    serial: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(1000))  # why it failed, or that it was printed before
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime | None] = mapped_column(Timestamp())
    run: Mapped[SeasonRun] = relationship()
