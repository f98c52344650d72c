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
