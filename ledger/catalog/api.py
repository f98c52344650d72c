"""POST /catalog (upsert) and GET /catalog."""

from __future__ import annotations

from flask import g, request
from sqlalchemy import select

from ..http.api import blueprint, errors, json_body
from ..models import Credential, db
from . import service
from .schemas import CATALOG_LOAD_OUT, CREDENTIALS_OUT, REVIEWED_OUT, CatalogSchema, ReviewIn

bp = blueprint("catalog", "Issuers and credentials")


@bp.post("/catalog")
@bp.doc(**json_body(CatalogSchema, "issuers and credentials to add or update"))
@bp.response(200, CATALOG_LOAD_OUT)
@errors(400, 401, 403, 422)
def post_catalog():
    return service.load_catalog(db.session, g.principal, request.get_json())


@bp.get("/catalog")
@bp.response(200, CREDENTIALS_OUT)
@errors(401)
def get_catalog():
    return db.session.scalars(select(Credential).order_by(Credential.code)).all()


@bp.post("/catalog/<code>/review")
@bp.arguments(ReviewIn)
@bp.response(200, REVIEWED_OUT)
@errors(400, 401, 403, 404, 422)
def review(data, code):
    """A state office or an admin approves or rejects a credential (CONTRACT.md section 3)."""
    credential, made, entries = service.review_credential(db.session, g.principal, code, data)
    return {"credential": credential, "review": made, "entries": entries}
