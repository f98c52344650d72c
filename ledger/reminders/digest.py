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
from datetime import date, timedelta
from functools import cached_property

from sqlalchemy import case, exists, func, select

from ..access.principals import DISTRICT_HR, STATE_OFFICE
from ..models import Credential, District, Educator, Entry, Notice, NoticeSetting, StandingCycle, User, Void
from ..standing import lists
from .rules import AT_RISK_DAYS, DIGEST, Due, at_risk_line, digest_key

LISTED = 25  # a digest names at most this many of each; the count says how many in all


@dataclass
class Bucket:
    count: int = 0
    listed: list = field(default_factory=list)


class AtRisk:
    """Educators whose current cycle ends within 90 days and who are behind pace, by
    district and by state (counts, and the most urgent few named: flat memory), read from
    the standing projection on the day (`on`) when a digest first asks (a day with no
    digest due reads nothing). One line per educator and state: their cycle ending
    soonest (rules.at_risk_line)."""

    def __init__(self, session, day: date):
        self.session, self.day = session, day

    @classmethod
    def on(cls, session, day: date) -> AtRisk:
        return cls(session, day)

    @cached_property
    def by_district(self) -> dict[int, Bucket]:
        return self._buckets[1]

    @cached_property
    def by_state(self) -> dict[int, Bucket]:
        return self._buckets[0]

    @cached_property
    def _buckets(self) -> tuple[dict[int, Bucket], dict[int, Bucket]]:
        session, day = self.session, self.day
        by_state: dict[int, Bucket] = {}
        by_district: dict[int, Bucket] = {}
        C = StandingCycle
        status = lists.status_expr(session.get_bind().dialect.name, day)
        # each educator's cycle ending soonest, per state, among those at risk
        first = func.row_number().over(partition_by=(C.educator_id, C.state_id),
                                       order_by=(C.cycle_end, C.license_type, C.cycle_id))
        lines = (select(C.educator_id, C.state_id, C.license_type, C.left, C.cycle_end, Educator.first_name,
                        Educator.last_name,
                        case((District.state_id == C.state_id, Educator.district_id)).label("district_id"),
                        first.label("n"))
                 .join(Educator, Educator.id == C.educator_id)
                 .outerjoin(District, District.id == Educator.district_id)
                 .where(lists.current_on(day), C.fixed_status.is_(None), status == "behind_pace",
                        C.cycle_end.between(day, day + timedelta(days=AT_RISK_DAYS))).subquery())
        one = select(lines).where(lines.c.n == 1).subquery()
        for column, buckets in ((one.c.state_id, by_state), (one.c.district_id, by_district)):
            for scope, n in session.execute(select(column, func.count()).where(column.is_not(None))
                                            .group_by(column)):
                buckets[scope] = Bucket(n)
            rank = func.row_number().over(partition_by=column, order_by=(
                one.c.cycle_end, one.c.first_name, one.c.last_name, one.c.educator_id)).label("rank")
            ranked = select(one, rank).where(column.is_not(None)).subquery()
            for row in session.execute(select(ranked).where(ranked.c.rank <= LISTED)
                                       .order_by(ranked.c[column.name], ranked.c.rank)):
                buckets[row._mapping[column.name]].listed.append(at_risk_line(
                    row.educator_id, row.first_name, row.last_name, row.license_type, row.left,
                    (row.cycle_end - day).days))
        return by_state, by_district


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


def _counted(count: int, key: str) -> str:
    """A section's count in the subject: "2 pending reviews", "1 pending review", "3 at risk"."""
    words = key.replace("_", " ")
    return f"{count} {words[:-1] if count == 1 and words.endswith('s') else words}"


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
            parts = "; ".join(_counted(s["count"], s["key"]) for s in sections)
            yield user, Due(DIGEST.name, week, 0, f"Reminders digest, week of {today.isoformat()}: {parts}",
                            f"This week: {parts}", {"sections": sections, "week": week,
                                                    "role": user.role})
