"""Licenses' shapes (CONTRACT.md section 6): what a request holds (In) and what the API
answers (Out)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..fields import STATE_CODE, code, day, line


class _Ordered(Schema):
    @validates_schema
    def _order(self, data, **_):
        if "cycle_start" in data and "cycle_end" in data and data["cycle_end"] < data["cycle_start"]:
            raise ValidationError("is before cycle_start", "cycle_end")


class LicenseAddIn(_Ordered):
    state = fields.String(required=True, validate=STATE_CODE)
    type = code(50, required=True)
    cycle_start = day(required=True)
    cycle_end = day(required=True)


class RenewalIn(Schema):
    cycle_number = fields.Integer(validate=validate.Range(min=1, max=1000), metadata={
        "description": "the cycle renewed (default the latest)"})
    renewed_on = day(metadata={"description": "default today; not after today, not before the cycle begins"})
    next_cycle_end = day(metadata={"description": "default: the renewed cycle's rule's cycle_years"})
    waive_reason = line(1000, metadata={"description": "renew a cycle that is not complete, saying why"})


class ExtensionIn(Schema):
    cycle_end = day(required=True, metadata={"description": "later than the latest cycle's end now"})
    reason = line(1000, required=True)


class CycleIn(_Ordered):
    cycle_start = day(required=True, metadata={"description": "after the last cycle's end"})
    cycle_end = day(required=True)
    reason = line(1000, required=True)


class EventOut(Schema):
    kind = fields.String(metadata={"enum": ["opened", "renewed", "extended"]})
    at = fields.DateTime()
    actor = fields.String()
    reason = fields.String(allow_none=True)
    renewed_on = fields.Date(allow_none=True)
    cycle_end = fields.Date(allow_none=True)
    snapshot = fields.Dict(allow_none=True, metadata={
        "description": "a renewal: what the cycle had earned, its status and its rule, frozen"})


class CycleOut(Schema):
    number = fields.Integer()
    cycle_start = fields.Date(attribute="row.cycle_start")
    cycle_end = fields.Date(metadata={"description": "with any extension"})
    original_cycle_end = fields.Date(attribute="row.cycle_end", metadata={"description": "as first recorded"})
    status = fields.String(allow_none=True, metadata={"enum": ["complete", "in_progress", "lapsed", None]})
    renewed_on = fields.Date(allow_none=True)
    events = fields.List(fields.Nested(EventOut))


class LicenseCyclesOut(Schema):
    id = fields.Integer()
    state = fields.String()
    type = fields.String()
    cycles = fields.List(fields.Nested(CycleOut))


class RenewedOut(Schema):
    renewed_cycle = fields.Nested(CycleOut)
    next_cycle = fields.Nested(CycleOut)


CYCLE_OUT = CycleOut()
LICENSE_OUT = LicenseCyclesOut()
LICENSES_OUT = LicenseCyclesOut(many=True)
