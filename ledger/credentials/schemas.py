"""The registry's and identities' shapes: what a request holds (In), what the API answers (Out)."""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..fields import line

URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SOURCE = validate.Regexp(r"^(did:key:z[1-9A-HJ-NP-Za-km-z]+|did:web:[^\s]+|https?://[^\s]+)$",
                         error="a did:key, a did:web or an http(s):// address")


class IssuerKeyIn(Schema):
    issuer = line(500, required=True, metadata={"description": "the issuer's id as its credentials name it "
                                                               "(OB 3.0 issuer.id, OB 2.0 the BadgeClass's issuer)"})
    source = fields.String(validate=[validate.Length(max=2000), SOURCE], metadata={
        "description": "where the key is: a did:key, a did:web (resolved now, through the safe fetcher) or the "
                       "https:// address of a JWK, JWK Set, DID document or OB 2.0 CryptographicKey"})
    jwk = fields.Dict(metadata={"description": "or the public key itself, as a JWK (Ed25519, P-256 or RSA)"})
    origin = line(1000, required=True, metadata={
        "description": "where the office got it: a letter, a page of the issuer's site, a call with whom"})

    @validates_schema
    def _one_source(self, data, **_):
        if ("source" in data) == ("jwk" in data):
            raise ValidationError("give the key's source or the JWK itself (one of them)", "source")


class RetireIn(Schema):
    reason = line(1000, required=True)


class RemoveIn(Schema):
    reason = line(1000)  # why, for the audit log (optional)


class IssuerKeyOut(Schema):
    id = fields.Integer()
    issuer = fields.String()
    source_kind = fields.String(metadata={"description": "jwk, did:key, did:web or url"})
    source = fields.String()
    origin = fields.String()
    key_id = fields.String(allow_none=True)
    thumbprint = fields.String(metadata={"description": "RFC 7638 SHA-256 thumbprint of the public key"})
    jwk = fields.Dict()
    added_by = fields.String()
    added_at = fields.DateTime()
    retired_at = fields.DateTime(allow_none=True)


class KeysQuery(Schema):
    issuer = fields.String(validate=validate.Length(max=500))


class IdentityIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["email", "did", "url"]))
    value = line(500, required=True)

    @validates_schema
    def _shape(self, data, **_):
        value, kind = data.get("value", ""), data.get("kind")
        if kind == "email" and not EMAIL.match(value):
            raise ValidationError("is not an e-mail address", "value")
        if kind == "did" and not value.startswith("did:"):
            raise ValidationError("a DID starts with did:", "value")
        if kind == "url" and not URI.match(value):
            raise ValidationError("a URL or URN starts with its scheme (https:, urn:)", "value")


class IdentityOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    value = fields.String()
    added_by = fields.String()
    added_at = fields.DateTime()


ISSUER_KEY_IN = IssuerKeyIn()
ISSUER_KEYS_OUT = IssuerKeyOut(many=True)
ISSUER_KEY_OUT = IssuerKeyOut()
RETIRE_IN = RetireIn()
IDENTITY_IN = IdentityIn()
IDENTITY_OUT = IdentityOut()
IDENTITIES_OUT = IdentityOut(many=True)
