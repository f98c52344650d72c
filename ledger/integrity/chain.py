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
theirs with `track`, or with their digests when the statement returned the rows as stored
(`track_stored`, `track_digests`: the reminder job's notices), so they are not read back.
A commit that wrote thousands of rows (an import) links them in batches: read back 5,000
at a time, digested through fast paths that give the definition's bytes (`canonical`),
the links written by COPY on PostgreSQL.

The digest leaves out columns that are NULL, so a nullable column added by a later
migration leaves the digests of the rows already linked as they were. A migration that
fills a new column on old rows, or changes how a column is stored, must link them anew.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import Table, any_, bindparam, event, insert, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..models import CHAINED_TABLES, ChainLink, db

GENESIS = "0" * 64  # the hash before the first link
PENDING = "ledger_chain_pending"  # session.info: {table: {ids written, not yet linked}}
KNOWN = "ledger_chain_known"  # session.info: {table: {id: digest}} of rows as their writer got them back
LOCK_KEY = 7_316_851_243  # PostgreSQL advisory lock: one appender at a time
BATCH = 5000


def _sha256(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def _general(value):
    """canonical() for any value: the definition. The fast paths below give the same
    answer for the exact types they know (tests/unit/test_chain.py holds them to it)."""
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


def _utc(value: datetime) -> str:
    if value.tzinfo is None:  # SQLite keeps UTC without a zone
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="microseconds")


_AS_IS = frozenset({str, int, float, bool, type(None)})
_EXACT = {  # the types drivers return, by exact type; anything else (a subclass) goes to _general
    Decimal: lambda v: format(v.normalize(), "f"),
    datetime: _utc,
    date: date.isoformat,
    dict: lambda v: {str(k): canonical(x) for k, x in v.items()},
    list: lambda v: [canonical(x) for x in v],
}


def canonical(value):
    """One spelling for a stored value, whichever engine or driver read it."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    exact = _EXACT.get(kind)
    return exact(value) if exact is not None else _general(value)


# json.dumps(..., sort_keys=True, separators=(",", ":"), ensure_ascii=True) builds this
# encoder anew on every call; one made once encodes byte for byte the same.
_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode


def values_digest(table: str, names: Sequence[str], values: Iterable) -> str:
    """row_digest of a row given as its column names and values, in the same order."""
    content = {name: canonical(value) for name, value in zip(names, values, strict=True) if value is not None}
    return hashlib.sha256(_encode([table, content]).encode("utf-8")).hexdigest()


def row_digest(table: str, row: Mapping) -> str:
    """The SHA-256 of one stored row: its table and every column that is not NULL."""
    return values_digest(table, tuple(row.keys()), row.values())


def link_hash(previous: str, seq: int, table: str, record_id: int, digest: str) -> str:
    return _sha256(f"{previous}|{seq}|{table}|{record_id}|{digest}")


def chained_tables() -> dict[str, Table]:
    return {name: db.metadata.tables[name] for name in CHAINED_TABLES}


def _stored(connection, table: Table, ids: Iterable[int]) -> Iterator:
    """The rows with these ids, as stored, in id order: one result per batch of ids.
    PostgreSQL is sent each batch as one array (`id = ANY(...)`), not a placeholder per id."""
    ids = sorted(set(ids))
    postgres = connection.dialect.name == "postgresql"
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        where = (table.c.id == any_(bindparam("ids", chunk, type_=ARRAY(table.c.id.type))) if postgres
                 else table.c.id.in_(chunk))
        yield connection.execute(select(table).where(where).order_by(table.c.id))


def stored_digests(connection, name: str, table: Table, ids: Iterable[int]) -> Iterator[tuple[int, str]]:
    """(id, row_digest) of the rows with these ids, as stored, in id order: what a link
    records (append) and what verify-ledger recomputes, read and digested the same way."""
    for result in _stored(connection, table, ids):
        names = tuple(result.keys())
        at = names.index("id")
        for values in result.all():
            yield values[at], values_digest(name, names, values)


def track(session, table: str, ids: Iterable[int]) -> None:
    """These rows of `table`, written without the ORM, join the chain when the
    transaction commits."""
    session.info.setdefault(PENDING, {}).setdefault(table, set()).update(ids)


def track_stored(session, table: Table, rows: Iterable) -> None:
    """These rows of `table`, as the statement that wrote them returned them (`RETURNING`
    every column: the row as stored, and chained tables are append-only), join the chain
    when the transaction commits, digested now and not read back."""
    names, rows = tuple(table.c.keys()), list(rows)
    if rows and tuple(rows[0]._fields) != names:
        raise ValueError(f"track_stored: a row of {table.name} needs every column, in order, got {rows[0]._fields}")
    track_digests(session, table.name, [(row.id, values_digest(table.name, names, row)) for row in rows])


def track_digests(session, table: str, rows: Iterable[tuple[int, str | None]]) -> None:
    """These rows of `table`, (id, digest) of each as the statement that wrote it returned
    it (track_stored, integrity/sqldigest.py; None where it could not be spelled exactly:
    read back at the commit), join the chain when the transaction commits."""
    rows = list(rows)
    known = session.info.setdefault(KNOWN, {}).setdefault(table, {})
    known.update((record_id, digest) for record_id, digest in rows if digest is not None)
    track(session, table, [record_id for record_id, _ in rows])


def _digests(connection, name: str, table: Table, ids: Iterable[int], known: Mapping[int, str]) -> Iterator:
    """(id, digest) in id order: those the writer gave (`known`), the others read back."""
    if not known:
        yield from stored_digests(connection, name, table, ids)
        return
    ids = set(ids)
    read = dict(stored_digests(connection, name, table, ids - known.keys()))
    for record_id in sorted(ids):
        yield record_id, known[record_id] if record_id in known else read[record_id]


def head(connection) -> tuple[int, str]:
    """(seq, hash) of the chain's last link; (0, GENESIS) when there is none."""
    row = connection.execute(select(ChainLink.seq, ChainLink.hash).order_by(ChainLink.seq.desc()).limit(1)).first()
    return (row.seq, row.hash) if row else (0, GENESIS)


def append(connection, tables: Mapping[str, Table], pending: Mapping[str, Iterable[int]],
           known: Mapping[str, Mapping[int, str]] | None = None) -> int:
    """Link these rows, read back as stored (or digested as their writer got them back,
    `known`), after the chain's head; how many were linked. The caller holds the append
    lock (`lock`) to its commit."""
    seq, previous = head(connection)
    first, links = seq, []
    known = known or {}
    for name, table in tables.items():
        for record_id, digest in _digests(connection, name, table, pending.get(name, ()), known.get(name, {})):
            seq += 1
            previous = link_hash(previous, seq, name, record_id, digest)
            links.append((seq, name, record_id, digest, previous))
            if len(links) == BATCH:
                _insert_links(connection, links)
                links = []
    if links:
        _insert_links(connection, links)
    return seq - first


_LINK_COLUMNS = ("seq", "record_type", "record_id", "digest", "hash")
_COPY_LINKS = f"COPY chain_links ({', '.join(_LINK_COLUMNS)}) FROM STDIN"


def _insert_links(connection, links: list[tuple]) -> None:
    """PostgreSQL: COPY, in the transaction (the driver formats the rows in C; an INSERT
    binding five values per link, or five arrays, spent twice as long in the driver);
    SQLite: the driver's executemany of one prepared INSERT."""
    if connection.dialect.name != "postgresql":
        connection.execute(insert(ChainLink.__table__), [dict(zip(_LINK_COLUMNS, link, strict=True)) for link in links])
        return
    import psycopg

    try:
        with connection.connection.driver_connection.cursor() as cursor, cursor.copy(_COPY_LINKS) as copy:
            for link in links:
                copy.write_row(link)
    except psycopg.Error as exc:  # raised as SQLAlchemy raises a failed statement
        raise DBAPIError.instance(_COPY_LINKS, None, exc, psycopg.Error) from exc


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
    known = session.info.pop(KNOWN, None)
    if pending:
        connection = session.connection()
        lock(connection)
        append(connection, chained_tables(), pending, known)


@event.listens_for(Session, "after_transaction_end")
def _forget(session, transaction) -> None:
    if transaction.parent is None:  # committed (linked) or rolled back: nothing is pending
        session.info.pop(PENDING, None)
        session.info.pop(KNOWN, None)
