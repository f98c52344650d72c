"""Transcripts: issue, fetch, revoke (token), and the public verify and key calls."""

from __future__ import annotations

from datetime import date

from flask import Response, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from .. import transcripts as service
from ..models import State, db
from ..transcripts import keys
from . import authenticate, require_json
from .schemas import DATES

ID = "id"
SERIAL = validate.Length(min=1, max=40)

transcripts = Blueprint("transcripts", __name__, description="Official and unofficial transcripts")
transcripts.before_request(authenticate)
transcripts.before_request(require_json)
public = Blueprint("verify", __name__, description="Anyone: verify a transcript, fetch a state's public key")
blueprints = [transcripts, public]


def today() -> date:
    return date.today()


class TranscriptIn(Schema):
    state = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z]{2}$", error="a two-letter state code"))
    as_of = fields.Date(validate=DATES, metadata={"description": "default today; never after today"})


class UnofficialQuery(Schema):
    state = fields.String(validate=validate.Regexp(r"^[A-Za-z]{2}$", error="a two-letter state code"),
                          metadata={"description": "default the educator's state"})
    as_of = fields.Date(validate=DATES, metadata={"description": "default today; never after today"})


class RevokeIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class TranscriptOut(Schema):
    serial = fields.String()
    sha256 = fields.String()
    pdf = fields.String(metadata={"description": "where to GET the PDF"})
    clr = fields.String(metadata={"description": "where to GET the signed CLR 2.0 credential"})
    verify = fields.String(metadata={"description": "the public verify page"})
    educator_id = fields.Integer()
    state = fields.String()
    as_of = fields.String()
    issued_at = fields.String()
    issued_by = fields.String()
    revoked = fields.Boolean()
    revoked_at = fields.String(allow_none=True)
    revoked_reason = fields.String(allow_none=True)


class VerifyEducatorOut(Schema):
    name = fields.String()
    license_number = fields.String()


class VerifyOut(Schema):
    valid = fields.Boolean()
    serial = fields.String()
    issued_at = fields.String(allow_none=True)
    state = fields.String(allow_none=True)
    educator = fields.Nested(VerifyEducatorOut, allow_none=True)
    sha256 = fields.String(allow_none=True)
    revoked = fields.Boolean()
    as_of = fields.String()
    office = fields.String()
    revoked_on = fields.String(allow_none=True)


class FileCheckOut(VerifyOut):
    matches = fields.Boolean(metadata={"description": "the file is byte for byte the PDF issued under this serial"})
    file_sha256 = fields.String()


class ClrOut(Schema):
    format = fields.String(metadata={"description": "vc+jwt"})
    jwt = fields.String(metadata={"description": "the ClrCredential signed with the state's Ed25519 key (EdDSA)"})
    kid = fields.String()
    key = fields.String(metadata={"description": "where the state's public key is"})
    credential = fields.Dict(metadata={"description": "the JWT's payload, for reading"})


class JwkOut(Schema):
    kty = fields.String()
    crv = fields.String()
    x = fields.String()
    kid = fields.String()
    use = fields.String()
    alg = fields.String()


class JwksOut(Schema):
    keys = fields.List(fields.Nested(JwkOut))


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


def _errors(bp, *codes):
    def wrap(f):
        for c in codes:
            f = bp.alt_response(c, response="DEFAULT_ERROR")(f)
        return f
    return wrap


PDF = {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}


@transcripts.post(f"/educators/<{ID}:educator_id>/transcripts")
@transcripts.arguments(TranscriptIn)
@transcripts.response(201, TranscriptOut)
@_errors(transcripts, 400, 401, 403, 404, 422, 503)
def post_transcript(data, educator_id):
    row = service.issue(db.session, g.principal, educator_id, state=data["state"],
                        as_of=data.get("as_of"), today=today())
    db.session.commit()
    return transcript_dict(row)


