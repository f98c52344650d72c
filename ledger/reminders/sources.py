"""Where educator notices come from: the standing projection (ledger/standing/lists.py),
read the way the state office's lists read it, with the statuses judged from the stored
dates on the day asked, so nothing runs the engine here.

Each source is one SQL statement over `standing_cycles` or `standing_cards`, joined to
the educator and the state: each row one notice due on the day, the notices already
recorded left out by an anti-join on their unique key (and, for an optional kind, the
educators who turned those off), read in keyset pages over the projection's primary key.
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
    kind: str
    query: Callable[[str, date], object]  # (dialect, day) -> SELECT of the rows due, not yet recorded
    key: tuple  # the statement's columns that order it uniquely (the keyset)
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


def _not_recorded(kind: str, cycle, threshold, educator):
    recorded = ~exists().where(Notice.educator_id.is_not(None), Notice.educator_id == educator,
                               Notice.kind == kind, Notice.cycle == cycle, Notice.threshold == threshold)
    if not KINDS[kind].optional:
        return recorded
    return and_(recorded, ~exists().where(NoticeSetting.educator_id == educator, NoticeSetting.optional_off.is_(True)))


def _cycles(dialect: str, day: date, where):
    status = lists.status_expr(dialect, day)
    return (select(C.cycle_id, C.educator_id, C.license_type, C.cycle_end, C.grace_ends, C.left,
                   status.label("status"), State.code.label("state"), Educator.email, Educator.first_name,
                   Educator.last_name)
            .join(Educator, Educator.id == C.educator_id).join(State, State.id == C.state_id)
            .where(lists.current_on(day), C.fixed_status.is_(None), *where(status))), status


def _ending(dialect: str, day: date):
    """Cycles in progress (on or behind pace: not in grace, not lapsed) ending within the
    largest threshold, whose threshold due is not recorded yet."""
    stmt, _ = _cycles(dialect, day, lambda status: (
        C.cycle_end.between(day, day + DAYS(max(THRESHOLDS))), status.in_(("on_pace", "behind_pace")),
        _not_recorded(CYCLE_ENDING.name, cycle_key_expr(dialect), threshold_expr(day), C.educator_id)))
    return stmt


def _ending_due(row, day: date) -> Due | None:
    return cycle_ending(row.license_type, row.left, row.cycle_id, row.cycle_end, day,
                        row.status == "behind_pace", row.state)


def _grace(dialect: str, day: date):
    """Cycles in their grace days whose grace notice is not recorded yet."""
    stmt, _ = _cycles(dialect, day, lambda status: (
        status == "in_grace", C.grace_ends.is_not(None),
        _not_recorded(GRACE_STARTED.name, cycle_key_expr(dialect), 0, C.educator_id)))
    return stmt


def _grace_due(row, day: date) -> Due:
    return grace_started(row.license_type, row.left, row.cycle_id, row.cycle_end, row.grace_ends, row.state)


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
                   _not_recorded(MAINTENANCE_SHORT.name, key, MAINTENANCE_DAYS, K.educator_id)))


def _maintenance_due(row, day: date) -> Due | None:
    return maintenance_short(row.designation, row.card_code, row.maintenance_number, row.maintenance_needed,
                             row.maintenance_end, day)


EDUCATOR_SOURCES: list[Source] = [
    Source(CYCLE_ENDING.name, _ending, ("cycle_id",), _ending_due),
    Source(GRACE_STARTED.name, _grace, ("cycle_id",), _grace_due),
    Source(MAINTENANCE_SHORT.name, _maintenance, ("educator_id", "card_code"), _maintenance_due),
]


def page(session, source: Source, day: date, after: tuple | None, limit: int) -> list:
    """The next `limit` rows due of `source` after the keyset value `after`."""
    stmt = source.query(session.get_bind().dialect.name, day).subquery()
    key = [stmt.c[name] for name in source.key]
    q = select(stmt)
    if after is not None:
        q = q.where(key[0] > after[0] if len(key) == 1 else tuple_(*key) > tuple_(*after))
    return session.execute(q.order_by(*key).limit(limit)).all()


def key_of(source: Source, row) -> tuple:
    return tuple(getattr(row, name) for name in source.key)


def count(session, source: Source, day: date) -> int:
    stmt = source.query(session.get_bind().dialect.name, day).subquery()
    return session.scalar(select(func.count()).select_from(stmt)) or 0
