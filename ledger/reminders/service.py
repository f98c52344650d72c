"""The reminder job (CONTRACT.md section 8): find what is due, record it, then deliver
what is recorded and not yet delivered.

Recording comes first and is committed (`checkpoint`) batch by batch, so a crash between
recording and sending leaves notices without a final delivery, and the next run sends
exactly those. A notice's key is unique in the database, so a second run, or two at once,
record nothing twice. Educators are read in keyset pages of `batch` (ids above the last
page's), each page's standings in memory only while it is judged: memory stays flat
however large the state. Each run judges every candidate again (cheap: only educators
with something near a deadline are candidates), so a run stopped part-way is resumed by
running it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select, union

from ..models import District, Educator, Notice, NoticeDelivery, NoticeSetting, RulebookVersion
from ..rulebooks.engine_view import engine_rulebook
from ..standing.many import standings_for
from . import delivery, digest
from .rules import KINDS, Due
from .sources import candidate_queries, due_for

BATCH = 1000


@dataclass
class Summary:
    educators: int = 0            # candidates judged
    recorded: int = 0             # notices recorded by this run
    digests: int = 0
    outcomes: dict = field(default_factory=dict)  # what became of the notices delivered

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def newest_versions(session) -> list[RulebookVersion]:
    latest = select(RulebookVersion.state_id, func.max(RulebookVersion.version).label("v")) \
        .group_by(RulebookVersion.state_id).subquery()
    return list(session.scalars(select(RulebookVersion).join(
        latest, (RulebookVersion.state_id == latest.c.state_id) & (RulebookVersion.version == latest.c.v))
        .order_by(RulebookVersion.state_id)))


def _candidates(version: RulebookVersion, today: date):
    queries = list(candidate_queries(version.state_id, today, engine_rulebook(version)))
    return union(*queries).subquery() if queries else None


def count_candidates(session, today: date) -> int:
    total = 0
    for version in newest_versions(session):
        found = _candidates(version, today)
        if found is not None:
            total += session.scalar(select(func.count()).select_from(found))
    return total


def record_due(session, today: date, *, checkpoint: Callable[[], None] = lambda: None, batch: int = BATCH,
               progress: Callable[[int], None] = lambda n: None, at_risk: digest.AtRisk | None = None,
               summary: Summary | None = None) -> Summary:
    """Judge every candidate of every state with a rulebook and record what is due."""
    summary = summary or Summary()
    for version in newest_versions(session):
        found = _candidates(version, today)
        if found is None:
            continue
        column = found.c[0]
        last = 0
        while True:
            ids = session.scalars(select(column).where(column > last).order_by(column).limit(batch)).all()
            if not ids:
                break
            last = ids[-1]
            _judge(session, version, today, ids, summary, at_risk)
            checkpoint()
            summary.educators += len(ids)
            progress(len(ids))
    return summary


def _judge(session, version: RulebookVersion, today: date, ids: list[int], summary: Summary, at_risk) -> None:
    people = {row.id: row for row in session.execute(
        select(Educator.id, Educator.email, Educator.first_name, Educator.last_name, Educator.district_id,
               District.code, District.state_id)
        .outerjoin(District, Educator.district_id == District.id).where(Educator.id.in_(ids)))}
    off = set(session.scalars(select(NoticeSetting.educator_id).where(
        NoticeSetting.educator_id.in_(ids), NoticeSetting.optional_off.is_(True))))
    held = set(session.execute(select(Notice.educator_id, Notice.kind, Notice.cycle, Notice.threshold)
                               .where(Notice.educator_id.in_(ids))).all())
    rulebook = engine_rulebook(version)
    # Role cards are evaluated only where a designation kept by maintenance can be held.
    cards = any(c.designation and c.maintenance for c in rulebook.pathways) or any(
        c.designation and c.maintenance for d in rulebook.districts for c in d.pathways)
    by_district: dict[str | None, list[int]] = {}
    for id_ in ids:
        row = people[id_]
        by_district.setdefault(row.code if row.state_id == version.state_id else None, []).append(id_)
    for code, group in by_district.items():
        for educator_id, standing in standings_for(session, version, today, group, district=code, pathways=cards):
            row = people[educator_id]
            if at_risk is not None:
                at_risk.add(version.state_id, row, standing, today)
            for due in due_for(standing, today):
                if KINDS[due.kind].optional and educator_id in off:
                    continue
                if (educator_id, due.kind, due.cycle, due.threshold) in held:
                    continue
                session.add(new_notice(due, today, educator_id=educator_id, to_address=row.email,
                                    name=f"{row.first_name} {row.last_name}"))
                summary.recorded += 1
    session.flush()


def new_notice(due: Due, today: date, name: str | None = None, **recipient) -> Notice:
    payload = {**due.payload, "name": name} if name else due.payload
    return Notice(kind=due.kind, cycle=due.cycle, threshold=due.threshold, as_of=today, subject=due.subject[:300],
                  summary=due.summary[:1000], payload=payload, **recipient)


def record_digests(session, today: date, at_risk: digest.AtRisk, summary: Summary) -> None:
    for user, due in digest.due_digests(session, today, at_risk):
        session.add(new_notice(due, today, user_id=user.id, to_address=user.email))
        summary.digests += 1
    session.flush()


def pending(session, after: int, limit: int) -> list[Notice]:
    """Notices recorded with no final delivery yet (and fewer than MAX_ATTEMPTS failures)."""
    return list(session.scalars(select(Notice).where(Notice.id > after, delivery.undelivered())
                                .order_by(Notice.id).limit(limit)))


def waiting(session) -> int:
    return session.scalar(select(func.count(Notice.id)).where(delivery.undelivered()))


def deliver(session, send: delivery.Sender, *, checkpoint: Callable[[], None] = lambda: None, batch: int = 200,
            progress: Callable[[int], None] = lambda n: None, summary: Summary | None = None) -> Summary:
    """Send every notice still undelivered and record what became of it. Over SMTP each
    outcome is committed as soon as the server has the mail, so a crash later loses at most
    the one in flight (sent again, with the same Message-ID, on the next run)."""
    summary = summary or Summary()
    last = 0
    while notices := pending(session, last, batch):
        for notice in notices:
            outcome, detail = send(notice)
            session.add(NoticeDelivery(notice_id=notice.id, outcome=outcome, detail=detail and detail[:1000]))
            summary.count(outcome)
            if send.commit_each:
                checkpoint()
            progress(1)
        last = notices[-1].id
        checkpoint()
    return summary


def run(session, today: date, send: delivery.Sender, *, checkpoint: Callable[[], None] = lambda: None,
        batch: int = BATCH, progress: Callable[[int], None] = lambda n: None) -> Summary:
    """The daily job: record what is due (educators, then the staff digests), then deliver."""
    at_risk = digest.AtRisk()
    summary = record_due(session, today, checkpoint=checkpoint, batch=batch, progress=progress, at_risk=at_risk)
    record_digests(session, today, at_risk, summary)
    checkpoint()
    return deliver(session, send, checkpoint=checkpoint, summary=summary)
