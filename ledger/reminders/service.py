"""The reminder job (CONTRACT.md section 8): find what is due, record it, then deliver
what is recorded and not yet delivered.

What is due is read from the standing projection (sources.py: SQL over
`standing_cycles` and `standing_cards`, the notices already recorded left out), after the
projection is brought to the day (`bring_to`): no engine runs here. Recording comes
first and is committed (`checkpoint`) window by window, each window of the projection
one INSERT ... SELECT (the notices' words written in SQL, sources.py), linked into the
hash chain at its commit, so a crash between recording and sending
leaves notices without a final delivery, and the next run sends exactly those. With no
mail server (`delivery.LogSender`) the notices are recorded for the log
(`channel = 'log'`) and each window written to the log once it is committed: nothing is
sent, so no delivery is recorded and nothing is read back to deliver. A
notice's key is unique in the database (a conflict is skipped), so a second run, or two
at once, record nothing twice. The projection is read in windows of its primary key
(`sources.WINDOW` cycles, at most as many notices each): memory stays flat however large
the state, and a run stopped part-way is resumed by running it again.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Engine, bindparam, func, select
from sqlalchemy.orm import Session

from ..integrity import chain, sqldigest
from ..models import Notice, NoticeDelivery, StandingEducator, utcnow
from ..models.notices import LOG
from ..standing import projection
from . import bulk, delivery, digest, sources
from .rules import Due

BATCH = 1000  # notices delivered (logged) per committed page
WORKERS = 2  # windows the daily job records at once (PostgreSQL)


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


def record_due(session, today: date, *, checkpoint: Callable[[], None] = lambda: None,
               batch: int = sources.WINDOW, progress: Callable[[int], None] = lambda n: None,
               summary: Summary | None = None, caught_up: bool = False, channel: str | None = None,
               workers: int = 1) -> Summary:
    """Record every educator notice due on `today` that is not recorded yet, `batch` cycles
    of the projection at a time (at most as many notices), each window one INSERT ... SELECT
    committed (`checkpoint`) before its notices are counted and, with `channel` LOG (no
    mail server), written to the log. `workers` > 1 (PostgreSQL): that many windows in
    flight at once, each in a session of its own, committed as it is done (the database
    works on one while this process digests another for the chain)."""
    summary = summary or Summary()
    if not caught_up:
        bring_to(session, today, checkpoint)
        checkpoint()

    def done(inserted: list) -> None:
        summary.recorded += len(inserted)
        summary.educators += len({row.educator_id for row in inserted})
        logged(inserted, summary)
        progress(len(inserted))

    bind = session.get_bind()
    windows = sources.windows(session, today, batch, channel, _returning(bind.dialect.name))
    if workers > 1 and isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        _in_parallel(bind, windows, workers, done)  # (a session bound to a caller's connection: one at a time)
        return summary
    for stmt in windows:
        inserted = _insert(session, stmt)
        if inserted:
            checkpoint()
            done(inserted)
    return summary


def _returning(dialect: str) -> list:
    """What a window's INSERT returns: on PostgreSQL what the log needs and each row's chain
    digest's text spelled by the database (integrity/sqldigest.py); elsewhere every column,
    the row as stored, digested here. Either way nothing is read back to link it."""
    table = Notice.__table__
    canonical = sqldigest.canonical(table, verbatim=("payload",)) if dialect == "postgresql" else None
    if canonical is None:
        return list(table.c)
    return [*(table.c[name] for name in ("id", "educator_id", *_LOGGED)), canonical.label("canonical")]


def _insert(session, stmt) -> list:
    """One window's notices inserted, joining the chain as the INSERT returned them."""
    inserted = session.execute(stmt).all()
    if inserted and "canonical" in inserted[0]._fields:
        chain.track_digests(session, Notice.__tablename__,
                            [(row.id, sqldigest.digest(row.canonical)) for row in inserted])
    elif inserted:
        chain.track_stored(session, Notice.__table__, inserted)
    return inserted


def _in_parallel(engine, windows, workers: int, done: Callable[[list], None]) -> None:
    """Each window in a session of its own on a pool of `workers` threads, at most that
    many in flight (memory stays flat), `done` called here, in window order, after each
    commits. The chain's append lock orders the commits; a failure stops the run (what
    committed stays recorded, and is told to `done`: the next run goes on from there)."""
    def one(stmt) -> list:
        with Session(engine) as session:
            inserted = _insert(session, stmt)
            session.commit()
            return inserted

    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reminders") as pool:
        flight: deque = deque()
        try:
            for stmt in windows:
                flight.append(pool.submit(one, stmt))
                if len(flight) >= workers:
                    done(flight.popleft().result())
            while flight:
                done(flight.popleft().result())
        except BaseException:
            for future in flight:  # the windows beside the one that failed: what committed is told
                if future.exception() is None:
                    done(future.result())
            raise


def notice_values(due: Due, today: date, name: str | None = None, channel: str | None = None, **recipient) -> dict:
    payload = {**due.payload, "name": name} if name else due.payload
    return {"educator_id": None, "user_id": None, **recipient, "kind": due.kind, "cycle": due.cycle,
            "threshold": due.threshold, "as_of": today, "subject": due.subject[:300],
            "summary": due.summary[:1000], "payload": payload, "channel": channel}


def new_notice(due: Due, today: date, name: str | None = None, **recipient) -> Notice:
    return Notice(**notice_values(due, today, name, **recipient))


_LOGGED = ("kind", "to_address", "summary", "channel")  # what writing a notice to the log needs


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
        batch: int = sources.WINDOW, progress: Callable[[int], None] = lambda n: None,
        workers: int = WORKERS) -> Summary:
    """The daily job: bring the projection to the day, record what is due (educators,
    then the staff digests), then deliver what waits for the mail."""
    summary = record_due(session, today, checkpoint=checkpoint, batch=batch, progress=progress, channel=send.channel,
                         workers=workers)
    record_digests(session, today, None, summary, send.channel, checkpoint)
    return deliver(session, send, checkpoint=checkpoint, summary=summary)
