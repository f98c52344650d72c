"""The catalog's shapes: what a catalog file or POST holds (In), what the API answers (Out)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..fields import CODE, decimal, line


class IssuerSchema(Schema):
    code = fields.String(required=True, validate=[validate.Length(min=1, max=40), CODE])
    name = line(200, required=True)


class CredentialSchema(Schema):
    code = fields.String(required=True, validate=[validate.Length(min=1, max=80), CODE])
    title = line(300, required=True)
    issuer = fields.String(required=True, validate=[validate.Length(min=1, max=40), CODE])
    tags = fields.List(
        fields.String(validate=[validate.Length(min=1, max=50), CODE]),
        load_default=list, validate=validate.Length(max=50),
    )
    estimated_hours = decimal(0, 10000, load_default=None, allow_none=True)
    badge_id = fields.String(
        load_default=None, allow_none=True,
        validate=[validate.Length(max=500), validate.URL(require_tld=False, schemes={"http", "https", "urn"})],
    )


class CatalogSchema(Schema):
    issuers = fields.List(fields.Nested(IssuerSchema), load_default=list)
    credentials = fields.List(fields.Nested(CredentialSchema), load_default=list)


catalog_schema = CatalogSchema()


class CredentialOut(Schema):
    code = fields.String()
    title = fields.String()
    issuer = fields.Function(lambda c: c.issuer.code)
    tags = fields.List(fields.String())
    estimated_hours = fields.Float(allow_none=True)
    badge_id = fields.String(allow_none=True)
    reviewed = fields.Boolean()


class CatalogLoadOut(Schema):
    issuers = fields.Integer()
    credentials_created = fields.Integer()
    credentials_updated = fields.Integer()


CREDENTIALS_OUT = CredentialOut(many=True)
CATALOG_LOAD_OUT = CatalogLoadOut()