@transcripts.get(f"/educators/<{ID}:educator_id>/transcripts")
@transcripts.response(200, TranscriptOut(many=True))
@_errors(transcripts, 401, 404)
def list_transcripts(educator_id):
    return [transcript_dict(r) for r in service.for_educator(db.session, g.principal, educator_id)]


@transcripts.get(f"/educators/<{ID}:educator_id>/transcript.pdf")
@transcripts.arguments(UnofficialQuery, location="query")
@transcripts.doc(responses={"200": {"description": "an unofficial transcript (not recorded)", **PDF}})
@_errors(transcripts, 401, 404, 422)
def get_unofficial(query, educator_id):
    pdf, educator = service.unofficial(db.session, g.principal, educator_id, state=query.get("state"),
                                       as_of=query.get("as_of"), today=today())
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="unofficial-{educator.license_number}.pdf"'.replace("/", "-"),
        "Cache-Control": "no-store",
    })


@transcripts.get("/transcripts/<serial>")
@transcripts.response(200, TranscriptOut)
@_errors(transcripts, 401, 404)
def get_transcript(serial):
    return transcript_dict(service.get(db.session, g.principal, serial))


@transcripts.get("/transcripts/<serial>.pdf")
@transcripts.doc(responses={"200": {"description": "the PDF as issued, byte for byte", **PDF}})
@_errors(transcripts, 401, 404)
def get_transcript_pdf(serial):
    row = service.get(db.session, g.principal, serial)
    return Response(service.pdf_bytes(db.session, row), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{row.serial}.pdf"',
        "ETag": f'"{row.sha256}"', "Cache-Control": "private, max-age=31536000, immutable",
    })


@transcripts.get("/transcripts/<serial>/clr")
@transcripts.response(200, ClrOut)
@_errors(transcripts, 401, 404)
def get_transcript_clr(serial):
    import jwt

    row = service.get(db.session, g.principal, serial)
    token = service.clr_token(db.session, row)
    header = jwt.get_unverified_header(token)
    return {"format": "vc+jwt", "jwt": token, "kid": header.get("kid"),
            "key": service.public_url(f"/api/v1/keys/{row.state.code}"),
            "credential": jwt.decode(token, options={"verify_signature": False})}


@transcripts.post("/transcripts/<serial>/revoke")
@transcripts.arguments(RevokeIn)
@transcripts.response(200, TranscriptOut)
@_errors(transcripts, 400, 401, 403, 404, 409, 422)
def revoke_transcript(data, serial):
    row = service.revoke(db.session, g.principal, serial, data["reason"])
    db.session.commit()
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


@public.post("/verify/<serial>")
@public.doc(security=[], requestBody={"required": True, "description": "a PDF file, to tell whether it is the one issued",
                                      "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}},
                                                  "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}})
@public.response(200, FileCheckOut)
@public.doc(responses={"404": {"description": "never issued: not valid",
                               "content": {"application/json": {"schema": FileCheckOut}}}})
@public.alt_response(413, response="DEFAULT_ERROR")
def verify_file(serial):
    row = service.find(db.session, serial)
    check = service.check_file(row, request.get_data(cache=False))
    body = {**service.verification(row, serial), "matches": check["matches"], "file_sha256": check["sha256"]}
    return body, (200 if row is not None else 404)


@public.get("/keys")
@public.doc(security=[])
@public.response(200, JwksOut)
def get_keys():
    """Every state's public signing key (JWKS) that exists."""
    codes = db.session.scalars(select(State.code).order_by(State.code)).all()
    return {"keys": [keys.public_jwk(c) for c in codes if keys.has_key(c)]}


@public.get("/keys/<state>")
@public.doc(security=[])
@public.response(200, JwkOut)
@_errors(public, 404)
def get_key(state):
    from ..errors import NotFound

    code = state.upper()
    if len(code) != 2 or db.session.scalar(select(State.id).where(State.code == code)) is None or not keys.has_key(code):
        raise NotFound(f"no signing key for state {state!r}")
    return keys.public_jwk(code)
