"""Submissions in the reminders (issue 15 meets issue 17): the educator hears when HR or
the state office decided what they reported (an optional notice, recorded in the same
transaction as the decision and sent by the next run of the job), and the staff digest
counts the submissions waiting for the recipient's decision, in its scope."""

from __future__ import annotations

from sqlalchemy import func, select

from .. import clock
from ..access.principals import Principal
from ..models import Educator, NoticeSetting, Submission, User
from ..submissions import service as submissions
from .rules import EDUCATOR, Due, Kind, long_date, register
from .service import new_notice

SUBMISSION_DECIDED = register(Kind("submission_decided", EDUCATOR, True, "Report decided"))
LISTED = 25


def _what(sub) -> str:
    if sub.title:
        return sub.title
    if sub.credential is not None:
        return sub.credential.title
    return "what you reported"


def decided_notice(session, sub) -> None:
    """Record the notice of a decision (unless the educator turned optional notices off)."""
    off = session.scalar(select(NoticeSetting.optional_off).where(NoticeSetting.educator_id == sub.educator_id))
    if off:
        return
    educator = session.get(Educator, sub.educator_id)
    what = _what(sub)
    earned = long_date(sub.earned_on)
    if sub.status == "approved":
        subject = f"Approved: {what}"
        summary = f"{what} (earned {earned}) was approved and now counts on your record"
    else:
        subject = f"Not approved: {what}"
        summary = f"{what} (earned {earned}) was not approved: {sub.reason}"
    due = Due(SUBMISSION_DECIDED.name, f"submission:{sub.id}", 0, subject, summary,
              {"submission_id": sub.id, "status": sub.status, "reason": sub.reason})
    session.add(new_notice(due, clock.today(), educator_id=educator.id, to_address=educator.email,
                        name=f"{educator.first_name} {educator.last_name}"))


def pending_submissions_section(session, user: User, at_risk) -> dict | None:
    """What waits for this user's decision: HR, its district's; the state office, its state's."""
    principal = Principal.of_user(user)
    waiting = submissions.scoped(principal).where(Submission.status == "pending")
    count = session.scalar(select(func.count()).select_from(waiting.subquery()))
    if not count:
        return None
    first = submissions.pending(session, principal, limit=LISTED)
    return {"key": "pending_submissions", "title": "Reports waiting for your decision (oldest first)",
            "count": count, "more": count - len(first),
            "items": [{"name": f"{s.educator.first_name} {s.educator.last_name}",
                       "detail": f"{_what(s)}, sent {s.submitted_at.date().isoformat()}"} for s in first]}


def install() -> None:
    """Hook the reminders into the submissions (once, at app start)."""
    from . import digest

    if decided_notice not in submissions.ON_DECIDED:
        submissions.ON_DECIDED.append(decided_notice)
    if pending_submissions_section not in digest.SECTIONS:
        digest.SECTIONS.append(pending_submissions_section)
