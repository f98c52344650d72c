"""The standing projection: each educator's cycles and role cards as the engine last judged
them, kept current by every write in the same transaction (ledger/standing/projection.py)
so that a state's lists and counts are queries, not a state's worth of engine runs.

It is a cache, never history: the engine over the ledger is the one source of truth
(`flask ledger check-standings` compares the two). What changes with the date alone is
stored as dates and judged when read (`lapses_on`, `superseded_on`, the pace from the
cycle's dates); what would change a figure by date alone sets `stale_on`, the day the
daily refresh judges the educator again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Units, db


class StandingCycle(db.Model):
    """One cycle of a license that is current now or may become so (a cycle a later one
    has already replaced is not kept). `fixed_status` is `complete` or `lapsed` once that
    no longer depends on the day (a renewed cycle keeps its renewal's); null while the
    cycle is open: then it is lapsed from `lapses_on`, in grace after `cycle_end`, else in
    progress, behind pace when `earned_units` is under `required_units` times the share
    of the cycle gone by."""

    __tablename__ = "standing_cycles"
    __table_args__ = (
        Index("ix_standing_cycles_state_current", "state_id", "cycle_start", "superseded_on"),
        Index("ix_standing_cycles_stale_on", "stale_on"),
        Index("ix_standing_cycles_state_version", "state_id", "rulebook_version_id"),
        Index("ix_standing_cycles_state_status", "state_id", "status"),
        Index("ix_standing_cycles_state_status_until", "state_id", "status_until"),
        Index("ix_standing_cycles_state_status_on", "state_id", "status_on"),
    )
    cycle_id: Mapped[int] = mapped_column(ForeignKey("licenses.id"), primary_key=True, autoincrement=False)
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), index=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"))
    license_id: Mapped[int] = mapped_column(Integer)  # the license's first cycle's id
    license_type: Mapped[str] = mapped_column(String(50))
    cycle_number: Mapped[int] = mapped_column(Integer)
    cycle_start: Mapped[date] = mapped_column(Date)
    cycle_end: Mapped[date] = mapped_column(Date)  # as extended
    superseded_on: Mapped[date | None] = mapped_column(Date)  # the next cycle of the license starts
    grace_ends: Mapped[date | None] = mapped_column(Date)
    lapses_on: Mapped[date | None] = mapped_column(Date)  # while open: the first day it is lapsed
    fixed_status: Mapped[str | None] = mapped_column(String(20))
    renewed: Mapped[bool] = mapped_column(default=False)
    required_units: Mapped[Decimal] = mapped_column(Units)
    earned_units: Mapped[Decimal] = mapped_column(Units)
    left: Mapped[str | None] = mapped_column(String(200))  # while open: what is left ("24 PDP"), in words
    rulebook_version_id: Mapped[int] = mapped_column(ForeignKey("rulebook_versions.id"))
    computed_on: Mapped[date] = mapped_column(Date)
    stale_on: Mapped[date | None] = mapped_column(Date)
    # the status a list shows (lists.STATUSES; null: not current), as judged on `status_on`
    # and holding until `status_until` (null: for good): standing/status.py
    status: Mapped[str | None] = mapped_column(String(12))
    status_on: Mapped[date] = mapped_column(Date)
    status_until: Mapped[date | None] = mapped_column(Date)


class StandingCard(db.Model):
    """One role card an educator has begun, holds or held, as judged on `computed_on`:
    `status` is the pathway's (in_progress, active, permanent, lapsed); an active
    designation whose maintenance period ends short is lapsed from `lapses_on`."""

    __tablename__ = "standing_cards"
    __table_args__ = (
        Index("ix_standing_cards_state_card", "state_id", "card_code", "status"),
        Index("ix_standing_cards_stale_on", "stale_on"),
        Index("ix_standing_cards_state_version", "state_id", "rulebook_version_id"),
    )
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), primary_key=True, autoincrement=False)
    card_code: Mapped[str] = mapped_column(String(80), primary_key=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"))
    name: Mapped[str] = mapped_column(String(200))
    designation: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    counted: Mapped[int] = mapped_column(Integer)
    required: Mapped[int] = mapped_column(Integer)
    lapses_on: Mapped[date | None] = mapped_column(Date)
    # an active designation's open maintenance period: its number, last day, and how many more it needs
    maintenance_number: Mapped[int | None] = mapped_column(Integer)
    maintenance_end: Mapped[date | None] = mapped_column(Date)
    maintenance_needed: Mapped[int | None] = mapped_column(Integer)
    rulebook_version_id: Mapped[int] = mapped_column(ForeignKey("rulebook_versions.id"))
    computed_on: Mapped[date] = mapped_column(Date)
    stale_on: Mapped[date | None] = mapped_column(Date)


class StandingState(db.Model):
    """A state's projection generation: a new random token each time a transaction changes
    its rows (never a counter: a rolled-back count would come again with other rows), so
    that a summary computed from them (the overview's counts) can be kept until then."""

    __tablename__ = "standing_states"
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"), primary_key=True, autoincrement=False)
    generation: Mapped[str] = mapped_column(String(32))


class StandingCount(db.Model):
    """How many of a state's cycles have each stored status (`key`: one of lists.STATUSES),
    and how many educators have one (`key` "educators"), kept by the difference each
    projection or settlement makes, under the projector's lock: the overview reads these
    and corrects them only for the rows whose stored status no longer holds on the day."""

    __tablename__ = "standing_counts"
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"), primary_key=True, autoincrement=False)
    key: Mapped[str] = mapped_column(String(12), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


class StandingEducator(db.Model):
    """An educator's projection token: a new random one each time the educator is judged
    again, so that an answer computed from what was there (StandingAnswer) is known to
    still hold."""

    __tablename__ = "standing_educators"
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(String(32))
    computed_on: Mapped[date] = mapped_column(Date)


class StandingAnswer(db.Model):
    """The API's standing answer for an educator in their own state as of `as_of`, kept as
    sent while the educator's token and the state's rulebook version are those it was
    computed under (read before the facts, so a write in between only makes it miss)."""

    __tablename__ = "standing_answers"
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), primary_key=True, autoincrement=False)
    as_of: Mapped[date] = mapped_column(Date)
    token: Mapped[str] = mapped_column(String(32))
    rulebook_version_id: Mapped[int] = mapped_column(ForeignKey("rulebook_versions.id"))
    body: Mapped[str] = mapped_column(Text)


class StandingIssuerCount(db.Model):
    """How many active micro-credentials of an issuer an educator holds, once for each
    state where the educator holds a license (what that state's overview counts)."""

    __tablename__ = "standing_issuers"
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), primary_key=True, autoincrement=False)
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"), primary_key=True, autoincrement=False)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer)


class StandingIssuerTotal(db.Model):
    """A state's active micro-credentials by issuer: the sum of its `standing_issuers`,
    kept by the difference each projection makes, so the overview reads a few rows."""

    __tablename__ = "standing_issuer_totals"
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"), primary_key=True, autoincrement=False)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer)
