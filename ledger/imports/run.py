"""Imports from provider platforms: CSV and Open Badges, into the ledger in one
transaction (CONTRACT.md section 4, "Imports").

All or nothing by default: a file with any bad row records nothing and the report lists
every bad row (422). `partial` keeps the good rows; `dry_run` checks everything, as the
real run would, and writes nothing. Rows are read and written in batches inside the one
transaction, so memory stays flat however long the file: a later row sees the earlier
rows of the same file as recorded, and the end decides between commit and rollback.

Idempotent as ledgers are: an `external_id` records at most once. Sent again with the
same content it is a duplicate (counted, not an error); with different content it is a
conflict named in the report. A row without `external_id` for a credential the educator
already holds with the same `earned_on`, or for an activity already recorded with the same
content, is a duplicate too. Two imports of the same file
at once: the database's unique keys let one win; the other is run again from the start
and finds its rows already there.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError, OperationalError

from ..access import audit
from ..access.principals import Principal
from ..catalog.service import add_badge
from ..credentials.service import educators_named, identity_emails
from ..engine import MICROCREDENTIAL
from ..errors import Conflict
from ..models import Credential, Educator, Entry, Holding, State, savepoint
from .rows import Row
from .sources import FileProblem, not_utf8
from .write import write_entries

BATCH = 2000
ATTEMPTS = 6
MAX_ERRORS = 10_000  # a report lists the first errors and counts them all (a bounded answer)


@dataclass
class Report:
    format: str
    partial: bool
    dry_run: bool
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    rows: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    credentials_added: list[str] = field(default_factory=list)
    committed: bool = False
    unreadable: bool = False  # the file as a whole could not be read: nothing recorded
    probes: list[str] = field(default_factory=list)  # external_ids met outside the caller's scope (audited)

    def reject(self, row: int, problems: Iterable[tuple[str, str]]) -> None:
        self.rejected += 1
        for field_, message in problems:
            self.error_count += 1
            if len(self.errors) < MAX_ERRORS:
                self.errors.append({"row": row, "field": field_, "message": message})

    @property
    def probe(self) -> dict | None:
        """What the audit trail keeps when this import met external_ids outside the
        caller's scope, dry run or not (F-18: a dry run is no free probe)."""
        if not self.probes:
            return None
        return {"record_type": "import", "asked": self.format, "action": "import",
                "external_ids": self.probes, "dry_run": self.dry_run}

    @property
    def status(self) -> int:
        return 422 if self.unreadable or (self.rejected and not self.partial) else 200

    def as_dict(self) -> dict:
        return {
            "accepted": self.accepted, "duplicates": self.duplicates, "rejected": self.rejected,
            "errors": self.errors, "error_count": max(self.error_count, len(self.errors)),
            "rows": self.rows, "format": self.format,
            "partial": self.partial, "dry_run": self.dry_run,
            # something written: a committed run that added entries (all duplicates add none)
            "recorded": self.committed and not self.dry_run and self.accepted > 0,
            "credentials_added": self.credentials_added,
        }


def run_import(session, principal: Principal, open_rows: Callable[[], Iterator[Row]], *, fmt: str,
               partial: bool = False, dry_run: bool = False) -> Report:
    """Import the rows `open_rows()` yields (it is called again if the import must be
    run again after colliding with another). Returns the report; keeps only what the
    report says was recorded (the caller commits)."""
    principal.require("import")
    for attempt in range(ATTEMPTS):
        attempt_ = savepoint(session)
        try:
            return _Import(session, principal, fmt, partial, dry_run).run(open_rows(), attempt_)
        except (IntegrityError, OperationalError) as exc:
            locked = isinstance(exc, OperationalError) and "locked" in str(exc.orig).lower()
            if locked:  # SQLite keeps its locks to the end of the transaction: end it, so the other writer can finish
                session.rollback()
            elif attempt_.is_active:
                attempt_.rollback()
            if isinstance(exc, OperationalError) and not locked:
                raise
            if attempt == ATTEMPTS - 1:
                raise Conflict("the import collided with another import of the same rows; send it again") from None
            time.sleep(random.uniform(0.02, 0.1) * (attempt + 1))
    raise AssertionError("unreachable")


