"""The catalog's shapes: what a catalog file or POST holds (In), what the API answers (Out)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

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


class ReviewIn(Schema):
    decision = fields.String(required=True, validate=validate.OneOf(["approved", "rejected"]))
    reason = line(1000, metadata={"description": "required for a rejection: why the badge is not genuine"})

    @validates_schema
    def _reason(self, data, **_):
        if data.get("decision") == "rejected" and not (data.get("reason") or "").strip():
            raise ValidationError("required for a rejection", "reason")


class ReviewOut(Schema):
    decision = fields.String()
    reason = fields.String(allow_none=True)
    actor = fields.String()
    at = fields.DateTime()


class CredentialOut(Schema):
    code = fields.String()
    title = fields.String()
    issuer = fields.Function(lambda c: c.issuer.code)
    tags = fields.List(fields.String())
    estimated_hours = fields.Float(allow_none=True)
    badge_id = fields.String(allow_none=True)
    reviewed = fields.Boolean(metadata={"description": "approved: it counts"})
    review_status = fields.String(metadata={"enum": ["approved", "pending", "rejected"]})


class ReviewedOut(Schema):
    credential = fields.Nested(CredentialOut)
    review = fields.Nested(ReviewOut, metadata={"description": "the review just made"})
    entries = fields.Integer(metadata={"description": "active entries of this credential: what the review changed"})


class CatalogLoadOut(Schema):
    issuers = fields.Integer()
    credentials_created = fields.Integer()
    credentials_updated = fields.Integer()


CREDENTIALS_OUT = CredentialOut(many=True)
REVIEW_IN = ReviewIn()
REVIEWED_OUT = ReviewedOut()
CATALOG_LOAD_OUT = CatalogLoadOut()
