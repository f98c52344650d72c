"""Delivering recorded notices (CONTRACT.md section 8): a notice is tried again after each
failure until MAX_ATTEMPTS failures, never after a final outcome, and the walk over the
waiting notices goes on past the ones given up or delivered, page after page. On both
engines."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from ledger.models import Notice, NoticeDelivery, db
from ledger.reminders import delivery, service

END = date(2025, 6, 30)  # the sample educators' cycle end


class Scripted(delivery.Sender):
    """Answers each notice with the outcome named for its address (failed unless named);
    each outcome recorded at once, as over SMTP, so `batch` is the page's size."""

    commit_each = True

    def __init__(self, outcomes: dict):
        self.outcomes, self.tried = outcomes, []

    def deliver(self, notice):
        self.tried.append(notice.to_address)
        return self.outcomes.get(notice.to_address, "failed"), None


def test_a_notice_is_tried_until_its_last_allowed_failure_and_pages_go_past_the_done(ledger, session):
    addresses = [f"t{i}@example.org" for i in range(5)]
    for address in addresses:
        ledger.educator("TN", email=address)
    summary = service.record_due(db.session, END - timedelta(days=30))
    assert summary.recorded == 5
    send = Scripted({addresses[1]: "logged", addresses[3]: "sent"})
    for attempt in range(1, delivery.MAX_ATTEMPTS + 1):
        send.tried = []
        service.deliver(db.session, send, batch=2)  # pages of two: a page may hold only notices done
        assert sorted(send.tried) == ([a for a in addresses if a not in (addresses[1], addresses[3])] if attempt > 1
                                      else addresses)
        assert service.waiting(db.session) == (3 if attempt < delivery.MAX_ATTEMPTS else 0)
    send.tried = []
    service.deliver(db.session, send, batch=2)
    assert send.tried == []  # given up after MAX_ATTEMPTS failures: listed as failed, not tried again
    failures = db.session.execute(sa.select(Notice.to_address, sa.func.count()).join(
        NoticeDelivery, NoticeDelivery.notice_id == Notice.id).where(NoticeDelivery.outcome == "failed")
        .group_by(Notice.to_address)).all()
    assert sorted(failures) == [(a, delivery.MAX_ATTEMPTS) for a in (addresses[0], addresses[2], addresses[4])]


def test_bulk_written_notices_are_stored_as_given(ledger, session):
    """insert_many (one JSON document on PostgreSQL) stores each value as given: names
    with quotes, backslashes, newlines and non-ASCII letters, nested payloads, NULLs,
    dates and timestamps to the microsecond; a row breaking a unique key is skipped."""
    from datetime import datetime, timezone

    from ledger.reminders import bulk

    e = ledger.educator("TN", email="ada@example.org")
    at = datetime(2026, 12, 7, 4, 5, 6, 789012, tzinfo=timezone.utc)
    name = 'Zoë "Z" O\'Brien \\ <b>\n\u00e9\u4e2d'
    rows = [{"educator_id": e.id, "user_id": None, "kind": "cycle_ending", "cycle": f"c{i}", "threshold": 30,
             "as_of": date(2025, 5, 31), "to_address": None if i else "ada@example.org", "subject": name,
             "summary": "Earn 4.5 PDP by 30 June 2025.", "created_at": at,
             "payload": {"name": name, "left": ["4.5", None, {"deep": True}], "n": i}} for i in range(3)]
    inserted = bulk.insert_many(db.session, Notice.__table__, rows, skip_conflicts=True, returning=("subject",))
    assert [row.subject for row in inserted] == [row["subject"] for row in rows]  # returned as stored
    ids = [row.id for row in inserted]
    assert bulk.insert_many(db.session, Notice.__table__, rows[:1], skip_conflicts=True) == []
    stored = db.session.execute(sa.select(Notice.__table__).where(Notice.id.in_(ids)).order_by(Notice.id)).all()
    for row, given in zip(stored, rows, strict=True):
        assert {k: v for k, v in row._mapping.items() if k not in ("id", "channel")} == given
