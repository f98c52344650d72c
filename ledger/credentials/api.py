"""The issuer-key registry (GET/POST /issuer-keys, POST /issuer-keys/{id}/retire) and an
educator's recipient identities (GET/POST /educators/{id}/identities, POST
/educators/{id}/identities/{identity_id}/remove)."""

from __future__ import annotations

from flask import g

from ..http.api import ID, blueprint, errors
from ..models import db
from . import service
from .schemas import (
    IDENTITIES_OUT,
    IDENTITY_OUT,
    ISSUER_KEY_OUT,
    ISSUER_KEYS_OUT,
    IdentityIn,
    IssuerKeyIn,
    KeysQuery,
    RemoveIn,
    RetireIn,
)

bp = blueprint("credentials", "Checking what comes in: issuer keys and educators' identities")


@bp.get("/issuer-keys")
@bp.arguments(KeysQuery, location="query")
@bp.response(200, ISSUER_KEYS_OUT)
@errors(401, 422)
def list_keys(query):
    """Every key registered for the issuers whose credentials the ledger checks (retired ones too)."""
    return service.list_keys(db.session, query.get("issuer"))


@bp.post("/issuer-keys")
@bp.arguments(IssuerKeyIn)
@bp.response(201, ISSUER_KEYS_OUT)
@errors(400, 401, 403, 409, 422)
def add_key(data):
    """A state office or an admin registers an issuer's key from its source (resolved now)."""
    return service.add_key(db.session, g.principal, data, service.fetcher())


@bp.post(f"/issuer-keys/<{ID}:key_id>/retire")
@bp.arguments(RetireIn)
@bp.response(200, ISSUER_KEY_OUT)
@errors(400, 401, 403, 404, 409, 422)
def retire_key(data, key_id):
    """A retired key checks nothing from now on; it stays listed."""
    return service.retire_key(db.session, g.principal, key_id, data["reason"])


@bp.get(f"/educators/<{ID}:educator_id>/identities")
@bp.response(200, IDENTITIES_OUT)
@errors(401, 404)
def identities(educator_id):
    return service.identities_of(db.session, g.principal, educator_id)


@bp.post(f"/educators/<{ID}:educator_id>/identities")
@bp.arguments(IdentityIn)
@bp.response(201, IDENTITY_OUT)
@errors(400, 401, 403, 404, 409, 422)
def add_identity(data, educator_id):
    """Another e-mail, DID or URL that names this educator as a badge's recipient."""
    return service.add_identity(db.session, g.principal, educator_id, data["kind"], data["value"])


@bp.post(f"/educators/<{ID}:educator_id>/identities/<{ID}:identity_id>/remove")
@bp.arguments(RemoveIn)
@bp.response(200, IDENTITY_OUT)
@errors(400, 401, 403, 404, 422)
def remove_identity(data, educator_id, identity_id):
    """An identity added by mistake no longer names this educator (answers what it was; the
    optional `reason` goes to the audit log); entries already matched through it stay."""
    return service.remove_identity(db.session, g.principal, educator_id, identity_id, data.get("reason"))
