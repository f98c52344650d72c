"""POST /rulebooks, GET /rulebooks/{state} and its versions."""

from __future__ import annotations

from types import SimpleNamespace

from flask import g, request
from sqlalchemy import select

from .. import clock
from ..access.principals import ADMIN, STATE_OFFICE
from ..http.api import blueprint, errors, json_body
from ..models import RulebookVersion, State, db
from . import preview, service
from .schema import RulebookSchema
from .schemas import PREVIEW_OUT, RULEBOOK_OUT, RULEBOOK_VERSION_OUT, RULEBOOK_VERSIONS_OUT

bp = blueprint("rulebooks", "State rulebooks (versioned)")


@bp.post("/rulebooks")
@bp.doc(**json_body(RulebookSchema, "a state rulebook (CONTRACT.md section 2)"))
@bp.response(201, RULEBOOK_VERSION_OUT)
@errors(400, 401, 403, 422)
def post_rulebook():
    return service.load_rulebook(db.session, g.principal, request.get_json())


@bp.post("/rulebook-previews")  # not under /rulebooks/{state}: "preview" would read as a state
@bp.doc(**json_body(RulebookSchema, "a state rulebook, checked as POST /rulebooks checks it; not loaded, not kept"))
@bp.response(200, PREVIEW_OUT)
@errors(400, 401, 403, 422)
def preview_rulebook():
    """What a rulebook would change if it were loaded now: each educator's current-cycle
    renewal status under the version in force and under this document (the state office's
    page previews the same way). Nothing is loaded or kept; POST /rulebooks loads it."""
    today = clock.today()
    _, document, state = service.check_rulebook(db.session, g.principal, request.get_json())
    summary = {"educators": 0, "licenses": 0, "changed": 0, "counts": [], "changes": []} if state is None else \
        preview.status_changes(db.session, state, document, today)
    current = preview.newest(db.session, state.id) if state is not None else None
    return {"state": document["state"].upper(), "in_force": current.version if current else None,
            "sha256": preview.document_sha256(document), "as_of": today,
            **{k: summary[k] for k in ("educators", "licenses", "changed")},
            "counts": [{"from_status": a, "to_status": b, "educators": n} for a, b, n in summary["counts"]],
            "changes": [{"educator_id": e, "license": t, "from_status": a, "to_status": b}
                        for e, t, a, b in summary["changes"][:1000]]}


@bp.get("/rulebooks/<state>")
@bp.response(200, RULEBOOK_OUT)
@errors(401, 404)
def get_rulebook(state):
    return _shown(service.newest_version(db.session, state))


@bp.get("/rulebooks/<state>/versions")
@bp.response(200, RULEBOOK_VERSIONS_OUT)
@errors(401, 404)
def rulebook_versions(state):
    service.newest_version(db.session, state)
    return [_shown(row) for row in db.session.scalars(
        select(RulebookVersion).join(State).where(State.code == state.upper())
        .order_by(RulebookVersion.version.desc())
    )]


def _shown(row: RulebookVersion):
    """Who loaded a version is a staff sign-in name: the admin and that state's office see
    it; everyone else sees only that the state office loaded it."""
    p = g.principal
    if p.role == ADMIN or (p.role == STATE_OFFICE and p.state_id == row.state_id):
        return row
    return SimpleNamespace(state=row.state, version=row.version, loaded_by=f"the {row.state.code} state office",
                           loaded_at=row.loaded_at, document=row.document)
