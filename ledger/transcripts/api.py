"""Transcripts: issue, fetch, revoke (token), and the public verify and key calls."""

from __future__ import annotations

from flask import Response, current_app, g, request
from flask_smorest import Blueprint
from sqlalchemy import select

from .. import clock
from ..errors import NotFound
from ..http.api import ID, blueprint, error_response, errors
from ..models import State, db
from . import keys, publish, service, trust
from .schemas import (
    ClrOut,
    FileCheckOut,
    JwkOut,
    JwksOut,
    ProfileOut,
    RevokeIn,
    TranscriptIn,
    TranscriptOut,
    UnofficialQuery,
    VerifyOut,
)


def _max() -> int:
    return current_app.config["TRANSCRIPT_MAX_ENTRIES"]


bp = blueprint("transcripts", "Official and unofficial transcripts")
public = Blueprint("verify", __name__, description="Anyone: verify a transcript, fetch a state's public key")


def transcript_dict(row) -> dict:
    rev = row.revocation
    return {
        "serial": row.serial,
        "sha256": row.sha256,
        "pdf": service.public_url(f"/api/v1/transcripts/{row.serial}.pdf"),
        "clr": service.public_url(f"/api/v1/transcripts/{row.serial}/clr"),
        "verify": service.public_url(f"/verify/{row.serial}"),
        "educator_id": row.educator_id,
        "state": row.state.code,
        "as_of": row.as_of.isoformat(),
        "issued_at": row.issued_at.isoformat().replace("+00:00", "Z"),
        "issued_by": row.issued_by,
        "revoked": rev is not None,
        "revoked_at": None if rev is None else rev.revoked_at.isoformat().replace("+00:00", "Z"),
        "revoked_reason": None if rev is None else rev.reason,
    }


PDF = {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}


@bp.post(f"/educators/<{ID}:educator_id>/transcripts")
@bp.arguments(TranscriptIn)
@bp.response(201, TranscriptOut)
@errors(400, 401, 403, 404, 422, 503)
def post_transcript(data, educator_id):
    row = service.issue(db.session, g.principal, educator_id, state=data["state"], max_entries=_max(),
                        as_of=data.get("as_of"), today=clock.today())
    return transcript_dict(row)


@bp.get(f"/educators/<{ID}:educator_id>/transcripts")
@bp.response(200, TranscriptOut(many=True))
@errors(401, 404)
def list_transcripts(educator_id):
    return [transcript_dict(r) for r in service.for_educator(db.session, g.principal, educator_id)]


@bp.get(f"/educators/<{ID}:educator_id>/transcript.pdf")
@bp.arguments(UnofficialQuery, location="query")
@bp.doc(responses={"200": {"description": "an unofficial transcript (not recorded)", **PDF}})
@errors(401, 404, 422)
def get_unofficial(query, educator_id):
    pdf, educator = service.unofficial(db.session, g.principal, educator_id, state=query.get("state"),
                                       as_of=query.get("as_of"), today=clock.today(), max_entries=_max())
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="unofficial-{educator.license_number}.pdf"'.replace("/", "-"),
        "Cache-Control": "no-store",
    })


@bp.get("/transcripts/<serial>")
@bp.response(200, TranscriptOut)
@errors(401, 404)
def get_transcript(serial):
    return transcript_dict(service.get(db.session, g.principal, serial))


@bp.get("/transcripts/<serial>.pdf")
@bp.doc(responses={"200": {"description": "the PDF as issued, byte for byte", **PDF}})
@errors(401, 404)
def get_transcript_pdf(serial):
    row = service.get(db.session, g.principal, serial)
    return Response(service.pdf_bytes(db.session, row), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{row.serial}.pdf"',
        "ETag": f'"{row.sha256}"', "Cache-Control": "private, max-age=31536000, immutable",
    })


VC_JWT = "application/vc+jwt"


@bp.get("/transcripts/<serial>/clr")
@bp.response(200, ClrOut)
@bp.doc(description="The signed CLR: with `Accept: application/vc+jwt`, the bare VC-JWT (the compact JWS, "
        "as issued); otherwise a JSON wrapper holding it and its payload.",
        responses={"200": {"content": {VC_JWT: {"schema": {"type": "string"}}}}})
