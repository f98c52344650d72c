"""A rulebook previewed before it is in force: whose current-cycle renewal status it would
change, against the version in force (`status_changes`), and the uploaded document kept
server-side until its state office publishes or discards it (`PendingRulebook`).

The document published is the one stored at the upload, never one sent back by the
browser: the page's publish form names the pending id and the SHA-256 of the document
it previewed, and both must match the stored row."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select

from .. import engine
from ..access import audit
from ..access.principals import Principal
from ..errors import Conflict, Invalid, NotFound
from ..models import Educator, PendingRulebook, RulebookVersion, State, utcnow
from ..standing.many import standings_for
from .service import check_rulebook, load_rulebook

PENDING_HOURS = 1  # a preview older than this cannot be published
NO_RULE = None  # a license type the rulebook has no renewal rule for


def document_sha256(document: dict) -> str:
    """The SHA-256 of the document as stored (canonical JSON: sorted keys, no spaces)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def newest(session, state_id: int) -> RulebookVersion | None:
    return session.scalar(select(RulebookVersion).where(RulebookVersion.state_id == state_id)
                          .order_by(RulebookVersion.version.desc()).limit(1))


def _current_statuses(session, version: RulebookVersion, as_of: date):
    """(educator id, {license type: status of its current cycle}) for every educator
    licensed in the state, streamed (flat memory), through the engine every page reads."""
    for educator_id, s in standings_for(session, version, as_of, pathways=False):
        yield educator_id, {p.license.type: p.status
                            for p in engine.current_cycles(s.renewal, as_of, key=engine.LICENSE)}


def status_changes(session, state: State, document: dict, as_of: date) -> dict:
    """What the (validated) `document` would change if it were the state's newest version:
    for each educator licensed in the state, the status of each license's current cycle
    under the version in force and under the document.

    {"educators", "licenses", "changed", "counts": [[from, to, n], ...] (most first),
    "changes": [[educator id, license type, from, to], ...] (by name)}; a status is
    complete, in_progress, lapsed, or None where the rulebook has no rule for the type.
    The proposed version is a transient RulebookVersion, never added to the session."""
    current = newest(session, state.id)
    proposed = RulebookVersion(state_id=state.id, version=(current.version if current else 0) + 1,
                               document=document, loaded_by="preview")
    proposed.state = state  # no backref: this does not add `proposed` to the session
    before: dict[int, dict[str, str]] = {}
    if current is not None:
        # The two streams need not list educators in the same order (the grace days of
        # each rulebook decide which entries are read), so the first is kept: one small
        # dict per educator.
        before = {educator_id: statuses for educator_id, statuses in _current_statuses(session, current, as_of)
                  if statuses}
    changes, educators, licenses = [], 0, 0
    for educator_id, after in _current_statuses(session, proposed, as_of):
        was = before.pop(educator_id, {})
        educators += bool(after or was)
        for kind in sorted(set(was) | set(after)):
            licenses += 1
            old, new = was.get(kind, NO_RULE), after.get(kind, NO_RULE)
            if old != new:
                changes.append([educator_id, kind, old, new])
    for educator_id, was in before.items():  # not in the second stream: cannot happen, but never lost
        educators += 1
        for kind, old in sorted(was.items()):
            licenses += 1
            changes.append([educator_id, kind, old, NO_RULE])
    counts = Counter((old, new) for _, _, old, new in changes)
    order = _by_name(session, sorted({c[0] for c in changes}))
    changes.sort(key=lambda c: (order.get(c[0], len(order)), c[1]))
    return {"educators": educators, "licenses": licenses, "changed": len(changes),
            "counts": [[old, new, n] for (old, new), n in sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))],
            "changes": changes}


def _by_name(session, ids: list[int], chunk: int = 1000) -> dict[int, int]:
    """Each educator id's place in name order (last name, first name, id)."""
    rows = []
    for i in range(0, len(ids), chunk):
        rows += session.execute(select(Educator.last_name, Educator.first_name, Educator.id)
                                .where(Educator.id.in_(ids[i:i + chunk]))).all()
    return {row[2]: place for place, row in enumerate(sorted(rows, key=lambda r: (r[0].lower(), r[1].lower(), r[2])))}


