"""The schema. Entries, voids and the audit trail are append-only (database triggers in
the migrations refuse UPDATE and DELETE); `holdings` is the one mutable index over them
and makes "one active entry per educator and credential" a database constraint."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
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


# The append-only history: triggers refuse UPDATE, DELETE and TRUNCATE (migrations 0001,
# 0002, 0003, 0007), and the application's role may only SELECT and INSERT them.
HISTORY_TABLES = ("entries", "voids", "audit_events", "salary_runs", "salary_run_rows", "transcripts",
                  "transcript_revocations", "rulebook_versions")

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


class State(db.Model):
    __tablename__ = "states"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(20))


class RulebookVersion(db.Model):
    __tablename__ = "rulebook_versions"
    __table_args__ = (UniqueConstraint("state_id", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    loaded_by: Mapped[str] = mapped_column(String(200))
    loaded_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    state: Mapped[State] = relationship()


class District(db.Model):
    __tablename__ = "districts"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"), index=True)
    salary_credits_per_mc: Mapped[Decimal] = mapped_column(Units, default=Decimal(0))
    state: Mapped[State] = relationship()


class Issuer(db.Model):
    __tablename__ = "issuers"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Credential(db.Model):
    __tablename__ = "credentials"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    estimated_hours: Mapped[Decimal | None] = mapped_column(Units)
    badge_id: Mapped[str | None] = mapped_column(String(500), unique=True)
    reviewed: Mapped[bool] = mapped_column(Boolean, default=True)
    issuer: Mapped[Issuer] = relationship(lazy="joined")


class Educator(db.Model):
    __tablename__ = "educators"
    __table_args__ = (UniqueConstraint("state_id", "license_number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    license_number: Mapped[str] = mapped_column(String(40))
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    state: Mapped[State] = relationship(lazy="joined")
    district: Mapped[District | None] = relationship(lazy="joined")
    licenses: Mapped[list[License]] = relationship(
        back_populates="educator", order_by="License.cycle_start", lazy="selectin"
    )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class License(db.Model):
    __tablename__ = "licenses"
    __table_args__ = (CheckConstraint("cycle_end >= cycle_start", name="cycle_order"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), index=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"))
    type: Mapped[str] = mapped_column(String(50))
    cycle_start: Mapped[date] = mapped_column(Date)
    cycle_end: Mapped[date] = mapped_column(Date)
    educator: Mapped[Educator] = relationship(back_populates="licenses")
    state: Mapped[State] = relationship(lazy="joined")


class Entry(db.Model):
    """A ledger entry. Never updated or deleted: see `Void`."""

    __tablename__ = "entries"
    __table_args__ = (
        CheckConstraint("kind IN ('microcredential', 'activity')", name="kind"),
        CheckConstraint(
            "(kind = 'microcredential' AND credential_id IS NOT NULL AND hours IS NULL)"
            " OR (kind = 'activity' AND credential_id IS NULL AND hours IS NOT NULL"
            " AND hours >= 0 AND title IS NOT NULL)",
            name="kind_fields",
        ),
        Index("ix_entries_educator_id_earned_on", "educator_id", "earned_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"))
    kind: Mapped[str] = mapped_column(String(20))
    credential_id: Mapped[int | None] = mapped_column(ForeignKey("credentials.id"), index=True)
    title: Mapped[str | None] = mapped_column(String(300))
    hours: Mapped[Decimal | None] = mapped_column(Units)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    earned_on: Mapped[date] = mapped_column(Date)
    external_id: Mapped[str | None] = mapped_column(String(500), unique=True)
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    educator: Mapped[Educator] = relationship()
    credential: Mapped[Credential | None] = relationship(lazy="joined")
    void: Mapped[Void | None] = relationship(back_populates="entry", lazy="joined")


class Void(db.Model):
    __tablename__ = "voids"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(1000))
    voided_by: Mapped[str] = mapped_column(String(200))
    voided_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    entry: Mapped[Entry] = relationship(back_populates="void")


class Holding(db.Model):
    """The active micro-credential entry an educator holds for a credential. Its primary
    key is the rule "one active entry per educator and credential"; a void removes the
    holding, never the entry."""

    __tablename__ = "holdings"
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), primary_key=True)
    credential_id: Mapped[int] = mapped_column(ForeignKey("credentials.id"), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), unique=True)


class ActivityKey(db.Model):
    """The active activity entry (recorded without an external_id) that has this content:
    the primary key makes "the same activity twice" impossible even when two clerks or
    two imports record it at the same moment; a void removes the key, never the entry."""

    __tablename__ = "activity_keys"
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), primary_key=True)
    content_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), unique=True)


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    state_id: Mapped[int | None] = mapped_column(ForeignKey("states.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    educator_id: Mapped[int | None] = mapped_column(ForeignKey("educators.id"))
    label: Mapped[str | None] = mapped_column(String(200))
    owner: Mapped[str | None] = mapped_column(String(254))  # who holds it: a person or a system
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(Timestamp())
    revoked_at: Mapped[datetime | None] = mapped_column(Timestamp())
    state: Mapped[State | None] = relationship(lazy="joined")
    district: Mapped[District | None] = relationship(lazy="joined")


class User(db.Model):
    """A person who signs in to the web pages; scoped like an API token."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20))
    state_id: Mapped[int | None] = mapped_column(ForeignKey("states.id"))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id"))
    educator_id: Mapped[int | None] = mapped_column(ForeignKey("educators.id"))
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(Timestamp())


