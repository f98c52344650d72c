"""The hash chain over the history. Every row of a history table (`CHAINED_TABLES`: rulebook
versions, licenses, entries, voids, salary runs and their rows, transcripts and their
revocations, audit events) is one link: the link keeps the row's digest (of every column
as stored, the PDF's bytes included) and a hash covering that digest, the link's place
and the previous link's hash. A row changed, removed or slipped in behind the
application's back, or a chain rewritten from some link on, no longer agrees with it, and
`verify-ledger` (verify.py) names the first place where.

Links are written in the same transaction as their rows, at its commit (`before_commit`):
the rows the transaction wrote are read back as stored, and appended after the chain's
head, one committing transaction at a time (PostgreSQL: an advisory lock held to the
commit; SQLite: the one write lock a writing transaction already holds). Rows the ORM
inserts are noticed on flush; bulk writes (imports' INSERT ... RETURNING and COPY) name
theirs with `track`.

The digest leaves out columns that are NULL, so a nullable column added by a later
migration leaves the digests of the rows already linked as they were. A migration that
fills a new column on old rows, or changes how a column is stored, must link them anew.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import Table, event, insert, select, text
from sqlalchemy.orm import Session

from ..models import CHAINED_TABLES, ChainLink, db

GENESIS = "0" * 64  # the hash before the first link
PENDING = "ledger_chain_pending"  # session.info: {table: {ids written, not yet linked}}
LOCK_KEY = 7_316_851_243  # PostgreSQL advisory lock: one appender at a time
BATCH = 5000


def _sha256(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def canonical(value):
    """One spelling for a stored value, whichever engine or driver read it."""
    if isinstance(value, bool) or isinstance(value, int | str | float) or value is None:
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        if value.tzinfo is None:  # SQLite keeps UTC without a zone
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    raise TypeError(f"no canonical form for {type(value).__name__}")


def row_digest(table: str, row: Mapping) -> str:
    """The SHA-256 of one stored row: its table and every column that is not NULL."""
    content = {name: canonical(value) for name, value in row.items() if value is not None}
    return _sha256(json.dumps([table, content], sort_keys=True, separators=(",", ":"), ensure_ascii=True))


def link_hash(previous: str, seq: int, table: str, record_id: int, digest: str) -> str:
    return _sha256(f"{previous}|{seq}|{table}|{record_id}|{digest}")


def chained_tables() -> dict[str, Table]:
    return {name: db.metadata.tables[name] for name in CHAINED_TABLES}


def stored_rows(connection, table: Table, ids: Iterable[int]) -> Iterator[Mapping]:
    """The rows with these ids, as stored, in id order (ids that are not there are not)."""
    ids = sorted(set(ids))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        yield from (r._mapping for r in connection.execute(
            select(table).where(table.c.id.in_(chunk)).order_by(table.c.id)))


def track(session, table: str, ids: Iterable[int]) -> None:
    """These rows of `table`, written without the ORM, join the chain when the
    transaction commits."""
    session.info.setdefault(PENDING, {}).setdefault(table, set()).update(ids)


def head(connection) -> tuple[int, str]:
    """(seq, hash) of the chain's last link; (0, GENESIS) when there is none."""
    row = connection.execute(select(ChainLink.seq, ChainLink.hash).order_by(ChainLink.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def append(connection, tables: Mapping[str, Table], pending: Mapping[str, Iterable[int]]) -> int:
    """Link these rows, read back as stored, after the chain's head; how many were linked.
    The caller holds the append lock (`lock`) to its commit."""
    seq, previous = head(connection)
    first, links = seq, []
    for name, table in tables.items():
        for row in stored_rows(connection, table, pending.get(name, ())):
            seq += 1
            digest = row_digest(name, row)
            previous = link_hash(previous, seq, name, row["id"], digest)
            links.append({"seq": seq, "record_type": name, "record_id": row["id"], "digest": digest,
                          "hash": previous})
            if len(links) == BATCH:
                connection.execute(insert(ChainLink.__table__), links)
                links = []
    if links:
        connection.execute(insert(ChainLink.__table__), links)
    return seq - first


def lock(connection) -> None:
    """One appender at a time, to the end of the transaction. SQLite: a transaction that
    wrote holds the database's one write lock already; take it if it did not."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    elif not connection.connection.driver_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


# -- the session hooks: every commit links what its transaction wrote

@event.listens_for(Session, "after_flush")
def _notice(session, _context) -> None:
    for obj in session.new:
        name = getattr(obj, "__tablename__", None)
        if name in CHAINED_TABLES:
            track(session, name, [obj.id])


@event.listens_for(Session, "before_commit")
def _link(session) -> None:
    session.flush()
    pending = session.info.pop(PENDING, None)
    if pending:
        connection = session.connection()
        lock(connection)
        append(connection, chained_tables(), pending)


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction) -> None:
    if transaction.parent is None:  # committed (linked) or rolled back: nothing is pending
        session.info.pop(PENDING, None)
