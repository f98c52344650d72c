"""Entries' shapes: what a request holds (In) and what the API answers (Out)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..fields import MEASURE, MEASURE_ERROR, code, day, decimal, http_url, line

KINDS = ("microcredential", "activity")


class EntryIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    credential = code(metadata={"description": "catalog code; required for a micro-credential"})
    title = line(300, metadata={"description": "required for an activity"})
    hours = decimal(0, 1000, min_inclusive=False, places=2,
                    metadata={"description": "clock hours: an activity gives hours, or amount and measure"})
    amount = decimal(0, 1000, min_inclusive=False, places=2,
                     metadata={"description": "an activity's amount in `measure` (instead of hours)"})
    measure = fields.String(validate=validate.Regexp(MEASURE, error=MEASURE_ERROR), metadata={
        "description": "clock_hour, ceu, semester_hour, quarter_hour, university_credit, state_credit, "
                       "or a code the state's rulebook converts"})
    tags = fields.List(code(50), validate=validate.Length(max=50))
    earned_on = day(required=True)
    external_id = fields.String(validate=validate.Length(min=1, max=500))
    evidence_url = http_url(2000)

    @validates_schema
    def _by_kind(self, data, **_):
        errors = {}
        if data.get("kind") == "microcredential":
            if not data.get("credential"):
                errors["credential"] = ["required for a micro-credential"]
            for name in ("title", "hours", "tags", "amount", "measure"):
                if data.get(name) is not None:
                    errors[name] = ["only for an activity"]
        elif data.get("kind") == "activity":
            if data.get("title") is None:
                errors["title"] = ["required for an activity"]
            if data.get("hours") is not None and data.get("amount") is not None:
                errors["amount"] = ["give hours or amount with its measure, not both"]
            elif data.get("amount") is not None and data.get("measure") is None:
                errors["measure"] = ["required with amount: what the amount is in (ceu, semester_hour...)"]
            elif data.get("measure") is not None and data.get("amount") is None:
                errors["amount"] = ["required with measure"]
            elif data.get("hours") is None and data.get("amount") is None:
                errors["hours"] = ["required for an activity (or amount and measure)"]
            if data.get("credential") is not None:
                errors["credential"] = ["only for a micro-credential"]
        if errors:
            raise ValidationError(errors)


# The document states EntryIn's rules by kind as two shapes (JSON Schema's oneOf, told apart
# by `kind`); EntryIn checks the same and names each field out of place.
class _EntryDoc(Schema):
    earned_on = EntryIn._declared_fields["earned_on"]
    external_id = EntryIn._declared_fields["external_id"]
    evidence_url = EntryIn._declared_fields["evidence_url"]


class MicrocredentialEntryIn(_EntryDoc):
    kind = fields.String(required=True, validate=validate.OneOf(["microcredential"]))
    credential = code(required=True, metadata={"description": "catalog code"})


class ActivityEntryIn(_EntryDoc):
    kind = fields.String(required=True, validate=validate.OneOf(["activity"]))
    title = line(300, required=True)
    hours = decimal(0, 1000, min_inclusive=False, places=2, required=True,
                    metadata={"description": "clock hours (0 < hours <= 1000)"})
    tags = EntryIn._declared_fields["tags"]


class MeasuredActivityEntryIn(_EntryDoc):
    """An activity whose amount is in a measure the state's rulebook converts."""

    kind = fields.String(required=True, validate=validate.OneOf(["activity"]))
    title = line(300, required=True)
    amount = decimal(0, 1000, min_inclusive=False, places=2, required=True,
                     metadata={"description": "the amount in `measure` (0 < amount <= 1000)"})
    measure = fields.String(required=True, validate=validate.Regexp(MEASURE, error=MEASURE_ERROR))
    tags = EntryIn._declared_fields["tags"]


# An activity is one of two shapes (hours, or amount and measure), so the document says
# oneOf without a discriminator: `kind` alone does not tell the three apart.
ENTRY_IN_DOC = {"requestBody": {"required": True, "content": {"application/json": {"schema": {
    "oneOf": [MicrocredentialEntryIn, ActivityEntryIn, MeasuredActivityEntryIn],
}}}}}


class VoidOut(Schema):
    reason = fields.String()
    voided_by = fields.String()
    voided_at = fields.DateTime()


class EntryOut(Schema):
    id = fields.Integer()
    educator_id = fields.Integer()
    kind = fields.String()
    credential = fields.Function(lambda e: e.credential.code if e.credential else None, allow_none=True)
    title = fields.Function(lambda e: e.title if e.kind == "activity" else e.credential.title)
    hours = fields.Function(lambda e: None if e.hours is None or e.measure else float(e.hours), allow_none=True,
                            metadata={"type": "number", "description": "clock hours (null for an amount in a measure)"})
    amount = fields.Function(lambda e: None if e.hours is None else float(e.hours), allow_none=True,
                             metadata={"type": "number", "description": "an activity's amount, in measure"})
    measure = fields.Function(lambda e: None if e.kind != "activity" else e.measure or "clock_hour",
                              allow_none=True, metadata={"type": "string"})
    tags = fields.Function(lambda e: list(e.credential.tags) if e.credential else list(e.tags or []))
    earned_on = fields.Date()
    external_id = fields.String(allow_none=True)
    evidence_url = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.DateTime()
    voided = fields.Function(lambda e: e.void is not None)
    void = fields.Nested(VoidOut, allow_none=True)
    verification = fields.Function(
        lambda e: e.received.verification if e.received else None, allow_none=True,
        metadata={"type": "string", "enum": ["verified", "unverifiable", "hosted", None], "description":
                  "an imported badge: verified (its proof checked with a key the state office registered for its "
                  "issuer), hosted (fetched from its issuer) or unverifiable; null when not imported as a badge"})
    verification_detail = fields.Function(lambda e: e.received.detail if e.received else None, allow_none=True,
                                          metadata={"type": "string", "description": "how, or why not"})


class VoidIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


ENTRY_IN = EntryIn()
VOID_IN = VoidIn()
ENTRY_OUT = EntryOut()
ENTRIES_OUT = EntryOut(many=True)