class UserSession(db.Model):
    """A signed-in session. The cookie holds only `id`; signing out sets `ended_at`, so the
    cookie stops working at once (see ledger/web/auth.py for the idle and absolute limits)."""

    __tablename__ = "user_sessions"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(Timestamp())
    user_agent: Mapped[str | None] = mapped_column(String(300))
    user: Mapped[User] = relationship(lazy="joined")


class AuditEvent(db.Model):
    """Who did what to which record, and when. Append-only like the ledger."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    record_type: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[str] = mapped_column(String(100))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Employment(db.Model):
    """An educator's employment by a district, from `started_on` to `ended_on`
    (inclusive; open while null). The educator's current district is
    `educators.district_id`; this keeps the history. Entries belong to the educator, so a
    move between districts keeps the ledger whole."""

    __tablename__ = "employments"
    __table_args__ = (CheckConstraint("ended_on IS NULL OR ended_on >= started_on", name="period_order"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), index=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    district: Mapped[District] = relationship(lazy="joined")


class SalaryRun(db.Model):
    """One run of a district's salary credits for payroll. Append-only: a run is never
    changed; running again makes a new run."""

    __tablename__ = "salary_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    pay_date: Mapped[date] = mapped_column(Date)
    run_by: Mapped[str] = mapped_column(String(200))
    run_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    rulebook_version: Mapped[int] = mapped_column(Integer)
    district: Mapped[District] = relationship(lazy="joined")
    rows: Mapped[list[SalaryRunRow]] = relationship(order_by="SalaryRunRow.id", lazy="selectin")


class SalaryRunRow(db.Model):
    __tablename__ = "salary_run_rows"
    __table_args__ = (UniqueConstraint("run_id", "educator_id"),
                      CheckConstraint("credits_new >= 0", name="credits_new_not_negative"))
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("salary_runs.id"))
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), index=True)
    license_number: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(201))
    credits_total: Mapped[Decimal] = mapped_column(Units)
    credits_new: Mapped[Decimal] = mapped_column(Units)
    lane: Mapped[str | None] = mapped_column(String(100))
    lane_changed: Mapped[bool] = mapped_column(Boolean)
    base_salary_pct: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    designations: Mapped[list[str]] = mapped_column(JSON, default=list)


class Transcript(db.Model):
    """An issued official transcript. Never changed: the PDF served later is these bytes,
    `sha256` is their digest, `standing` the standing the PDF shows, `clr` the signed
    machine-readable copy. A revocation is a row of its own."""

    __tablename__ = "transcripts"
    __table_args__ = (UniqueConstraint("season", "educator_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(String(40), unique=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), index=True)
    state_id: Mapped[int] = mapped_column(ForeignKey("states.id"))
    as_of: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    issued_by: Mapped[str] = mapped_column(String(200))
    office: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(201))           # as printed
    license_number: Mapped[str] = mapped_column(String(40))  # as printed
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    standing: Mapped[dict[str, Any]] = mapped_column(JSON)
    pdf: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    clr: Mapped[str] = mapped_column(db.Text, deferred=True)
    season: Mapped[str | None] = mapped_column(String(100))  # a renewal season's batch key
    state: Mapped[State] = relationship(lazy="joined")
    revocation: Mapped[TranscriptRevocation | None] = relationship(lazy="joined")


class TranscriptRevocation(db.Model):
    __tablename__ = "transcript_revocations"
    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(ForeignKey("transcripts.id"), unique=True)
    reason: Mapped[str] = mapped_column(String(1000))
    revoked_by: Mapped[str] = mapped_column(String(200))
    revoked_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)

