"""The declarative base, the shared column types and the write-lock helpers."""

from __future__ import annotations

from datetime import datetime, timezone

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    DateTime,
    MetaData,
    Numeric,
    select,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def _sqlite_write_lock(session) -> bool:
    """On SQLite, open the transaction with its one write lock (BEGIN IMMEDIATE) unless one
    is open: a second writer then waits its turn (busy_timeout) instead of failing.
    Whether the database is SQLite."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    if not session.connection().connection.driver_connection.in_transaction:
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    return True


def savepoint(session):
    """A SAVEPOINT inside the caller's transaction, for a write that may collide with
    another (roll back to it and look again); the boundary still commits. pysqlite opens
    its transaction only before the first write, so on SQLite open it first: else the
    SAVEPOINT would begin a transaction of its own, and its RELEASE would commit it."""
    _sqlite_write_lock(session)
    return session.begin_nested()


def lock_for_write(session, model, id_: int) -> None:
    """Hold one row's lock to the end of the transaction, so that writers deciding from
    what is there (a salary run reading what earlier runs posted) go one at a time:
    PostgreSQL's row lock (SELECT ... FOR UPDATE); SQLite's one write lock (BEGIN
    IMMEDIATE), the only kind it has."""
    if not _sqlite_write_lock(session):
        session.execute(select(model.id).where(model.id == id_).with_for_update())


# The history, in the order a transaction's records join the hash chain (a record before
# those that refer to it): triggers refuse UPDATE, DELETE and TRUNCATE (migrations 0001,
# 0002, 0003, 0007, 0008, 0009, 0011, 0013, 0014, 0016), the application's role may only SELECT and
# INSERT them, and each row is a link of the chain (ledger/integrity), which is history itself.
CHAINED_TABLES = ("rulebook_versions", "licenses", "license_events", "entries", "voids", "salary_runs",
                  "salary_run_rows", "transcripts", "transcript_revocations", "audit_events", "credential_reviews",
                  "evidence_files", "entry_evidence", "notices", "notice_deliveries", "audits", "audit_findings")
HISTORY_TABLES = (*CHAINED_TABLES, "chain_links")

Units = Numeric(10, 2)
MAX_ID = 2**31 - 1  # PostgreSQL's integer: larger ids cannot exist


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Timestamp(TypeDecorator):
    """A UTC timestamp. SQLite keeps no zone, so values come back marked UTC on load."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


