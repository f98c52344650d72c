"""Where educator notices come from: the standing projection (ledger/standing/lists.py),
read the way the state office's lists read it, with the statuses judged from the stored
dates on the day asked, so nothing runs the engine here.

Each source is one SQL statement over `standing_cycles` or `standing_cards`, joined to
the educator and the state: each row one notice due on the day, in the columns of
`notices`, its words those of the pure rules (rules.py) written in SQL (words.py), the
notices already recorded left out by an anti-join on their unique key (and, for an
optional kind, the educators who turned those off). The job inserts a window of them in
one statement (service.record_due), so no row goes to Python and back. The projection
is walked in windows of its key (`windows`: a range of cycle ids, read on the key's
index, then the rows due among them), so each statement reads its window only and a
state is read once, whatever the planner thinks of the statuses. The tests hold what the
job records to what rules.py makes of the engine's standing, word for word.

The submissions' notices are not a source: a decision records its notice in its own
transaction (decisions.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Date, String, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..models import Educator, Notice, NoticeSetting, StandingCard, StandingCycle, State, utcnow
from ..models.base import Timestamp
from ..standing import lists
from . import words
from .rules import CYCLE_ENDING, GRACE_STARTED, KINDS, MAINTENANCE_DAYS, MAINTENANCE_SHORT, THRESHOLDS

C, K = StandingCycle, StandingCard
DAYS = timedelta


@dataclass(frozen=True)
class Source:
    name: str
    query: Callable[..., object]  # (dialect, day, bounds) -> SELECT of the notices due, not yet recorded
    key: object  # the projection's column the walk goes by (its primary key, or the key's first column)


def _text(dialect: str, column):
    return words.iso(dialect, column) if column.type.python_type is date else cast(column, String)


def cycle_key_expr(dialect: str):
    """rules.cycle_key in SQL: "CYCLE_ID@CYCLE_END"."""
    return _text(dialect, C.cycle_id) + literal("@") + _text(dialect, C.cycle_end)


def threshold_expr(day: date):
    """rules.due_threshold in SQL, for a cycle ending within the largest threshold: the
    smallest threshold at or above the days left."""
    steps = sorted(THRESHOLDS)
    return case(*((C.cycle_end <= day + DAYS(t), t) for t in steps[:-1]), else_=steps[-1])


def _not_recorded(kind, cycle, threshold, educator, optional: bool = False):
    recorded = ~exists().where(Notice.educator_id.is_not(None), Notice.educator_id == educator,
                               Notice.kind == kind, Notice.cycle == cycle, Notice.threshold == threshold)
    if not optional:
        return recorded
    return and_(recorded, ~exists().where(NoticeSetting.educator_id == educator, NoticeSetting.optional_off.is_(True)))


def _cycles(dialect: str, day: date, bounds: tuple = ()):
    """The current cycles with a deadline notice due: in progress (on or behind pace: not
    in grace, not lapsed) and ending within the largest threshold, whose threshold due is
    not recorded yet; or in their grace days, whose grace notice is not recorded yet. Each
    row the notice in the words of rules.cycle_ending or rules.grace_started.

    The candidates (`bounds`: the window's conditions on the projection) are read in a
    subquery the planner keeps apart (OFFSET 0), each row's status and spelled dates
    computed once there; the words are put together from them."""
    status = lists.read_status(dialect, day)
    candidates = (select(C.educator_id, C.license_type, C.left, C.grace_ends, C.cycle_end,
                         Educator.email, Educator.first_name, Educator.last_name, State.code.label("state"),
                         (status == "in_grace").label("grace"), (status == "behind_pace").label("behind"),
                         cycle_key_expr(dialect).label("cycle"),
                         words.long_date(dialect, C.cycle_end).label("end_long"),
                         words.long_date(dialect, C.grace_ends).label("grace_long"),
                         _text(dialect, C.cycle_end).label("end_iso"), _text(dialect, C.grace_ends).label("grace_iso"),
                         case((status == "in_grace", 0), else_=threshold_expr(day)).label("threshold"))
                  .join(Educator, Educator.id == C.educator_id).join(State, State.id == C.state_id)
                  .where(lists.current_on(day), C.fixed_status.is_(None), *bounds,
                         or_(and_(C.cycle_end.between(day, day + DAYS(max(THRESHOLDS))),
                                  status.in_(("on_pace", "behind_pace"))),
                             and_(status == "in_grace", C.grace_ends.is_not(None))))
                  .offset(0).subquery("due"))
    d = candidates.c
    kind = case((d.grace, literal(GRACE_STARTED.name)), else_=literal(CYCLE_ENDING.name))
    license, left = d.license_type, d.left
    subject = case((d.grace, words.text("Your ", license, " license is in its grace period")),
                   else_=words.text("Your ", license, " license: ", left, " still needed by ", d.end_long))
    summary = case((d.grace, words.text("Your ", license, " license's cycle ended short: earn ", left, " by ",
                                        d.grace_long, ", the last day of grace")),
                   else_=words.text("Earn ", left, " by ", d.end_long, " to renew your ", license, " license"))
    name = words.name(d)
    payload = case(
        (d.grace, words.json_object(dialect, license=license, left=left, deadline=d.grace_iso,
                                    cycle_end=d.end_iso, state=d.state, name=name)),
        else_=words.json_object(dialect, license=license, left=left, deadline=d.end_iso,
                                days_left=words.days_between(dialect, day, d.cycle_end),
                                behind=words.boolean(dialect, d.behind), state=d.state, name=name))
    return (select(d.educator_id, d.email.label("to_address"), kind.label("kind"), d.cycle.label("cycle"),
                   d.threshold.label("threshold"), subject.label("subject"), summary.label("summary"),
                   payload.label("payload"))
            .where(_not_recorded(kind, d.cycle, d.threshold, d.educator_id)))


def _maintenance(dialect: str, day: date, bounds: tuple = ()):
    """Held designations whose open maintenance period ends within 180 days, short of its
    count (a period met has no open period kept), not noticed yet for that period: the
    notice in the words of rules.maintenance_short."""
    key = cast(K.card_code, String) + literal("#") + _text(dialect, K.maintenance_number)
    noun = words.plural(K.maintenance_needed, "micro-credential", "micro-credentials")
    needed, end = words.number(K.maintenance_needed), words.long_date(dialect, K.maintenance_end)
    return (select(K.educator_id, Educator.email.label("to_address"),
                   literal(MAINTENANCE_SHORT.name).label("kind"), key.label("cycle"),
                   literal(MAINTENANCE_DAYS).label("threshold"),
                   words.text("Keep ", K.designation, ": ", needed, " more ", noun, " by ", end)
                   .label("subject"),
                   words.text("Earn ", needed, " more ", noun, " by ", end, " to keep ", K.designation)
                   .label("summary"),
                   words.json_object(dialect, designation=K.designation, card=K.card_code, needed=K.maintenance_needed,
                                     deadline=_text(dialect, K.maintenance_end), period=K.maintenance_number,
                                     name=words.name(Educator)).label("payload"))
            .join(Educator, Educator.id == K.educator_id)
            .where(K.designation.is_not(None), K.status == "active", K.maintenance_number.is_not(None), *bounds,
                   K.maintenance_end.between(day, day + DAYS(MAINTENANCE_DAYS)),
                   or_(K.lapses_on.is_(None), K.lapses_on > day),
                   _not_recorded(MAINTENANCE_SHORT.name, key, MAINTENANCE_DAYS, K.educator_id,
                                 KINDS[MAINTENANCE_SHORT.name].optional)))


EDUCATOR_SOURCES: list[Source] = [
    Source("deadlines", _cycles, C.cycle_id),
    Source(MAINTENANCE_SHORT.name, _maintenance, K.educator_id),
]


WINDOW = 10_000  # keys of the projection (cycles; educators for the cards) read at a time


def windows(session, day: date, size: int, channel: str | None, returning) -> Iterator:
    """The INSERT ... SELECT of each window of each source in turn, `returning` these of its
    notices, those recorded already skipped (`ON CONFLICT DO NOTHING`: a run beside this
    one). A window is a range of `size` values of the source's key (`cycle_id`, dense: a
    cycle's id; `educator_id` for the cards), from the smallest to the largest: each
    statement reads that range on the key's index, at most `size` keys, and finding the
    windows reads two values."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    now = utcnow()
    for source in EDUCATOR_SOURCES:
        low, high = session.execute(select(func.min(source.key), func.max(source.key))).one()
        if low is None:
            continue
        for start in range(low - 1, high, size):
            due = source.query(dialect, day, (source.key > start, source.key <= start + size))
            values = due.add_columns(literal(day, Date).label("as_of"), literal(now, Timestamp()).label("created_at"),
                                     literal(channel, String).label("channel"))
            yield (insert(Notice.__table__).from_select([c.name for c in values.selected_columns], values)
                   .on_conflict_do_nothing().returning(*returning))


def count(session, source: Source, day: date) -> int:
    stmt = source.query(session.get_bind().dialect.name, day).subquery()
    return session.scalar(select(func.count()).select_from(stmt)) or 0
