"""POST/GET /educators, GET /educators/{id}, and where an educator works (employment)."""

from __future__ import annotations

from flask import g

from .. import clock
from ..access.principals import educator_in_scope
from ..http.api import ID, blueprint, errors
from ..models import db
from . import employment, search, service
from .schemas import EDUCATOR_OUT, EDUCATORS_OUT, EMPLOYMENT_OUT, EducatorIn, EducatorListQuery, MoveIn

bp = blueprint("educators", "Educators, their licenses and employment")


@bp.post("/educators")
@bp.arguments(EducatorIn)
@bp.response(201, EDUCATOR_OUT)
@errors(400, 401, 403, 409, 422)
def post_educator(data):
    return service.create_educator(db.session, g.principal, data)


@bp.get("/educators")
@bp.arguments(EducatorListQuery, location="query")
@bp.response(200, EDUCATORS_OUT, headers={
    "X-Total-Count": {"description": "how many educators match", "schema": {"type": "integer"}}})
@errors(401, 422)
def list_educators(query):
    found, total = search.search(db.session, g.principal, query.get("q"), query.get("district"),
                                 query.get("state"), query["page"], query["page_size"])
    return found, 200, {"X-Total-Count": str(total)}


@bp.get(f"/educators/<{ID}:educator_id>")
@bp.response(200, EDUCATOR_OUT)
@errors(401, 404)
def get_educator(educator_id):
    return educator_in_scope(db.session, g.principal, educator_id)


@bp.get(f"/educators/<{ID}:educator_id>/employment")
@bp.response(200, EMPLOYMENT_OUT)
@errors(401, 404)
def get_employment(educator_id):
    return employment.history(db.session, g.principal, educator_id)


@bp.post(f"/educators/<{ID}:educator_id>/employment")
@bp.arguments(MoveIn)
@bp.response(200, EMPLOYMENT_OUT)
@errors(400, 401, 403, 404, 422)
def post_employment(data, educator_id):
    employment.move(db.session, g.principal, educator_id, data["district"], data["started_on"], clock.today())
    return employment.history(db.session, g.principal, educator_id)