def _content(educator_id, kind, credential_id, title, hours, tags, earned_on, evidence_url, measure) -> tuple:
    """What makes two recordings of an external_id "the same" (as `entries.content_of`)."""
    if kind == MICROCREDENTIAL:
        return (educator_id, kind, credential_id, earned_on, evidence_url)
    return (educator_id, kind, title, Decimal(hours).normalize(), measure, tuple(sorted(tags or ())), earned_on,
            evidence_url)


class _Import:
    def __init__(self, session, principal: Principal, fmt: str, partial: bool, dry_run: bool):
        self.session, self.principal = session, principal
        self.report = Report(fmt, partial, dry_run)
        self.credentials = dict(session.execute(select(Credential.code, Credential.id)).all())
        self.badges = dict(session.execute(
            select(Credential.badge_id, Credential.id).where(Credential.badge_id.is_not(None))
        ).all())
        self.codes_of = {v: k for k, v in self.credentials.items()}
        self.scope = principal.educator_clause()
        self.probes: list[str] = []  # external_ids found outside the caller's scope

    def run(self, rows: Iterator[Row], attempt) -> Report:
        """Write the rows inside `attempt` (a savepoint); release it only when the report
        says something is recorded, else roll back to it."""
        report, session = self.report, self.session
        try:
            batch: list[Row] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= BATCH:
                    self._batch(batch)
                    batch = []
            if batch:
                self._batch(batch)
        except FileProblem as exc:
            attempt.rollback()
            return self._file_problem(exc.errors)
        except UnicodeDecodeError as exc:
            attempt.rollback()
            return self._file_problem([("file", not_utf8(exc, report.format))])
        report.probes = self.probes[:100]
        if report.dry_run or (report.rejected and not report.partial):
            attempt.rollback()
            return report
        audit.record(session, self.principal.actor, "import", "import", report.format, {
            "accepted": report.accepted, "duplicates": report.duplicates, "rejected": report.rejected,
            "partial": report.partial, "credentials_added": report.credentials_added[:100],
        })
        session.flush()
        attempt.commit()
        report.committed = True
        return report

    def _file_problem(self, errors) -> Report:
        """A file that cannot be read records nothing, partial or not: its report holds
        the file's problem (row 0) and no counts."""
        report = Report(self.report.format, self.report.partial, self.report.dry_run, unreadable=True)
        for field_, message in errors:
            report.errors.append({"row": 0, "field": field_, "message": message})
        return report

    # -- one batch

    def _batch(self, rows: list[Row]) -> None:
        report = self.report
        report.rows += len(rows)
        self._educators([r for r in rows if not r.errors])
        self._credentials([r for r in rows if not r.errors])
        ok = [r for r in rows if not r.errors]
        externals = self._existing_externals([r.external_id for r in ok if r.external_id])
        held = self._existing_holdings({(r.educator_id, r.credential_id) for r in ok if r.kind == MICROCREDENTIAL})
        activities = self._existing_activities([r for r in ok if r.kind != MICROCREDENTIAL and not r.external_id])
        new_entries = []
        for r in ok:
            content = _content(r.educator_id, r.kind, r.credential_id, r.title, r.hours, r.tags, r.earned_on,
                               r.evidence_url, r.measure)
            if r.kind != MICROCREDENTIAL and not r.external_id:
                # No id to go by: the same activity (educator, title, hours, tags, day and
                # evidence) already recorded, or earlier in this file, is a duplicate, so
                # the same file imported twice records nothing new.
                if content in activities:
                    report.duplicates += 1
                    continue
                activities.add(content)
            if r.external_id and r.external_id in externals:
                entry_id, existing = externals[r.external_id]
                if existing == content:
                    report.duplicates += 1
                else:
                    # An entry of an educator outside the caller's scope is not named,
                    # and asking about it leaves a trace (F-18), dry run or not.
                    which = f" (entry {entry_id})" if entry_id is not None else ""
                    if entry_id is None:
                        self.probes.append(r.external_id[:200])
                    r.error("external_id", f"{r.external_id[:80]!r} was already recorded{which} "
                                           "with different content; it is not changed")
                continue
            if r.kind == MICROCREDENTIAL:
                key = (r.educator_id, r.credential_id)
                if key in held:
                    entry_id, earned_on = held[key]
                    if earned_on == r.earned_on:
                        report.duplicates += 1
                    else:
                        r.error("credential", f"{self.codes_of.get(r.credential_id, '?')} is already held by this "
                                              f"educator (entry {entry_id or 'in this file'}, earned {earned_on})")
                    continue
                held[key] = (None, r.earned_on)
            if r.external_id:
                externals[r.external_id] = ("in this file", content)
            new_entries.append(r)
        for r in rows:
            if r.errors:
                report.reject(r.row, r.errors)
        if new_entries:
            write_entries(self.session, self.principal.actor, new_entries)
        report.accepted += len(new_entries)

    def _educators(self, rows: list[Row]) -> None:  # noqa: C901 (one pass per batch; each branch a row's case)
        session, scope = self.session, self.scope
        by_state = {(r.state, r.license_number) for r in rows if r.license_number and r.state}
        found: dict = {}
        if by_state:
            # One query per state, `state_id = s AND license_number IN (...)`: the unique
            # index on (state_id, license_number) answers it (a row-value IN list is
            # planned as a scan on PostgreSQL).
            numbers: dict[str, set[str]] = {}
            for state, number in by_state:
                numbers.setdefault(state, set()).add(number)
            state_ids = dict(session.execute(select(State.code, State.id).where(State.code.in_(numbers))).all())
            for state, wanted in numbers.items():
                if state not in state_ids:
                    continue
                for id_, number in session.execute(
                    select(Educator.id, Educator.license_number)
                    .where(Educator.state_id == state_ids[state], Educator.license_number.in_(wanted), scope)
                ):
                    found[(state, number)] = [id_]
        bare = {r.license_number for r in rows if r.license_number and not r.state}
        if bare:
            for id_, number in session.execute(
                select(Educator.id, Educator.license_number).where(Educator.license_number.in_(bare), scope)
            ):
                found.setdefault((None, number), []).append(id_)
        emails = {r.email for r in rows if r.email}
        if emails:
            for id_, email in session.execute(
                select(Educator.id, func.lower(Educator.email)).where(func.lower(Educator.email).in_(emails), scope)
            ):
                found.setdefault(("email", email), []).append(id_)
            for id_, email in educators_named(session, "email", emails, scope):
                found.setdefault(("email", email), []).append(id_)
        for kind in ("did", "url"):
            for id_, value in educators_named(session, kind, {r.identity[1] for r in rows
                                                              if r.identity and r.identity[0] == kind}, scope):
                found.setdefault(("identity", kind, value), []).append(id_)
        wanted = {r.email_hash for r in rows if r.email_hash}
        if wanted:
            # A salted hash can only be matched by hashing every email in scope with its
            # salt; only the matches are kept (assertions usually each have their own salt).
            people = session.execute(
                select(Educator.id, func.lower(Educator.email)).where(Educator.email.is_not(None), scope)
            ).all() + identity_emails(session, scope)
            for salt in {salt for _, salt in wanted}:
                for id_, email in people:
                    digest = hashlib.sha256((email + salt).encode()).hexdigest()
                    if (digest, salt) in wanted:
                        found.setdefault(("hash", digest, salt), []).append(id_)
        for r in rows:
            if r.license_number:
                key, field_ = (r.state, r.license_number), "license_number"
                what = f"license number {r.license_number}" + (f" in {r.state}" if r.state else "")
            elif r.email:
                key, field_, what = ("email", r.email), "recipient", f"email {r.email}"
            elif r.email_hash:
                key, field_, what = ("hash", *r.email_hash), "recipient", "the hashed recipient email"
            elif r.identity:
                key, field_, what = ("identity", *r.identity), "recipient", f"the recipient {r.identity[1][:200]}"
            else:
                r.error("recipient", "names no educator")
                continue
            ids = found.get(key, [])
            if not ids:
                hint = " (add it to the educator's badge recipient identities)" if r.identity and not r.email else ""
                r.error(field_, f"{what} matches no educator{hint}")
            elif len(set(ids)) > 1:
                r.error(field_, f"{what} matches {len(set(ids))} educators; give the license number and state")
            else:
                r.educator_id = ids[0]

    def _credentials(self, rows: list[Row]) -> None:
        for r in rows:
            r.credential_id = None
            if r.kind != MICROCREDENTIAL:
                continue
            if r.badge is not None:
                r.credential_id = self.badges.get(r.badge.id) or self._new_badge(r.badge)
            else:
                r.credential_id = self.credentials.get(r.credential)
                if r.credential_id is None:
                    r.error("credential", f"{r.credential!r} is not in the catalog")

    def _new_badge(self, badge) -> int:
        """A badge the catalog does not know joins it, marked not yet reviewed: the same
        badge gets the same code every time (from its id)."""
        credential_id, code = add_badge(self.session, badge)
        self.badges[badge.id] = self.credentials[code] = credential_id
        self.codes_of[credential_id] = code
        self.report.credentials_added.append(code)
        return credential_id

    def _existing_externals(self, ids: list[str]) -> dict[str, tuple]:
        if not ids:
            return {}
        rows = self.session.execute(
            select(Entry.external_id, Entry.educator_id.in_(select(Educator.id).where(self.scope)), Entry.id,
                   Entry.educator_id, Entry.kind, Entry.credential_id, Entry.title, Entry.hours, Entry.tags,
                   Entry.earned_on, Entry.evidence_url, Entry.measure)
            .where(Entry.external_id.in_(set(ids)))
        )
        return {ext: (id_ if visible else None, _content(*rest)) for ext, visible, id_, *rest in rows}

    def _existing_activities(self, rows: list[Row]) -> set[tuple]:
        """The contents of the activities already recorded for these rows' educators on
        these rows' days (voided ones too: a void is not an invitation to import again)."""
        if not rows:
            return set()
        found = self.session.execute(
            select(Entry.educator_id, Entry.kind, Entry.credential_id, Entry.title, Entry.hours, Entry.tags,
                   Entry.earned_on, Entry.evidence_url, Entry.measure)
            .where(Entry.kind != MICROCREDENTIAL, Entry.educator_id.in_({r.educator_id for r in rows}),
                   Entry.earned_on.in_({r.earned_on for r in rows}))
        )
        return {_content(*values) for values in found}

    def _existing_holdings(self, pairs: set) -> dict:
        if not pairs:
            return {}
        if self.session.get_bind().dialect.name == "postgresql":
            # The pairs as two arrays joined to holdings: one primary-key probe per pair
            # (by educator alone, the join to entries is planned as a scan of entries).
            keys = select(
                func.unnest(bindparam("e", [e for e, _ in pairs], type_=ARRAY(Integer))).label("e"),
                func.unnest(bindparam("c", [c for _, c in pairs], type_=ARRAY(Integer))).label("c"),
            ).subquery()
            rows = self.session.execute(
                select(Holding.educator_id, Holding.credential_id, Entry.id, Entry.earned_on)
                .join(keys, (Holding.educator_id == keys.c.e) & (Holding.credential_id == keys.c.c))
                .join(Entry, Holding.entry_id == Entry.id)
            )
            return {(e, c): (id_, on) for e, c, id_, on in rows}
        rows = self.session.execute(
            select(Holding.educator_id, Holding.credential_id, Entry.id, Entry.earned_on)
            .join(Entry, Holding.entry_id == Entry.id)
            .where(Holding.educator_id.in_({e for e, _ in pairs}))
        )
        return {(e, c): (id_, on) for e, c, id_, on in rows if (e, c) in pairs}
