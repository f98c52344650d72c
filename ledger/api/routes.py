"""The views: parse, call a service, dump."""

from __future__ import annotations

from datetime import date

from flask import g, request
from flask_smorest import Blueprint
from sqlalchemy import or_, select

from .. import catalog as catalog_service
from .. import educators as educator_service
from .. import entries as entry_service
from .. import rulebooks as rulebook_service
from ..catalog import CatalogSchema
from ..models import Credential, District, Educator, Entry, RulebookVersion, State, db
from ..rulebooks import RulebookSchema
from ..scopes import educator_in_scope
from ..standing import educator_standing
from . import authenticate, require_json
from . import schemas as s

ID = "id"  # see IdConverter: an id that cannot exist is a 404


def today() -> date:
    return date.today()


def _json_body(schema_cls, description):
    return {"requestBody": {"required": True, "description": description,
                            "content": {"application/json": {"schema": schema_cls}}}}


rulebooks = Blueprint("rulebooks", __name__, description="State rulebooks (versioned)")
catalog = Blueprint("catalog", __name__, description="Issuers and credentials")
educators = Blueprint("educators", __name__, description="Educators, their entries and standing")
entries = Blueprint("entries", __name__, description="Ledger entries and voids")
blueprints = [rulebooks, catalog, educators, entries]
for _bp in blueprints:
    _bp.before_request(authenticate)
    _bp.before_request(require_json)

def _errors(*codes):
    """Document the error answers a view gives; all share flask-smorest's Error schema."""
    def wrap(f):
        for c in codes:
            f = rulebooks.alt_response(c, response="DEFAULT_ERROR")(f)
        return f
    return wrap


@rulebooks.post("/rulebooks")
@rulebooks.doc(**_json_body(RulebookSchema, "a state rulebook (CONTRACT.md section 2)"))
@rulebooks.response(201, s.RulebookVersionOut)
@_errors(400, 401, 403, 422)
def post_rulebook():
    row = rulebook_service.load_rulebook(db.session, g.principal, request.get_json())
    db.session.commit()
    return row


@rulebooks.get("/rulebooks/<state>")
@rulebooks.response(200, s.RulebookOut)
@_errors(401, 404)
def get_rulebook(state):
    return rulebook_service.newest_version(db.session, state)


@rulebooks.get("/rulebooks/<state>/versions")
@rulebooks.response(200, s.RulebookVersionOut(many=True))
@_errors(401, 404)
def rulebook_versions(state):
    rulebook_service.newest_version(db.session, state)
    return db.session.scalars(
        select(RulebookVersion).join(State).where(State.code == state.upper())
        .order_by(RulebookVersion.version.desc())
    ).all()


@catalog.post("/catalog")
@catalog.doc(**_json_body(CatalogSchema, "issuers and credentials to add or update"))
@catalog.response(200, s.CatalogLoadOut)
@_errors(400, 401, 403, 422)
def post_catalog():
    summary = catalog_service.load_catalog(db.session, g.principal, request.get_json())
    db.session.commit()
    return summary


@catalog.get("/catalog")
@catalog.response(200, s.CredentialOut(many=True))
@_errors(401)
def get_catalog():
    return db.session.scalars(select(Credential).order_by(Credential.code)).all()


@educators.post("/educators")
@educators.arguments(s.EducatorIn)
@educators.response(201, s.EducatorOut)
@_errors(400, 401, 403, 409, 422)
def post_educator(data):
    return educator_service.create_educator(db.session, g.principal, data)


@educators.get("/educators")
@educators.arguments(s.EducatorListQuery, location="query")
@educators.response(200, s.EducatorOut(many=True), headers={
    "X-Total-Count": {"description": "how many educators match", "schema": {"type": "integer"}}})
@_errors(401, 422)
def list_educators(query):
    stmt = select(Educator).where(g.principal.educator_clause())
    if query.get("q"):
        like = f"%{query['q'].lower()}%"
        stmt = stmt.where(or_(
            Educator.license_number.ilike(like), Educator.last_name.ilike(like), Educator.first_name.ilike(like)
        ))
    if query.get("district"):
        stmt = stmt.join(District, Educator.district_id == District.id).where(District.code == query["district"])
    if query.get("state"):
        stmt = stmt.join(State, Educator.state_id == State.id).where(State.code == query["state"].upper())
    total = db.session.scalar(select(db.func.count()).select_from(stmt.subquery()))
    page, size = query["page"], query["page_size"]
    headers = {"X-Total-Count": str(total)}
    if (page - 1) * size >= total:
        return [], 200, headers  # past the last page, however large the number
    found = db.session.scalars(
        stmt.order_by(Educator.last_name, Educator.first_name, Educator.id).offset((page - 1) * size).limit(size)
    ).all()
    return found, 200, headers


@educators.get(f"/educators/<{ID}:educator_id>")
@educators.response(200, s.EducatorOut)
@_errors(401, 404)
def get_educator(educator_id):
    return educator_in_scope(db.session, g.principal, educator_id)


@educators.get(f"/educators/<{ID}:educator_id>/entries")
@educators.response(200, s.EntryOut(many=True))
@_errors(401, 404)
def list_entries(educator_id):
    educator_in_scope(db.session, g.principal, educator_id)
    return db.session.scalars(
        select(Entry).where(Entry.educator_id == educator_id).order_by(Entry.earned_on, Entry.id)
    ).unique().all()


@educators.post(f"/educators/<{ID}:educator_id>/entries")
@educators.arguments(s.EntryIn)
@educators.response(201, s.EntryOut)
@educators.alt_response(200, schema=s.EntryOut, description="this external_id was already recorded with the same content")
@_errors(400, 401, 403, 404, 409, 422)
def post_entry(data, educator_id):
    entry, created = entry_service.record_entry(db.session, g.principal, educator_id, data, today())
    return entry, (201 if created else 200)


@educators.get(f"/educators/<{ID}:educator_id>/standing")
@educators.arguments(s.StandingQuery, location="query")
@educators.response(200, s.StandingOut)
@_errors(401, 404, 422)
def get_standing(query, educator_id):
    educator = educator_in_scope(db.session, g.principal, educator_id)
    return educator_standing(db.session, educator, query.get("state"), query.get("as_of") or today())


@entries.get(f"/entries/<{ID}:entry_id>")
@entries.response(200, s.EntryOut)
@_errors(401, 404)
def get_entry(entry_id):
    return entry_service.get_entry(db.session, g.principal, entry_id)


@entries.post(f"/entries/<{ID}:entry_id>/void")
@entries.arguments(s.VoidIn)
@entries.response(200, s.EntryOut)
@_errors(400, 401, 403, 404, 409, 422)
def void_entry(data, entry_id):
    return entry_service.void_entry(db.session, g.principal, entry_id, data["reason"])
