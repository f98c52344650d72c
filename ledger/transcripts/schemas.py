"""Transcripts' shapes: requests (In), answers (Out), and the public verify and key answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..fields import STATE_CODE, day

SERIAL = validate.Length(min=1, max=40)


class TranscriptIn(Schema):
    state = fields.String(required=True, validate=STATE_CODE)
    as_of = day(metadata={"description": "default today; never after today"})


class UnofficialQuery(Schema):
    state = fields.String(validate=STATE_CODE,
                          metadata={"description": "default the educator's state"})
    as_of = day(metadata={"description": "default today; never after today"})


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
    sealed = fields.Boolean(metadata={"description": "the stored PDF, its digest and the signed CLR agree"})


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


class ProfileOut(Schema):
    """The issuer profile (JSON-LD)."""

    context = fields.List(fields.String(), data_key="@context")
    id = fields.String()
    type = fields.List(fields.String())
    name = fields.String()
    url = fields.String()
    description = fields.String()
