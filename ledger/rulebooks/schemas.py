"""What the rulebook calls answer (the request is the rulebook itself: schema.RulebookSchema)."""

from __future__ import annotations

from marshmallow import Schema, fields


class RulebookVersionOut(Schema):
    state = fields.Function(lambda r: r.state.code)
    version = fields.Integer()
    loaded_by = fields.String()
    loaded_at = fields.DateTime()


class RulebookOut(RulebookVersionOut):
    rulebook = fields.Dict(attribute="document")


RULEBOOK_VERSION_OUT = RulebookVersionOut()
RULEBOOK_VERSIONS_OUT = RulebookVersionOut(many=True)
RULEBOOK_OUT = RulebookOut()


class ChangeOut(Schema):
    educator_id = fields.Integer()
    license = fields.String()
    from_status = fields.String(data_key="from", allow_none=True)
    to_status = fields.String(data_key="to", allow_none=True)


class CountOut(Schema):
    from_status = fields.String(data_key="from", allow_none=True)
    to_status = fields.String(data_key="to", allow_none=True)
    educators = fields.Integer(metadata={"description": "licenses moving so (one per educator and license type)"})


class PreviewOut(Schema):
    state = fields.String()
    in_force = fields.Integer(allow_none=True, metadata={"description": "the version in force it was compared with"})
    sha256 = fields.String(metadata={"description": "of the document as it would be stored"})
    as_of = fields.Date()
    educators = fields.Integer()
    licenses = fields.Integer()
    changed = fields.Integer(metadata={"description": "current cycles whose status would change"})
    counts = fields.List(fields.Nested(CountOut))
    changes = fields.List(fields.Nested(ChangeOut), metadata={
        "description": "the first 1,000 changes, by educator name; `changed` counts them all"})


PREVIEW_OUT = PreviewOut()
