"""Every write keeps the standing projection current in its own transaction.

Whatever changes a standing is history the hash chain links at the commit (entries,
voids, cycles, license events, credential reviews, rulebook versions: written through
the ORM or by COPY, each is tracked there), or an educator's own row and employment
(a move changes the district's role cards). Before the commit (before the chain links)
`sync` reads what the transaction wrote, finds the educators it concerns, and judges
them again (projection.project) under the chain's append lock, so two transactions never
project the same educator from different pasts. A reader that must see its own
transaction's writes calls `sync` first.

A new rulebook version judges its state again in the same transaction when the state is
small or a command loaded it; otherwise, after the commit, a Celery task (or, with no
broker, a thread of the web process) refreshes it in batches, each committed, and the
pages say how far it has got (projection.outdated)."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app, has_app_context
from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session

from .. import clock
from ..integrity import chain
from ..models import (
    Credential,
    CredentialReview,
    Educator,
    Employment,
    Entry,
    Issuer,
    License,
    LicenseEvent,
    RulebookVersion,
    Void,
)
from . import projection

DIRTY = "standing_dirty"  # educator ids the ORM saw changed (not chained: educators, employments)
CATALOG = "standing_catalog"  # credential ids and issuer ids a catalog load changed
SEEN = "standing_seen"  # chained rows already projected, by table
QUEUED = "standing_queued"  # states to refresh on Celery after the commit
INLINE_LIMIT = 5000  # a new version judges a state this size or smaller at once


def _resolve(session, table: str, ids: set[int]) -> tuple[set[int], set[int]]:
    """(educator ids, state ids) that these chained rows change."""
    if not ids:
        return set(), set()
    ids_ = sorted(ids)
    if table == "entries":
        stmt = select(Entry.educator_id).where(Entry.id.in_(ids_))
    elif table == "voids":
        stmt = select(Entry.educator_id).join(Void, Void.entry_id == Entry.id).where(Void.id.in_(ids_))
    elif table == "licenses":
        stmt = select(License.educator_id).where(License.id.in_(ids_))
    elif table == "license_events":
        stmt = select(License.educator_id).join(LicenseEvent, LicenseEvent.cycle_id == License.id) \
            .where(LicenseEvent.id.in_(ids_))
    elif table == "credential_reviews":
        reviewed = select(CredentialReview.credential_id).where(CredentialReview.id.in_(ids_))
        stmt = select(Entry.educator_id).where(Entry.credential_id.in_(reviewed)).distinct()
    else:  # rulebook_versions
        return set(), set(session.scalars(select(RulebookVersion.state_id).where(RulebookVersion.id.in_(ids_))))
    return set(session.scalars(stmt)), set()


WATCHED = ("rulebook_versions", "licenses", "license_events", "entries", "voids", "credential_reviews")


def _config(key: str, default):
    return current_app.config.get(key, default) if has_app_context() else default


def sync(session, today: date | None = None) -> int:
    """Judge again the educators this transaction has written about since the last sync;
    how many."""
    session.flush()
    educators: set[int] = set(session.info.pop(DIRTY, ()))
    credentials, issuers = session.info.pop(CATALOG, (set(), set()))
    if credentials or issuers:
        educators |= set(session.scalars(select(Entry.educator_id).where(or_(
            Entry.credential_id.in_(sorted(credentials)),
            Entry.credential_id.in_(select(Credential.id).where(Credential.issuer_id.in_(sorted(issuers))))))
            .distinct()))
    states: set[int] = set()
    pending = session.info.get(chain.PENDING) or {}
    seen = session.info.setdefault(SEEN, {})
    for table in WATCHED:
        new = set(pending.get(table, ())) - seen.get(table, set())
        if new:
            seen.setdefault(table, set()).update(new)
            found, changed = _resolve(session, table, new)
            educators |= found
            states |= changed
    if not educators and not states:
        return 0
    day = today or clock.today()
    for state_id in states:
        everyone = projection.every_educator(session, state_id)
        # a command waits for its state however large (it shows progress); a web request
        # judges a small state at once and leaves a large one to a worker or a thread
        if len(everyone) <= _config("STANDINGS_INLINE_LIMIT", INLINE_LIMIT) or click.get_current_context(True):
            educators.update(everyone)
        else:
            session.info.setdefault(QUEUED, set()).add(state_id)
    return projection.project(session, educators, day)


def _collect(session, _context) -> None:
    dirty = session.info.setdefault(DIRTY, set())
    credentials, issuers = session.info.setdefault(CATALOG, (set(), set()))
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Educator):
            dirty.add(obj.id)
        elif isinstance(obj, Employment):
            dirty.add(obj.educator_id)
        elif isinstance(obj, Credential) and obj not in session.new and session.is_modified(obj):
            credentials.add(obj.id)  # its tags, its issuer: what it is worth
        elif isinstance(obj, Issuer) and obj not in session.new and session.is_modified(obj):
            issuers.add(obj.id)


def _before_commit(session) -> None:
    sync(session)


def _after_commit(session) -> None:
    queued = session.info.pop(QUEUED, None)
    if queued:
        from .tasks import queue_refresh
        for state_id in sorted(queued):
            queue_refresh(state_id)  # on Celery's workers, else in a thread of this process


def _forget(session, transaction) -> None:
    if transaction.parent is None:
        for key in (DIRTY, SEEN, QUEUED, CATALOG):
            session.info.pop(key, None)


def install() -> None:
    """Listen on every session (once): before the chain's own hook, which forgets what
    the transaction wrote once it links it."""
    if event.contains(Session, "before_commit", _before_commit):
        return
    event.listen(Session, "after_flush", _collect)
    event.listen(Session, "before_commit", _before_commit, insert=True)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_transaction_end", _forget)
