"""Recording and voiding one entry at a time (imports write in bulk: imports/run.py).

Entries are never changed or deleted. A correction is a void plus, where needed, a new
entry. Each write flushes with its audit row; the caller's boundary commits.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..access import audit
from ..access.principals import Principal, educator_in_scope
from ..engine import CLOCK_HOUR, MICROCREDENTIAL
from ..errors import Conflict, Invalid, NotFound
from ..models import MAX_ID, ActivityKey, Credential, Entry, Holding, Void, savepoint

EARLIEST = date(1900, 1, 1)


def check_earned_on(earned_on: date, today: date, field: str = "earned_on") -> None:
    # A day's grace: the recorder's "today" may already be tomorrow in UTC.
    if earned_on > today + timedelta(days=1):
        raise Invalid(f"{field} {earned_on} is in the future", {field: ["is in the future"]})
    if earned_on < EARLIEST:
        raise Invalid(f"{field} {earned_on} is before 1900", {field: ["is before 1900"]})


def content_of(entry: Entry) -> tuple:
    """What makes two recordings of an external_id "the same"."""
    if entry.kind == MICROCREDENTIAL:
        return (entry.educator_id, entry.kind, entry.credential_id, entry.earned_on, entry.evidence_url)
    return (entry.educator_id, entry.kind, entry.title, Decimal(entry.hours).normalize(), entry.measure,
            tuple(sorted(entry.tags or ())), entry.earned_on, entry.evidence_url)


def activity_key(title: str, hours, tags, earned_on: date, evidence_url: str | None, measure: str | None = None) -> str:
    """The digest of an activity's content: two activities of one educator with the same
    key are the same activity recorded twice. `hours` is the amount, in `measure` (None:
    clock hours, keyed as every activity was before measures: their keys stay valid)."""
    hours = Decimal(str(hours)).normalize()
    content = [title, f"{hours:f}", sorted(set(tags or ())), earned_on.isoformat(), evidence_url]
    if measure is not None:
        content.append(measure)
    text = json.dumps(content, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def record_entry(session, principal: Principal, educator_id: int, data: dict, today: date) -> tuple[Entry, bool]:
    """Record an entry; returns (entry, created). The same `external_id` with the same
    content returns the entry already recorded (created=False); different content, or a
    credential the educator already holds, is a Conflict. An activity without an
    external_id that the educator already has, active, with the same content, returns
    that entry too: a form submitted twice records one activity."""
    educator = educator_in_scope(session, principal, educator_id)
    principal.require("record_entry")
    check_earned_on(data["earned_on"], today)
    entry = Entry(
        educator_id=educator.id, kind=data["kind"], earned_on=data["earned_on"],
        external_id=data.get("external_id") or None, evidence_url=data.get("evidence_url") or None,
        recorded_by=principal.actor,
    )
    if data["kind"] == MICROCREDENTIAL:
        credential = session.scalar(select(Credential).where(Credential.code == data["credential"]))
        if credential is None:
            raise Invalid(f"unknown credential {data['credential']!r}",
                          {"credential": [f"{data['credential']!r} is not in the catalog"]})
        entry.credential_id = credential.id
        entry.tags = []
    else:
        entry.title = data["title"]
        if data.get("amount") is not None:  # in a measure: clock hours are stored as such
            entry.hours, measure = data["amount"], data["measure"]
            entry.measure = None if measure == CLOCK_HOUR else measure
        else:
            entry.hours = data["hours"]
        entry.tags = sorted(set(data.get("tags") or []))

    key = None if entry.kind == MICROCREDENTIAL or entry.external_id else activity_key(
        entry.title, entry.hours, entry.tags, entry.earned_on, entry.evidence_url, entry.measure)
    existing = _same_external_id(session, entry) or _same_activity(session, entry.educator_id, key)
    if existing is not None:
        return existing, False
    if entry.kind == MICROCREDENTIAL:
        _refuse_held(session, entry)
    try:
        with savepoint(session):
            session.add(entry)
            session.flush()
            if entry.kind == MICROCREDENTIAL:
                session.add(Holding(educator_id=entry.educator_id, credential_id=entry.credential_id,
                                    entry_id=entry.id))
            elif key is not None:
                session.add(ActivityKey(educator_id=entry.educator_id, content_key=key, entry_id=entry.id))
            session.flush()
    except IntegrityError:
        # Another clerk recorded the same thing between our check and our insert.
        existing = _same_external_id(session, entry) or _same_activity(session, entry.educator_id, key)
        if existing is not None:
            return existing, False
        if entry.kind == MICROCREDENTIAL:
            _refuse_held(session, entry)
        raise
    audit.record(session, principal.actor, "record_entry", "entry", entry.id,
                 {"educator_id": entry.educator_id, "kind": entry.kind, "external_id": entry.external_id})
    session.flush()
    return entry, True


def _same_activity(session, educator_id: int, key: str | None) -> Entry | None:
    if key is None:
        return None
    return session.scalar(select(Entry).join(ActivityKey, ActivityKey.entry_id == Entry.id)
                          .where(ActivityKey.educator_id == educator_id, ActivityKey.content_key == key))


def _same_external_id(session, entry: Entry) -> Entry | None:
    if entry.external_id is None:
        return None
    existing = session.scalar(select(Entry).where(Entry.external_id == entry.external_id))
    if existing is None:
        return None
    if content_of(existing) != content_of(entry):
        if existing.educator_id != entry.educator_id:
            # another educator's entry, perhaps outside the caller's scope: name no id
            raise Conflict(
                f"external_id {entry.external_id!r} was already recorded for another educator",
                {"external_id": ["already recorded for another educator"]},
                probe={"record_type": "entry", "asked": entry.external_id[:200], "action": "record_entry",
                       "educator_id": entry.educator_id},
            )
        raise Conflict(
            f"external_id {entry.external_id!r} was recorded with different content (entry {existing.id})",
            {"external_id": [f"already recorded as entry {existing.id} with different content"]},
            entry_id=existing.id,
        )
    return existing


def _refuse_held(session, entry: Entry) -> None:
    held = session.scalar(
        select(Holding.entry_id).where(
            Holding.educator_id == entry.educator_id, Holding.credential_id == entry.credential_id
        )
    )
    if held is not None:
        raise Conflict(
            f"educator {entry.educator_id} already holds this credential (entry {held})",
            {"credential": [f"already held: entry {held}"]},
            entry_id=held,
        )


def void_entry(session, principal: Principal, entry_id: int, reason: str) -> Entry:
    entry = get_entry(session, principal, entry_id)
    principal.require("void_entry")
    if entry.void is not None:
        raise Conflict(f"entry {entry_id} is already void", {"entry": ["already void"]})
    try:
        with savepoint(session):
            session.add(Void(entry_id=entry.id, reason=reason, voided_by=principal.actor))
            session.execute(delete(Holding).where(Holding.entry_id == entry.id))
            session.execute(delete(ActivityKey).where(ActivityKey.entry_id == entry.id))
            session.flush()
    except IntegrityError:
        raise Conflict(f"entry {entry_id} is already void", {"entry": ["already void"]}) from None
    audit.record(session, principal.actor, "void_entry", "entry", entry.id, {"reason": reason})
    session.flush()
    session.refresh(entry)
    return entry


def get_entry(session, principal: Principal, entry_id: int) -> Entry:
    entry = session.get(Entry, entry_id) if 1 <= entry_id <= MAX_ID else None
    if entry is None:
        raise NotFound(f"entry {entry_id} not found")
    educator_in_scope(session, principal, entry.educator_id)
    return entry
