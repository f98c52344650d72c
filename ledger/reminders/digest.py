"""The staff digest: for district HR (its district) and the state office (its state), at
most once a week, what needs them. Each section names only educators in the recipient's
scope: HR, its district's current employees; the state office, educators licensed in its
state (the cycles judged are the state's own licenses).

A section is a function (session, user, at_risk) -> dict or None. Issue 15 adds
"pending submissions" to SECTIONS: the submissions awaiting this user's decision, in its
scope, counted and the first few named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, select

from .. import engine
from ..access.principals import DISTRICT_HR, STATE_OFFICE
from ..models import Credential, Educator, Entry, Notice, NoticeSetting, User, Void
from .rules import DIGEST, Due, digest_key, what_is_left

AT_RISK_DAYS = 90
LISTED = 25  # a digest names at most this many of each; the count says how many in all


@dataclass
class Bucket:
    count: int = 0
    listed: list = field(default_factory=list)


class AtRisk:
    """Educators whose current cycle ends within 90 days and who are behind pace, by
    district and by state, gathered while the job judges them (counts, and the first
    few named: flat memory)."""

    def __init__(self):
        self.by_district: dict[int, Bucket] = {}
        self.by_state: dict[int, Bucket] = {}

    def add(self, state_id: int, person, standing: engine.Standing, today: date) -> None:
        for p in engine.current_cycles(standing.renewal, today, key=engine.LICENSE):
            days = (p.license.cycle_end - today).days
            if p.in_grace or not 0 <= days <= AT_RISK_DAYS or not engine.behind_pace(p):
                continue
            item = {"educator_id": person.id, "name": f"{person.first_name} {person.last_name}",
                    "detail": f"{p.license.type}: {what_is_left(p, standing.rulebook.unit)} left, "
                              f"{days} days to go", "days": days}
            buckets = [self.by_state.setdefault(state_id, Bucket())]
            if person.district_id is not None and person.state_id == state_id:
                buckets.append(self.by_district.setdefault(person.district_id, Bucket()))
            for b in buckets:
                b.count += 1
                if len(b.listed) < LISTED:
                    b.listed.append(item)
            return  # one line per educator


def at_risk_section(session, user: User, at_risk: AtRisk) -> dict | None:
    bucket = (at_risk.by_district.get(user.district_id) if user.role == DISTRICT_HR
              else at_risk.by_state.get(user.state_id))
    if not bucket or not bucket.count:
        return None
    return {"key": "at_risk", "title": "Cycle ending within 90 days, behind pace", "count": bucket.count,
            "items": sorted(bucket.listed, key=lambda i: (i["days"], i["name"])),
            "more": bucket.count - len(bucket.listed)}


def pending_reviews_section(session, user: User, at_risk: AtRisk) -> dict | None:
    """Badges awaiting review, which count for nothing until reviewed: for the state office
    every one (it reviews the catalog); for HR those its employees hold."""
    pending = select(Credential).where(Credential.reviewed.is_(False), Credential.rejected.is_(False))
    if user.role == DISTRICT_HR:
        pending = pending.where(exists().where(
            Entry.credential_id == Credential.id, ~exists().where(Void.entry_id == Entry.id),
            Entry.educator_id == Educator.id, Educator.district_id == user.district_id))
    count = session.scalar(select(func.count()).select_from(pending.subquery()))
    if not count:
        return None
    first = session.scalars(pending.order_by(Credential.code).limit(LISTED)).all()
    return {"key": "pending_reviews", "title": "Badges awaiting review (they count for nothing until approved)",
            "count": count, "items": [{"name": c.title, "detail": c.code} for c in first],
            "more": count - len(first)}


SECTIONS: list[Callable[..., dict | None]] = [at_risk_section, pending_reviews_section]


def digest_for(session, user: User, at_risk: AtRisk) -> list[dict]:
    return [s for s in (section(session, user, at_risk) for section in SECTIONS) if s]


def due_digests(session, today: date, at_risk: AtRisk, batch: int = 500) -> Iterator[tuple[User, Due]]:
    """Each active HR and state-office user with something to tell, not yet sent this
    week and not turned off."""
    week = digest_key(today)
    last = 0
    while True:
        users = session.scalars(
            select(User).where(User.id > last, User.role.in_((DISTRICT_HR, STATE_OFFICE)),
                               User.disabled_at.is_(None),
                               ~exists().where(Notice.user_id == User.id, Notice.kind == DIGEST.name,
                                               Notice.cycle == week),
                               ~exists().where(NoticeSetting.user_id == User.id, NoticeSetting.optional_off))
            .order_by(User.id).limit(batch)).all()
        if not users:
            return
        last = users[-1].id
        for user in users:
            sections = digest_for(session, user, at_risk)
            if not sections:
                continue
            parts = "; ".join(f"{s['count']} {s['key'].replace('_', ' ')}" for s in sections)
            yield user, Due(DIGEST.name, week, 0, f"Reminders digest, week of {today.isoformat()}: {parts}",
                            f"This week: {parts}", {"sections": sections, "week": week,
                                                    "role": user.role})
