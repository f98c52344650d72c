"""An educator's entries (list, record) and one entry (read, void)."""

from __future__ import annotations

from flask import g
from sqlalchemy import select

from .. import clock
from ..access.principals import educator_in_scope
from ..http.api import ID, blueprint, errors
from ..models import Entry, db
from . import service
from .schemas import ENTRIES_OUT, ENTRY_IN_DOC, ENTRY_OUT, EntryIn, VoidIn

bp = blueprint("entries", "Ledger entries and voids")


@bp.get(f"/educators/<{ID}:educator_id>/entries")
@bp.response(200, ENTRIES_OUT)
@errors(401, 404)
def list_entries(educator_id):
    educator_in_scope(db.session, g.principal, educator_id)
    return db.session.scalars(
        select(Entry).where(Entry.educator_id == educator_id).order_by(Entry.earned_on, Entry.id)
    ).unique().all()


@bp.post(f"/educators/<{ID}:educator_id>/entries")
@bp.arguments(EntryIn)
@bp.doc(**ENTRY_IN_DOC)
@bp.response(201, ENTRY_OUT)
@bp.alt_response(200, schema=ENTRY_OUT, description="this external_id was already recorded with the same content")
@errors(400, 401, 403, 404, 409, 422)
def post_entry(data, educator_id):
    entry, created = service.record_entry(db.session, g.principal, educator_id, data, clock.today())
    return entry, (201 if created else 200)


@bp.get(f"/entries/<{ID}:entry_id>")
@bp.response(200, ENTRY_OUT)
@errors(401, 404)
def get_entry(entry_id):
    return service.get_entry(db.session, g.principal, entry_id)


@bp.post(f"/entries/<{ID}:entry_id>/void")
@bp.arguments(VoidIn)
@bp.response(200, ENTRY_OUT)
@errors(400, 401, 403, 404, 409, 422)
def void_entry(data, entry_id):
    return service.void_entry(db.session, g.principal, entry_id, data["reason"])
