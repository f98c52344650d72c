"""What a verifier fetches, without a token and from any origin (CORS: http/headers.py):
the ledger's DID document, each state office's issuer profile, and each state's signed
revocation status lists. Every id in them comes from PUBLIC_URL (trust.py)."""

from __future__ import annotations

from flask import Blueprint as FlaskBlueprint
from flask import Response, jsonify
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from ..errors import NotFound
from ..http.api import ID, errors
from ..models import State, db, utcnow
from ..rulebooks.service import newest_version
from . import clr, document, keys, status, trust

VC_JWT = "application/vc+jwt"
bp = Blueprint("trust", __name__, description="Anyone: the issuer profiles and revocation status lists "
               "that a transcript's CLR names")
wellknown = FlaskBlueprint("wellknown", __name__)


def _state(code: str) -> State:
    row = None
    if len(code) == 2 and code.isascii() and code.isalpha():
        row = db.session.scalar(select(State).where(State.code == code.upper()))
    if row is None or not keys.public_jwks(row.code):
        raise NotFound(f"no issuing state {code[:20]!r}")
    return row


def _office(state: State) -> str:
    try:
        return document.office_name(newest_version(db.session, state.code).document, state.name)
    except NotFound:
        return f"{state.name} Educator Licensure Office"


class ProfileOut(Schema):
    class Meta:
        unknown = "include"

    context = fields.List(fields.String(), data_key="@context")
    id = fields.String()
    type = fields.List(fields.String())
    name = fields.String()
    url = fields.String()
    description = fields.String()


@bp.get("/issuers/<state>")
@bp.doc(security=[], summary="A state office as an Open Badges 3.0 issuer Profile (JSON-LD): what a "
        "CLR's issuer.id names")
@bp.response(200, ProfileOut)
@errors(404)
def get_issuer(state):
    row = _state(state)
    return trust.issuer_profile(row.code, row.name, _office(row))


VC_JWT_BODY = {"content": {VC_JWT: {"schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+"
                                                                           "\\.[A-Za-z0-9_-]+$"}}}}


@bp.get(f"/status/<state>/<{ID}:number>")
@bp.doc(security=[], summary="A state's revocation status list: a W3C BitstringStatusListCredential, "
        "signed as a VC-JWT with the state's key", responses={"200": {"description": "the signed list, as of now",
                                                                      **VC_JWT_BODY}})
@errors(404)
def get_status_list(state, number):
    row = _state(state)
    if not 1 <= number <= status.lists_in_use(db.session, row.id):
        raise NotFound(f"no status list {number} for {row.code}")
    url = trust.status_list_url(row.code, number)
    now = utcnow().replace(microsecond=0)
    vc = status.credential(url, trust.issuer_id(row.code), status.revoked_bits(db.session, row.id, number), now)
    return Response(clr.sign(vc, row.code, now), mimetype=VC_JWT,
                    headers={"Cache-Control": "public, max-age=60"})


@wellknown.get("/.well-known/did.json")
@wellknown.get("/did.json")  # did:web with a path (PUBLIC_URL under a prefix) resolves to <path>/did.json
def did_document():
    codes = db.session.scalars(select(State.code).order_by(State.code)).all()
    return jsonify(trust.did_document([c for c in codes if keys.public_jwks(c)]))
