"""The reminder job (CONTRACT.md section 8): find what is due, record it, then deliver
what is recorded and not yet delivered.

What is due is read from the standing projection (sources.py: SQL over
`standing_cycles` and `standing_cards`, the notices already recorded left out), after the
projection is brought to the day (`bring_to`): no engine runs here. Recording comes
first and is committed (`checkpoint`) batch by batch, each batch one multi-row INSERT
linked into the hash chain at its commit, so a crash between recording and sending
leaves notices without a final delivery, and the next run sends exactly those. With no
mail server (`delivery.LogSender`) the notices are recorded for the log
(`channel = 'log'`) and each batch written to the log once it is committed: nothing is
sent, so no delivery is recorded and nothing is read back to deliver. A
notice's key is unique in the database (a conflict is skipped), so a second run, or two
at once, record nothing twice. The projection is read in windows of its primary key
(`sources.WINDOW` rows) and notices recorded `batch` at a time: memory stays flat however
large the state, and a run stopped part-way is resumed by running it again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import bindparam, func, select

from ..models import Notice, NoticeDelivery, StandingEducator, utcnow
from ..models.notices import LOG
from ..standing import projection
from . import bulk, delivery, digest, sources
from .rules import Due

BATCH = 1000


@dataclass
class Summary:
    educators: int = 0            # educators with a notice due (each source counts its own)
    recorded: int = 0             # notices recorded by this run
    digests: int = 0
    outcomes: dict = field(default_factory=dict)  # what became of the notices delivered

    def count(self, outcome: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1


def bring_to(session, today: date, checkpoint: Callable[[], None] | None = None) -> int:
    """The projection as of `today`: whoever has a figure that moved by date alone since
    they were judged is judged again (projection.catch_up), and so is whoever was judged
    on a later day than `today` (a run for a past day: rows are good from the day they
    were judged on). How many were judged."""
    judged = projection.catch_up(session, today)
    ahead = session.scalars(select(StandingEducator.educator_id).where(StandingEducator.computed_on > today)).all()
    if ahead:
        judged += projection.refresh(session, ahead, today, checkpoint=checkpoint)
    return judged


def count_candidates(session, today: date) -> int:
    """How many notices are due (the progress bar's length), the projection as it stands."""
    return sum(sources.count(session, source, today) for source in sources.EDUCATOR_SOURCES)


def record_due(session, today: date, *, checkpoint: Callable[[], None] = lambda: None, batch: int = BATCH,
               progress: Callable[[int], None] = lambda n: None, summary: Summary | None = None,
               caught_up: bool = False, channel: str | None = None) -> Summary:
    """Record every educator notice due on `today` that is not recorded yet (`channel`:
    None for the mail, LOG with no mail server: written to the log as committed)."""
    summary = summary or Summary()
    if not caught_up:
        bring_to(session, today, checkpoint)
        checkpoint()
    for source in sources.EDUCATOR_SOURCES:
        after, found, educators = None, [], set()
        while True:
            rows, after = sources.window(session, source, today, after)
            for row in rows:
                due = source.due(row, today)
                if due is not None:
                    found.append(notice_values(due, today, educator_id=row.educator_id, to_address=row.email,
                                               name=f"{row.first_name} {row.last_name}", channel=channel))
                    educators.add(row.educator_id)
            if found and (len(found) >= batch or after is None):
                inserted = record(session, today, found)
                summary.recorded += len(inserted)
                summary.educators += len(educators)
                checkpoint()
                logged(inserted, summary)
                progress(len(found))
                found, educators = [], set()
            if after is None:
                break
    return summary


def notice_values(due: Due, today: date, name: str | None = None, channel: str | None = None, **recipient) -> dict:
    payload = {**due.payload, "name": name} if name else due.payload
    return {"educator_id": None, "user_id": None, **recipient, "kind": due.kind, "cycle": due.cycle,
            "threshold": due.threshold, "as_of": today, "subject": due.subject[:300],
            "summary": due.summary[:1000], "payload": payload, "channel": channel}


def new_notice(due: Due, today: date, name: str | None = None, **recipient) -> Notice:
    return Notice(**notice_values(due, today, name, **recipient))


_LOGGED = ("kind", "to_address", "summary", "channel")


def record(session, today: date, values: list[dict]) -> list:
    """Insert these notices in one statement (one already recorded, by a run beside this
    one, is skipped), linked into the chain at the commit: the rows recorded (id, kind,
    to_address, summary, channel)."""
    now = utcnow()
    return bulk.insert_many(session, Notice.__table__, [{**v, "created_at": now} for v in values],
                            skip_conflicts=True, returning=_LOGGED)


def logged(inserted: list, summary: Summary) -> None:
    """The notices recorded for the log (committed): each written to the log, and counted as
    what became of it."""
    for notice in inserted:
        if notice.channel == LOG:
            summary.count(delivery.log_notice(notice))


def record_digests(session, today: date, at_risk: digest.AtRisk | None, summary: Summary,
                   channel: str | None = None, checkpoint: Callable[[], None] = lambda: None) -> None:
    """The staff digests due this week (the "at risk" section read from the projection),
    committed (`checkpoint`) before any is written to the log."""
    at_risk = at_risk if at_risk is not None else digest.AtRisk.on(session, today)
    inserted = []
    for user, due in digest.due_digests(session, today, at_risk):
        inserted += record(session, today, [notice_values(due, today, user_id=user.id, to_address=user.email,
                                                          channel=channel)])
    summary.digests += len(inserted)
    checkpoint()
    logged(inserted, summary)


def pending(session, after: int, limit: int) -> list:
    """Notices for the mail recorded with no final delivery yet (and fewer than MAX_ATTEMPTS failures):
    rows with the notice's columns as attributes (read as they are, not as ORM objects).
    `after` is written into the statement, not bound: the driver prepares a statement run
    five times, and PostgreSQL's generic plan for `id > $1` (a third of the table, it
    guesses) read the run's last pages ten to fifty times slower than a plan for the value."""
    after_ = bindparam("after", after, literal_execute=True)
    return session.execute(select(Notice.__table__).where(Notice.id > after_, Notice.channel.is_(None),
                                                          delivery.undelivered())
                           .order_by(Notice.id).limit(limit)).all()


def waiting(session) -> int:
    return session.scalar(select(func.count(Notice.id)).where(Notice.channel.is_(None), delivery.undelivered()))


def deliver(session, send: delivery.Sender, *, checkpoint: Callable[[], None] = lambda: None, batch: int = 200,
            progress: Callable[[int], None] = lambda n: None, summary: Summary | None = None) -> Summary:
    """Send every notice still undelivered and record what became of it. Over SMTP each
    outcome is committed as soon as the server has the mail, so a crash later loses at most
    the one in flight (sent again, with the same Message-ID, on the next run); otherwise
    (the log) a page's outcomes are one multi-row INSERT, committed with the page."""
    summary = summary or Summary()
    last = 0
    batch = batch if send.commit_each else max(batch, BATCH)
    while notices := pending(session, last, batch):
        outcomes = []
        for notice in notices:
            outcome, detail = send(notice)
            outcomes.append({"notice_id": notice.id, "outcome": outcome, "detail": detail and detail[:1000]})
            summary.count(outcome)
            if send.commit_each:
                _record_outcomes(session, outcomes)
                outcomes = []
                checkpoint()
            progress(1)
        _record_outcomes(session, outcomes)
        last = notices[-1].id
        checkpoint()
    return summary


def _record_outcomes(session, values: list[dict]) -> None:
    now = utcnow()
    bulk.insert_many(session, NoticeDelivery.__table__, [{**v, "at": now} for v in values])


def run(session, today: date, send: delivery.Sender, *, checkpoint: Callable[[], None] = lambda: None,
        batch: int = BATCH, progress: Callable[[int], None] = lambda n: None) -> Summary:
    """The daily job: bring the projection to the day, record what is due (educators,
    then the staff digests), then deliver what waits for the mail."""
    summary = record_due(session, today, checkpoint=checkpoint, batch=batch, progress=progress, channel=send.channel)
    record_digests(session, today, None, summary, send.channel, checkpoint)
    return deliver(session, send, checkpoint=checkpoint, summary=summary)
