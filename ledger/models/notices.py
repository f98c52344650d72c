"""Reminders (CONTRACT.md section 8): each notice is recorded before it is sent, once per
(recipient, kind, cycle, threshold), and what became of it is a delivery row of its own,
so both stay append-only: a notice without a final delivery is sent on the next run. With
no mail server, the job records its notices for the log (`channel`): nothing is sent, so
there is no delivery to record, and what became of the notice is known as it is recorded."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Timestamp, db, utcnow

# What became of a notice: `sent` (the SMTP server took it), `logged` (no MAIL_SERVER: the
# notice is recorded and written to the log instead), `no_address` (nobody to send it to),
# `failed` (the server refused or could not be reached: tried again on the next run).
OUTCOMES = ("sent", "logged", "no_address", "failed")
FINAL = ("sent", "logged", "no_address")
LOG = "log"  # Notice.channel of a notice recorded with no mail server


class Notice(db.Model):
    __tablename__ = "notices"
    __table_args__ = (
        CheckConstraint("(educator_id IS NULL) <> (user_id IS NULL)", name="one_recipient"),
        Index("uq_notices_educator_once", "educator_id", "kind", "cycle", "threshold", unique=True,
              postgresql_where=text("educator_id IS NOT NULL"), sqlite_where=text("educator_id IS NOT NULL")),
        Index("uq_notices_user_once", "user_id", "kind", "cycle", "threshold", unique=True,
              postgresql_where=text("user_id IS NOT NULL"), sqlite_where=text("user_id IS NOT NULL")),
        Index("ix_notices_by_mail", "id", postgresql_where=text("channel IS NULL"),
              sqlite_where=text("channel IS NULL")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    educator_id: Mapped[int | None] = mapped_column(ForeignKey("educators.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(40))
    cycle: Mapped[str] = mapped_column(String(80))       # what it is about: a license cycle, a period, a week
    threshold: Mapped[int] = mapped_column(Integer)      # days before the deadline (0: an event)
    as_of: Mapped[date] = mapped_column(Date)            # the run that found it due
    to_address: Mapped[str | None] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(String(1000))   # the one sentence: what is left, by when
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)  # what the mail's templates render
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    # None: for the mail (each attempt a NoticeDelivery); LOG: recorded with no mail server,
    # written to the log once its batch committed, never mailed, no delivery row
    channel: Mapped[str | None] = mapped_column(String(10))


class NoticeDelivery(db.Model):
    """One attempt to deliver a notice and its outcome; at most one final outcome each."""

    __tablename__ = "notice_deliveries"
    __table_args__ = (
        CheckConstraint("outcome IN ('sent', 'logged', 'no_address', 'failed')", name="outcome"),
        Index("uq_notice_deliveries_final_once", "notice_id", unique=True,
              postgresql_where=text("outcome <> 'failed'"), sqlite_where=text("outcome <> 'failed'")),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id"), index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str | None] = mapped_column(String(1000))
    at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)


class NoticeSetting(db.Model):
    """A person's choice about the optional notices: an educator's (deadline notices always
    go) or a staff user's (the digest). Not history: the latest choice is the row, each
    change an audit event."""

    __tablename__ = "notice_settings"
    __table_args__ = (CheckConstraint("(educator_id IS NULL) <> (user_id IS NULL)", name="one_person"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    educator_id: Mapped[int | None] = mapped_column(ForeignKey("educators.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    optional_off: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
