"""What went out, read back in scope: an educator's own notices (their page, the API) and,
for HR and the state office, every notice to the educators they see and the digests sent
to their own office."""

from __future__ import annotations

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from ..access.principals import ADMIN, DISTRICT_HR, STATE_OFFICE, Principal, educator_in_scope
from ..models import Educator, Notice, NoticeDelivery, User
from ..models.notices import LOG
from .rules import KINDS


def _latest(column):
    """The latest delivery's `column` for each notice (none yet: NULL)."""
    earlier = aliased(NoticeDelivery)
    last = select(func.max(earlier.id)).where(earlier.notice_id == Notice.id).correlate(Notice).scalar_subquery()
    return select(column).where(NoticeDelivery.id == last).correlate(Notice).scalar_subquery()


def _attempts():
    return select(func.count(NoticeDelivery.id)).where(NoticeDelivery.notice_id == Notice.id).scalar_subquery()


COLUMNS = (Notice, _latest(NoticeDelivery.outcome).label("outcome"), _latest(NoticeDelivery.at).label("at"),
           _attempts().label("attempts"))


def _item(notice: Notice, outcome, at, attempts, recipient: str | None = None) -> dict:
    if notice.channel == LOG and outcome is None:  # recorded for the log: done as it was recorded
        outcome, at = ("logged" if notice.to_address else "no_address"), notice.created_at
    kind = KINDS.get(notice.kind)
    return {"id": notice.id, "kind": notice.kind, "label": kind.label if kind else notice.kind,
            "optional": bool(kind and kind.optional), "cycle": notice.cycle, "threshold": notice.threshold,
            "as_of": notice.as_of, "recorded_at": notice.created_at, "subject": notice.subject,
            "summary": notice.summary, "to": notice.to_address, "outcome": outcome or "pending",
            "delivered_at": at if outcome and outcome != "failed" else None, "attempts": attempts,
            "educator_id": notice.educator_id, "recipient": recipient}


def for_educator(session, principal: Principal, educator_id: int, limit: int = 500) -> list[dict]:
    """An educator's notices, newest first (a 404 outside the caller's scope)."""
    educator_in_scope(session, principal, educator_id)
    rows = session.execute(select(*COLUMNS).where(Notice.educator_id == educator_id)
                           .order_by(Notice.id.desc()).limit(limit))
    return [_item(*row) for row in rows]


def _office_users(principal: Principal):
    if principal.role == ADMIN:
        return True
    if principal.role == DISTRICT_HR:
        return User.district_id == principal.district_id
    if principal.role == STATE_OFFICE:
        return User.state_id == principal.state_id
    return False


def sent_in_scope(session, principal: Principal, page: int, per_page: int, kind: str | None = None):
    """(items, total): notices to the educators in scope and digests to the office's users,
    newest first."""
    recipient = func.coalesce(Educator.first_name + " " + Educator.last_name, User.email)
    stmt = (select(*COLUMNS, recipient.label("recipient"))
            .outerjoin(Educator, Notice.educator_id == Educator.id).outerjoin(User, Notice.user_id == User.id)
            .where(or_(and_(Notice.educator_id.is_not(None), principal.educator_clause()),
                       and_(Notice.user_id.is_not(None), _office_users(principal)))))
    if kind:
        stmt = stmt.where(Notice.kind == kind)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.execute(stmt.order_by(Notice.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return [_item(*row) for row in rows], total
