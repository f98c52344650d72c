"""Where educator notices come from: the standing projection (ledger/standing/lists.py),
read the way the state office's lists read it, with the statuses judged from the stored
dates on the day asked, so nothing runs the engine here.

Each source is one SQL statement over `standing_cycles` or `standing_cards`, joined to
the educator and the state: each row one notice due on the day, the notices already
recorded left out by an anti-join on their unique key (and, for an optional kind, the
educators who turned those off). The projection is walked in windows of its primary key
(`window`: the next so many rows of the table, found on its index, then the rows due
among them), so each statement reads its window only and a state is read once, whatever
the planner thinks of the statuses.
The pure rules (rules.py) turn a row into words; the same rules turn the engine's
standing into words in the tests, which hold the two to the same notices.

The submissions' notices are not a source: a decision records its notice in its own
transaction (decisions.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import String, and_, case, cast, exists, func, literal, or_, select, tuple_

from ..models import Educator, Notice, NoticeSetting, StandingCard, StandingCycle, State
from ..standing import lists
from .rules import (
    CYCLE_ENDING,
    GRACE_STARTED,
    KINDS,
    MAINTENANCE_DAYS,
    MAINTENANCE_SHORT,
    THRESHOLDS,
    Due,
    cycle_ending,
    grace_started,
    maintenance_short,
)

C, K = StandingCycle, StandingCard
DAYS = timedelta


@dataclass(frozen=True)
class Source:
    name: str
    query: Callable[[str, date], object]  # (dialect, day) -> SELECT of the rows due, not yet recorded
    key: tuple  # the projection table's primary key: the walk's order
    due: Callable[[object, date], Due | None]  # a row -> its notice


def _text(dialect: str, column):
    if dialect == "postgresql" and column.type.python_type is date:
        return func.to_char(column, "YYYY-MM-DD")
    return cast(column, String)


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


def _cycles(dialect: str, day: date):
    """The current cycles with a deadline notice due: in progress (on or behind pace: not
    in grace, not lapsed) and ending within the largest threshold, whose threshold due is
    not recorded yet; or in their grace days, whose grace notice is not recorded yet."""
    status = lists.status_expr(dialect, day)
    grace = status == "in_grace"
    ending = and_(C.cycle_end.between(day, day + DAYS(max(THRESHOLDS))), status.in_(("on_pace", "behind_pace")))
    kind = case((grace, literal(GRACE_STARTED.name)), else_=literal(CYCLE_ENDING.name))
    threshold = case((grace, literal(0)), else_=threshold_expr(day))
    return (select(C.cycle_id, C.educator_id, C.license_type, C.cycle_end, C.grace_ends, C.left,
                   status.label("status"), State.code.label("state"), Educator.email, Educator.first_name,
                   Educator.last_name)
            .join(Educator, Educator.id == C.educator_id).join(State, State.id == C.state_id)
            .where(lists.current_on(day), C.fixed_status.is_(None),
                   or_(ending, and_(grace, C.grace_ends.is_not(None))),
                   _not_recorded(kind, cycle_key_expr(dialect), threshold, C.educator_id)))


def _cycle_due(row, day: date) -> Due | None:
    if row.status == "in_grace":
        return grace_started(row.license_type, row.left, row.cycle_id, row.cycle_end, row.grace_ends, row.state)
    return cycle_ending(row.license_type, row.left, row.cycle_id, row.cycle_end, day,
                        row.status == "behind_pace", row.state)


def _maintenance(dialect: str, day: date):
    """Held designations whose open maintenance period ends within 180 days, short of its
    count (a period met has no open period kept), not noticed yet for that period."""
    key = cast(K.card_code, String) + literal("#") + _text(dialect, K.maintenance_number)
    return (select(K.educator_id, K.card_code, K.designation, K.maintenance_number, K.maintenance_end,
                   K.maintenance_needed, Educator.email, Educator.first_name, Educator.last_name)
            .join(Educator, Educator.id == K.educator_id)
            .where(K.designation.is_not(None), K.status == "active", K.maintenance_number.is_not(None),
                   K.maintenance_end.between(day, day + DAYS(MAINTENANCE_DAYS)),
                   or_(K.lapses_on.is_(None), K.lapses_on > day),
                   _not_recorded(MAINTENANCE_SHORT.name, key, MAINTENANCE_DAYS, K.educator_id,
                                 KINDS[MAINTENANCE_SHORT.name].optional)))


def _maintenance_due(row, day: date) -> Due | None:
    return maintenance_short(row.designation, row.card_code, row.maintenance_number, row.maintenance_needed,
                             row.maintenance_end, day)


EDUCATOR_SOURCES: list[Source] = [
    Source("deadlines", _cycles, (C.cycle_id,), _cycle_due),
    Source(MAINTENANCE_SHORT.name, _maintenance, (K.educator_id, K.card_code), _maintenance_due),
]


def _after(key: tuple, value: tuple):
    return key[0] > value[0] if len(key) == 1 else tuple_(*key) > tuple_(*value)


def _upto(key: tuple, value: tuple):
    return key[0] <= value[0] if len(key) == 1 else tuple_(*key) <= tuple_(*value)


WINDOW = 10_000  # rows of the projection read at a time


def window(session, source: Source, day: date, after: tuple | None, size: int = WINDOW
           ) -> tuple[list, tuple | None]:
    """(the rows due among the next `size` rows of the projection's table after the key
    `after`, in key order; the key to go on after, None when this was the last window)."""
    key = source.key
    bound = select(*key).order_by(*key).offset(size - 1).limit(1)
    if after is not None:
        bound = bound.where(_after(key, after))
    last = session.execute(bound).first()
    stmt = source.query(session.get_bind().dialect.name, day)
    if after is not None:
        stmt = stmt.where(_after(key, after))
    if last is not None:
        stmt = stmt.where(_upto(key, tuple(last)))
    return session.execute(stmt.order_by(*key)).all(), (tuple(last) if last is not None else None)


def count(session, source: Source, day: date) -> int:
    stmt = source.query(session.get_bind().dialect.name, day).subquery()
    return session.scalar(select(func.count()).select_from(stmt)) or 0