def educators_named(session, ids: list[int]) -> dict[int, Educator]:
    return {e.id: e for e in session.scalars(select(Educator).where(Educator.id.in_(ids)))} if ids else {}


# --------------------------------------------------------------------------- pending uploads


def preview_upload(session, principal: Principal, raw, name: str, as_of: date) -> PendingRulebook | None:
    """Check the document as loading would, then keep it with its preview as a pending
    upload of its state; None when its state is new (no educator to preview: the caller
    loads it at once). Nothing else is stored."""
    _, document, state = check_rulebook(session, principal, raw)
    if state is None:
        return None
    purge_expired(session)
    current = newest(session, state.id)
    row = PendingRulebook(id=secrets.token_urlsafe(32), state_id=state.id,
                          base_version=current.version if current else None, document=document,
                          sha256=document_sha256(document), name=name[:200], uploaded_by=principal.actor,
                          uploaded_at=utcnow(), as_of=as_of, summary=status_changes(session, state, document, as_of))
    session.add(row)
    session.flush()
    audit.record(session, principal.actor, "preview_rulebook", "rulebook", f"{state.code} preview",
                 {"sha256": row.sha256, "base_version": row.base_version, "name": row.name,
                  "as_of": as_of.isoformat(), "changed": row.summary.get("changed")})
    return row


def purge_expired(session) -> None:
    session.execute(delete(PendingRulebook).where(PendingRulebook.uploaded_at < utcnow() - _lifetime()))


def _lifetime() -> timedelta:
    return timedelta(hours=PENDING_HOURS)


def expires_at(row: PendingRulebook) -> datetime:
    return row.uploaded_at + _lifetime()


def pending_of(session, state: State, pending_id: str) -> PendingRulebook:
    """The pending upload of this state, else NotFound (whether it never was, was
    published or discarded, or is another state's)."""
    row = session.get(PendingRulebook, pending_id) if isinstance(pending_id, str) and len(pending_id) <= 64 else None
    if row is None or row.state_id != state.id:
        raise NotFound("no such preview: it was published or discarded, or is not this state's")
    return row


def pending_list(session, state: State) -> list[PendingRulebook]:
    return list(session.scalars(select(PendingRulebook).where(
        PendingRulebook.state_id == state.id, PendingRulebook.uploaded_at >= utcnow() - _lifetime())
        .order_by(PendingRulebook.uploaded_at.desc())))


def publish(session, principal: Principal, state: State, pending_id: str, sha256: str) -> RulebookVersion:
    """Load exactly the previewed document, ending the preview. Refused (nothing changes)
    when the preview is unknown or ended, the SHA-256 given is not the previewed
    document's, the preview is older than PENDING_HOURS, or a version was loaded since."""
    principal.require("load_rulebook")
    row = pending_of(session, state, pending_id)
    if not hmac.compare_digest(str(sha256 or ""), row.sha256) or document_sha256(row.document) != row.sha256:
        raise Invalid("this is not the document previewed: upload it again",
                      {"sha256": ["does not match the previewed document"]})
    if utcnow() - row.uploaded_at > _lifetime():
        raise Conflict(f"this preview is older than {PENDING_HOURS} hour{'s' if PENDING_HOURS != 1 else ''}: "
                    "upload the file again to preview it against today's records")
    in_force = session.scalar(select(func.max(RulebookVersion.version)).where(RulebookVersion.state_id == state.id))
    if in_force != row.base_version:
        raise Conflict(f"version {in_force} was loaded after this preview was made: upload the file again "
                    f"to preview it against version {in_force}")
    # Deleting first: of two publishes at once, the second finds no row (PostgreSQL waits
    # for the first to commit; SQLite has one writer) and loads nothing.
    if session.execute(delete(PendingRulebook).where(PendingRulebook.id == row.id)).rowcount != 1:
        raise NotFound("no such preview: it was published or discarded")
    document = row.document
    session.expunge(row)
    return load_rulebook(session, principal, document)


def discard(session, principal: Principal, state: State, pending_id: str) -> PendingRulebook:
    principal.require("load_rulebook")
    row = pending_of(session, state, pending_id)
    session.delete(row)
    session.flush()
    audit.record(session, principal.actor, "discard_rulebook", "rulebook", f"{state.code} preview",
                 {"sha256": row.sha256, "base_version": row.base_version, "name": row.name})
    return row
