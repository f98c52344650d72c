"""Educators' shapes: what a request holds (In) and what the API answers (Out)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..fields import NAME, STATE_CODE, code, day


class LicenseIn(Schema):
    type = code(50, required=True)
    cycle_start = day(required=True)
    cycle_end = day(required=True)
    state = fields.String(validate=STATE_CODE)

    @validates_schema
    def _order(self, data, **_):
        if "cycle_start" in data and "cycle_end" in data and data["cycle_end"] < data["cycle_start"]:
            raise ValidationError("is before cycle_start", "cycle_end")


class EducatorIn(Schema):
    license_number = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=40),
                  validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9\-./ ]*$", error="letters, digits, '-', '.', '/' or spaces")],
    )
    state = fields.String(required=True, validate=STATE_CODE)
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    district = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=20))
    employed_since = day(load_default=None, allow_none=True,
                         metadata={"description": "when the district employment began (default today)"})
    licenses = fields.List(fields.Nested(LicenseIn), load_default=list, validate=validate.Length(max=20))


class LicenseOut(Schema):
    id = fields.Integer()
    type = fields.String()
    state = fields.Function(lambda l: l.state.code)
    cycle_start = fields.Date()
    cycle_end = fields.Date(attribute="current_cycle_end", metadata={"description": "with any extension"})


class EducatorOut(Schema):
    id = fields.Integer()
    license_number = fields.String()
    state = fields.Function(lambda e: e.state.code)
    first_name = fields.String()
    last_name = fields.String()
    email = fields.String(allow_none=True)
    district = fields.Function(lambda e: e.district.code if e.district else None, allow_none=True)
    licenses = fields.List(fields.Nested(LicenseOut))


class EducatorListQuery(Schema):
    q = fields.String(validate=validate.Length(max=100), metadata={"description": "name or license number contains"})
    district = fields.String(validate=validate.Length(max=20))
    state = fields.String(validate=STATE_CODE)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1), metadata={"description": "from 1"})
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class MoveIn(Schema):
    district = fields.String(required=True, allow_none=True, validate=validate.Length(max=20),
                             metadata={"description": "the new district's code; null: no district"})
    started_on = day(required=True)


class EmploymentOut(Schema):
    district = fields.Function(lambda e: e.district.code)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    recorded_by = fields.String()


EDUCATOR_OUT = EducatorOut()
EDUCATORS_OUT = EducatorOut(many=True)
EMPLOYMENT_OUT = EmploymentOut(many=True)
