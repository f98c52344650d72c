"""Submissions (CONTRACT.md section 7): an educator (or HR, or the state office, for
someone in its scope) reports a micro-credential or an activity with its evidence; district
HR or the state office approves it, which records the entry exactly as POST
/educators/{id}/entries would (entries/service.record_entry), or rejects it with a
reason the educator reads. Until approved it counts nowhere: the standing reads entries
only. Each write flushes with its audit row; the caller's boundary commits.

Hooks for other jobs (reminders): `pending(session, principal)` lists what waits in a
principal's scope, oldest first; every decision calls each function in `ON_DECIDED`
with (session, submission) after it is written."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from ..access import audit
from ..access.principals import Principal, educator_in_scope
from ..catalog.service import add_badge
from ..credentials.service import verifier
from ..engine import CLOCK_HOUR, MICROCREDENTIAL
from ..entries.service import check_earned_on, record_entry
from ..errors import Conflict, Invalid, NotFound
from ..fields import WORDS
from ..imports.rows import Badge
from ..models import (
    MAX_ID,
    Credential,
    Educator,
    Entry,
    EntryEvidence,
    EvidenceFile,
    ReceivedCredential,
    Submission,
    savepoint,
    utcnow,
)
from ..models.credentials import VERIFICATIONS
from . import badgefile, evidence
from .storage import Store, StoreError, key_of

ON_DECIDED: list[Callable] = []
WORDS_RE = re.compile(WORDS)


def submit(session, principal: Principal, educator_id: int, data: dict | None, today: date, store: Store,
           evidence_file: tuple[bytes, str | None] | None = None,
           badge_file: tuple[bytes, str | None] | None = None) -> Submission:
    """A pending submission for the educator. `data` is SubmissionIn's (None when a badge
    file says it all); `evidence_file` and `badge_file` are (bytes, name as sent)."""
    educator = educator_in_scope(session, principal, educator_id)
    principal.require("submit")
    data = dict(data or {})
    sub = Submission(educator_id=educator.id, submitted_by=principal.actor, status="pending", tags=[],
                     evidence_url=data.get("evidence_url") or None)
    if badge_file is not None:
        _from_badge(session, sub, educator, data, today, *badge_file)
    elif not data:
        raise Invalid("say what you report: data (JSON) or a badge file", {"data": ["required without a badge file"]})
    else:
        _from_data(session, sub, data, today)
    if evidence_file is not None:
        sub.evidence_id, sub.evidence_name = _keep(session, principal, store, "evidence", *evidence_file)
    elif badge_file is not None and badge_file[0].startswith(evidence.PNG_SIGNATURE):
        # a baked badge is its own evidence: the image the issuer gave
        sub.evidence_id, sub.evidence_name = _keep(session, principal, store, "badge", *badge_file)
    session.add(sub)
    session.flush()
    audit.record(session, principal.actor, "submit", "submission", sub.id,
                 {"educator_id": educator.id, "kind": sub.kind, "evidence_id": sub.evidence_id})
    return sub


def _from_data(session, sub: Submission, data: dict, today: date) -> None:
    check_earned_on(data["earned_on"], today)
    sub.kind, sub.earned_on = data["kind"], data["earned_on"]
    if sub.kind == MICROCREDENTIAL:
        credential = session.scalar(select(Credential).where(Credential.code == data["credential"]))
        if credential is None:
            raise Invalid(f"unknown credential {data['credential']!r}",
                          {"credential": [f"{data['credential']!r} is not in the catalog"]})
        sub.credential_id = credential.id
        return
    sub.title = data["title"]
    if data.get("amount") is not None:
        sub.hours, measure = data["amount"], data["measure"]
        sub.measure = None if measure == CLOCK_HOUR else measure
    else:
        sub.hours = data["hours"]
    sub.tags = sorted(set(data.get("tags") or []))


def _from_badge(session, sub: Submission, educator: Educator, data: dict, today: date, raw: bytes,
                name: str | None) -> None:
    extra = sorted(set(data) - {"evidence_url"})
    if extra:
        raise Invalid(f"{extra[0]}: the badge file says what was earned and when",
                      {f"data.{k}": ["not with a badge file (the badge says it)"] for k in extra})
    try:
        read = badgefile.read(raw, today, name, verifier(session, today))
    except badgefile.BadgeError as exc:
        raise Invalid(str(exc), {"badge": [str(exc)]}) from None
    if badgefile.names_educator(read.recipient, educator.email, educator.license_number) is False:
        message = f"the badge was issued to someone else, not to {educator.name}"
        raise Invalid(message, {"badge": [message]})
    sub.kind, sub.earned_on, sub.external_id = MICROCREDENTIAL, read.earned_on, read.external_id
    sub.evidence_url = sub.evidence_url or read.evidence_url
    b = read.badge
    sub.badge = {"id": b.id, "name": b.name, "issuer_id": b.issuer_id, "issuer_name": b.issuer_name,
                 "tags": b.tags, "file": read.content_type, "signature": read.verification,
                 "signature_detail": read.verification_detail[:500], "received": read.received}
    sub.credential_id = session.scalar(select(Credential.id).where(Credential.badge_id == b.id))


def _keep(session, principal: Principal, store: Store, field: str, data: bytes, name: str | None):
    """(evidence id, name): the file checked by its content, put in the store and recorded once."""
    name = "".join(c for c in (name or "") if c.isprintable()).strip()[-255:] or None
    try:
        checked = evidence.check(data, name)
    except evidence.EvidenceError as exc:
        raise Invalid(f"{field}: {exc}", {field: [str(exc)]}) from None
    key = store.put(data)
    row = session.scalar(select(EvidenceFile).where(EvidenceFile.sha256 == key))
    if row is None:
        try:
            with savepoint(session):
                row = EvidenceFile(sha256=key, size=checked.size, content_type=checked.content_type,
                                   stored_by=principal.actor)
                session.add(row)
                session.flush()
        except IntegrityError:  # the same file, kept by another request a moment ago
            row = session.scalar(select(EvidenceFile).where(EvidenceFile.sha256 == key))
    return row.id, name


def scoped(principal: Principal):
    """Submissions of the educators in the principal's scope."""
    return select(Submission).join(Educator, Educator.id == Submission.educator_id).where(
        principal.educator_clause())