@errors(401, 404)
def get_transcript_clr(serial):
    import jwt

    row = service.get(db.session, g.principal, serial)
    token = service.clr_token(db.session, row)
    if request.accept_mimetypes.best_match(["application/json", VC_JWT]) == VC_JWT:
        return Response(token, mimetype=VC_JWT, headers={"Vary": "Accept"})
    header = jwt.get_unverified_header(token)
    return {"format": "vc+jwt", "jwt": token, "kid": header.get("kid"),
            "key": service.public_url(f"/api/v1/keys/{row.state.code}"),
            "credential": jwt.decode(token, options={"verify_signature": False})}


@bp.post("/transcripts/<serial>/revoke")
@bp.arguments(RevokeIn)
@bp.response(200, TranscriptOut)
@errors(400, 401, 403, 404, 409, 422)
def revoke_transcript(data, serial):
    row = service.revoke(db.session, g.principal, serial, data["reason"])
    return transcript_dict(row)


@public.get("/verify/<serial>")
@public.doc(security=[])
@public.response(200, VerifyOut)
@public.doc(responses={"404": {"description": "never issued: not valid",
                               "content": {"application/json": {"schema": VerifyOut}}}})
def verify(serial):
    row = service.find(db.session, serial)
    body = service.verification(row, serial)
    return body, (200 if row is not None else 404)


# A file of no bytes is no file: 400 (the document says so with minLength and the 400 answer).
FILE = {"schema": {"type": "string", "format": "binary", "minLength": 1}}


@public.post("/verify/<serial>")
@public.doc(security=[], requestBody={
    "required": True, "description": "a PDF file (at least one byte), to tell whether it is the one issued",
    "content": {"application/pdf": FILE, "application/octet-stream": FILE}})
@public.response(200, FileCheckOut)
@public.doc(responses={"404": {"description": "never issued: not valid",
                               "content": {"application/json": {"schema": FileCheckOut}}}})
@public.alt_response(400, response="DEFAULT_ERROR", description="no file sent (an empty body)")
@public.alt_response(413, response="DEFAULT_ERROR")
def verify_file(serial):
    data = request.get_data(cache=False)
    if not data:
        return error_response(400, "send the PDF file as the body", {"_body": ["empty"]})
    row = service.find(db.session, serial)
    check = service.check_file(row, data)
    body = {**service.verification(row, serial), "matches": check["matches"], "file_sha256": check["sha256"]}
    return body, (200 if row is not None else 404)


@public.get("/keys")
@public.doc(security=[])
@public.response(200, JwksOut)
def get_keys():
    """Every public signing key (JWKS) any state signs or ever signed with (retired keys
    stay, so what they signed still verifies). Each `kid` is the key's DID URL, as in the
    headers of the JWTs it signed."""
    codes = db.session.scalars(select(State.code).order_by(State.code)).all()
    return {"keys": [trust.published(k) for c in codes for k in keys.public_jwks(c)]}


@public.get("/keys/<state>")
@public.doc(security=[])
@public.response(200, JwkOut)
@errors(404)
def get_key(state):
    code = state.upper()
    known = len(code) == 2 and db.session.scalar(select(State.id).where(State.code == code)) is not None
    if not known or not keys.has_key(code):
        raise NotFound(f"no signing key for state {state!r}")
    return trust.published(keys.public_jwk(code))


@public.get("/issuers/<state>")
@public.doc(security=[], summary="A state office as an Open Badges 3.0 issuer Profile (JSON-LD): what a CLR's "
            "issuer.id names")
@public.response(200, ProfileOut)
@errors(404)
def get_issuer(state):
    return publish.issuer_profile(db.session, state)


VC_JWT_BODY = {"content": {VC_JWT: {"schema": {"type": "string"}}}}


@public.get(f"/status/<state>/<{ID}:number>")
@public.doc(security=[], summary="A state's revocation status list: a W3C BitstringStatusListCredential, signed "
            "as a VC-JWT with the state's key", responses={"200": {"description": "the signed list, as of now",
                                                                   **VC_JWT_BODY}})
@errors(404)
def get_status_list(state, number):
    return Response(publish.status_list_jwt(db.session, state, number), mimetype=VC_JWT,
                    headers={"Cache-Control": "public, max-age=60"})
