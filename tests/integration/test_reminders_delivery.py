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