def list_submissions(session, principal: Principal, status: str | None, page: int, page_size: int):
    """(submissions, total): in scope, with `status` if given, oldest first."""
    stmt = scoped(principal)
    if status:
        stmt = stmt.where(Submission.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = session.scalars(stmt.order_by(Submission.submitted_at, Submission.id)
                           .offset((page - 1) * page_size).limit(page_size)).unique().all()
    return rows, total


def pending(session, principal: Principal, limit: int | None = None) -> list[Submission]:
    """What waits for a decision in the principal's scope, oldest first (HR's and the
    state office's queues; the reminders' digest)."""
    stmt = scoped(principal).where(Submission.status == "pending").order_by(Submission.submitted_at, Submission.id)
    return list(session.scalars(stmt.limit(limit) if limit else stmt).unique())


def get_submission(session, principal: Principal, submission_id: int) -> Submission:
    sub = session.get(Submission, submission_id) if 1 <= submission_id <= MAX_ID else None
    if sub is None:
        raise NotFound(f"submission {submission_id} not found")
    try:
        educator_in_scope(session, principal, sub.educator_id)
    except NotFound:
        raise NotFound(f"submission {submission_id} not found") from None
    return sub


def evidence_bytes(session, principal: Principal, store: Store, submission_id: int) -> tuple[EvidenceFile, bytes]:
    sub = get_submission(session, principal, submission_id)
    if sub.evidence is None:
        raise NotFound(f"submission {submission_id} has no evidence file")
    return sub.evidence, _read(store, sub.evidence)


def entry_evidence(session, principal: Principal, store: Store, entry_id: int) -> tuple[EvidenceFile, bytes]:
    """The file an entry was approved on (GET /entries/{id}/evidence)."""
    entry = session.get(Entry, entry_id) if 1 <= entry_id <= MAX_ID else None
    if entry is None:
        raise NotFound(f"entry {entry_id} not found")
    educator_in_scope(session, principal, entry.educator_id)
    link = session.scalar(select(EntryEvidence).where(EntryEvidence.entry_id == entry_id))
    if link is None:
        raise NotFound(f"entry {entry_id} has no evidence file")
    return link.evidence, _read(store, link.evidence)


def _read(store: Store, row: EvidenceFile) -> bytes:
    try:
        data = store.get(row.sha256)
    except StoreError:
        raise NotFound("the evidence file is missing from the store") from None
    if key_of(data) != row.sha256:  # changed behind the ledger's back: never served as the record
        raise Conflict("the stored evidence no longer matches its SHA-256", {"evidence": ["changed in the store"]})
    return data


def _undecided(session, principal: Principal, submission_id: int) -> Submission:
    sub = get_submission(session, principal, submission_id)
    principal.require("decide_submission")
    if sub.status != "pending":
        raise Conflict(f"submission {sub.id} was already {sub.status} by {sub.decided_by} on "
                       f"{sub.decided_at:%Y-%m-%d}", {"status": [f"already {sub.status}"]})
    return sub


def _decide(session, sub: Submission, principal: Principal, **values) -> None:
    """Pending to decided, once: a second decider racing this one changes no row (409)."""
    done = session.execute(update(Submission).where(Submission.id == sub.id, Submission.status == "pending")
                           .values(decided_by=principal.actor, decided_at=utcnow(), **values)
                           .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise Conflict(f"submission {sub.id} was decided a moment ago", {"status": ["already decided"]})
    session.refresh(sub)


def approve(session, principal: Principal, submission_id: int, today: date) -> tuple[Entry, bool]:
    """Record the entry as POST /educators/{id}/entries would (its 409s included) and keep
    the submission's evidence beside it; (entry, created)."""
    sub = _undecided(session, principal, submission_id)
    entry, created = record_entry(session, principal, sub.educator_id, _entry_data(session, sub), today)
    if sub.evidence_id is not None and session.scalar(
            select(EntryEvidence.id).where(EntryEvidence.entry_id == entry.id)) is None:
        session.add(EntryEvidence(entry_id=entry.id, evidence_id=sub.evidence_id, submission_id=sub.id))
    _keep_received(session, sub, entry)
    _decide(session, sub, principal, status="approved", entry_id=entry.id)
    audit.record(session, principal.actor, "approve_submission", "submission", sub.id,
                 {"educator_id": sub.educator_id, "entry_id": entry.id, "created": created})
    session.flush()
    _decided(session, sub)
    return entry, created


def _keep_received(session, sub: Submission, entry: Entry) -> None:
    """A badge file's credential, as received and as verified when it was sent, beside the
    entry its approval recorded (as an import keeps it)."""
    kept = (sub.badge or {}).get("received")
    if not kept or session.scalar(select(ReceivedCredential.id).where(ReceivedCredential.entry_id == entry.id)):
        return
    session.add(ReceivedCredential(
        entry_id=entry.id, format=kept["format"], original=base64.b64decode(kept["original"]),
        verification=sub.badge.get("signature") if sub.badge.get("signature") in VERIFICATIONS else "unverifiable",
        detail=(sub.badge.get("signature_detail") or "checked when the badge file was sent")[:1000],
        issuer_key_id=kept.get("issuer_key_id")))


def reject(session, principal: Principal, submission_id: int, reason: str) -> Submission:
    if not isinstance(reason, str) or len(reason) > 1000 or not WORDS_RE.search(reason):
        raise Invalid("reason: say why, in words (one line, at most 1,000 characters)",
                      {"reason": ["say why, in words: one line of plain text, at most 1,000 characters"]})
    sub = _undecided(session, principal, submission_id)
    _decide(session, sub, principal, status="rejected", reason=reason)
    audit.record(session, principal.actor, "reject_submission", "submission", sub.id,
                 {"educator_id": sub.educator_id, "reason": reason})
    session.flush()
    _decided(session, sub)
    return sub


def _decided(session, sub: Submission) -> None:
    for hook in ON_DECIDED:
        hook(session, sub)


def _entry_data(session, sub: Submission) -> dict:
    data = {"kind": sub.kind, "earned_on": sub.earned_on}
    if sub.evidence_url:
        data["evidence_url"] = sub.evidence_url
    if sub.external_id:
        data["external_id"] = sub.external_id
    if sub.kind == MICROCREDENTIAL:
        if sub.credential is not None:
            data["credential"] = sub.credential.code
        else:  # a dropped badge new to the catalog joins it, not yet reviewed, as an import adds it
            b = sub.badge or {}
            found = session.scalar(select(Credential.code).where(Credential.badge_id == b.get("id")))
            data["credential"] = found or add_badge(session, Badge(
                b["id"], b["name"], b["issuer_id"], b["issuer_name"], list(b.get("tags") or [])))[1]
        return data
    data.update(title=sub.title, tags=list(sub.tags or []))
    if sub.measure:
        data.update(amount=sub.hours, measure=sub.measure)
    else:
        data["hours"] = sub.hours
    return data
