"""GET /educators/{id}/notices: the reminders recorded for an educator (CONTRACT.md section 8)."""

from __future__ import annotations

from flask import g

from ..http.api import ID, blueprint, errors
from ..models import db
from . import views
from .schemas import NOTICES_OUT

bp = blueprint("reminders", "Reminders: the notices recorded for an educator, and what became of each")


@bp.get(f"/educators/<{ID}:educator_id>/notices")
@bp.response(200, NOTICES_OUT)
@errors(401, 404)
def get_notices(educator_id):
    """The educator's notices, newest first: each once per (kind, cycle, threshold)."""
    return views.for_educator(db.session, g.principal, educator_id)
