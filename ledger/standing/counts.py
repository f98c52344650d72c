"""A state's status counts, kept by difference (`standing_counts`), and the stored statuses
settled as days pass.

Each projected cycle stores the status a list shows with the days it holds (status.py).
The counts are the sums of those stored statuses: each projection of a batch of educators
(projection.py) and each settlement below moves them by the difference its rows make,
under the projector's lock, so they always equal a count over the stored column. On a
day some stored statuses no longer hold (a cycle entered grace overnight): `read` counts
the educators owning such rows again with the SQL expression and swaps their part, an
indexed look at a few rows, so the overview is right before anything is stored.
`settle`, run by the daily job and by pages when few rows are due, stores the new
statuses so that look stays small."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date

from sqlalchemy import and_, bindparam, case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..integrity import chain
from ..models import StandingCount, StandingCycle
from . import status as judge
from .lists import STATUSES, current_on, status_expr, valid

C = StandingCycle
EDUCATORS = "educators"
SETTLE_INLINE = 2000  # a page settles at most this many rows itself; the daily job settles any number


def contributions(rows: Iterable) -> Counter:
    """(state id, key) -> what these rows (mappings with state_id, educator_id, status)
    add to the counts: one a status, one an educator with any."""
    out: Counter = Counter()
    educators = set()
    for row in rows:
        if row["status"] is not None:
            out[(row["state_id"], row["status"])] += 1
            educators.add((row["state_id"], row["educator_id"]))
    for state_id, _ in educators:
        out[(state_id, EDUCATORS)] += 1
    return out


def stored(connection, educator_ids: list[int]) -> Counter:
    """What these educators' stored rows add to the counts now."""
    return contributions(r._mapping for r in connection.execute(
        select(C.state_id, C.educator_id, C.status).where(C.educator_id.in_(educator_ids), C.status.is_not(None))))


def move(connection, change: Counter) -> None:
    """Add `change` to the counts (one upsert; the caller holds the projector's lock)."""
    rows = [{"state_id": s, "key": k, "count": n} for (s, k), n in sorted(change.items()) if n]
    if not rows:
        return
    T = StandingCount.__table__
    insert = postgresql.insert(T) if connection.dialect.name == "postgresql" else sqlite.insert(T)
    connection.execute(insert.on_conflict_do_update(index_elements=[T.c.state_id, T.c.key],
                                                    set_={"count": T.c.count + insert.excluded.count}), rows)


def read(session, state_id: int, day: date) -> dict[str, int]:
    """How many current cycles of the state have each status on `day` (every status
    named), how many in all ("licenses") and how many educators hold them: the kept sums,
    with the part of each educator who owns a row whose stored status no longer holds on
    `day` counted again from the dates."""
    out = Counter({k: n for k, n in session.execute(
        select(StandingCount.key, StandingCount.count).where(StandingCount.state_id == state_id))})
    due = select(C.educator_id).where(C.state_id == state_id, or_(C.status_on > day, C.status_until <= day))
    mine = and_(C.state_id == state_id, C.educator_id.in_(due))
    for key, n in session.execute(select(C.status, func.count()).where(mine, C.status.is_not(None))
                                  .group_by(C.status)):
        out[key] -= n
    out[EDUCATORS] -= session.scalar(select(func.count(func.distinct(C.educator_id)))
                                     .where(mine, C.status.is_not(None))) or 0
    live = and_(mine, current_on(day))
    listed = case((valid(day), C.status), else_=status_expr(session.get_bind().dialect.name, day))
    for key, n in session.execute(select(listed, func.count()).where(live).group_by(listed)):
        out[key] += n
    out[EDUCATORS] += session.scalar(select(func.count(func.distinct(C.educator_id))).where(live)) or 0
    counts = {key: out[key] for key in STATUSES}
    return {**counts, "licenses": sum(counts.values()), EDUCATORS: out[EDUCATORS]}


def settle(session, day: date, state_id: int | None = None, limit: int | None = None) -> int:
    """Store the status of every row whose stored one no longer holds on `day` (and move
    the counts); nothing when more than `limit` are due (the daily job settles them). How
    many rows were stored."""
    connection = session.connection()
    stmt = select(C.educator_id).where(C.status_until <= day)
    if state_id is not None:
        stmt = stmt.where(C.state_id == state_id)
    if limit is not None:
        n = session.scalar(select(func.count()).select_from(stmt.subquery()))
        if not n or n > limit:
            return 0
    ids = sorted(set(session.scalars(stmt)))
    stored_rows = 0
    for start in range(0, len(ids), 5000):
        stored_rows += _settle_batch(session, connection, ids[start:start + 5000], day)
    return stored_rows


def _settle_batch(session, connection, ids: list[int], day: date) -> int:
    chain.lock(connection)  # the projector's lock: the counts move with the rows
    rows = [dict(r._mapping) for r in connection.execute(select(C.__table__).where(C.educator_id.in_(ids)))]
    before = contributions(rows)
    changed = []
    for row in rows:
        if row["status_until"] is not None and row["status_until"] <= day and row["status_on"] <= day:
            row.update(judge.judged(row, day))
            changed.append({"id": row["cycle_id"], "s": row["status"], "on": day, "until": row["status_until"]})
    if changed:
        T = C.__table__
        connection.execute(update(T).where(T.c.cycle_id == bindparam("id"))
                           .values(status=bindparam("s"), status_on=bindparam("on"), status_until=bindparam("until")),
                           changed)
        change = contributions(rows)
        change.subtract(before)
        move(connection, change)
    return len(changed)


def recount(session, state_id: int | None = None) -> None:
    """The kept sums counted again from the stored rows (after a refresh of a whole state,
    which mends counts a failure or a hand left wrong)."""
    connection = session.connection()
    chain.lock(connection)
    T = StandingCount.__table__
    stmt = select(C.state_id, C.educator_id, C.status).where(C.status.is_not(None))
    wipe = T.delete()
    if state_id is not None:
        stmt, wipe = stmt.where(C.state_id == state_id), wipe.where(T.c.state_id == state_id)
    connection.execute(wipe)
    move(connection, contributions(r._mapping for r in connection.execute(stmt)))


def differences(session, state_id: int, day: date) -> list[str]:
    """Where the counts `read` gives differ from counting every row's status from its
    dates (what the kept sums stand for)."""
    status = status_expr(session.get_bind().dialect.name, day)
    current = and_(C.state_id == state_id, current_on(day))
    want = Counter({k: n for k, n in session.execute(select(status, func.count()).where(current).group_by(status))})
    want[EDUCATORS] = session.scalar(select(func.count(func.distinct(C.educator_id))).where(current)) or 0
    have = read(session, state_id, day)
    have.pop("licenses")  # their sum
    return [f"state {state_id} {key}: rows {want.get(key, 0)}, kept {have.get(key, 0)}"
            for key in sorted(set(want) | set(have)) if want.get(key, 0) != have.get(key, 0)]
