"""Salary runs' and exports' shapes."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..fields import day


class SalaryRunIn(Schema):
    pay_date = day(required=True)


class SalaryRowOut(Schema):
    educator_id = fields.Integer()
    license_number = fields.String()
    name = fields.String()
    credits_total = fields.Float()
    credits_new = fields.Float()
    lane = fields.String(allow_none=True)
    lane_changed = fields.Boolean()
    base_salary_pct = fields.Float()
    designations = fields.List(fields.String())


class SalaryRunOut(Schema):
    id = fields.Integer()
    district = fields.String()
    pay_date = fields.String()
    run_by = fields.String()
    run_at = fields.String()
    rulebook_version = fields.Integer()
    rows = fields.List(fields.Nested(SalaryRowOut))


class ExportQuery(Schema):
    as_of = day(metadata={"description": "standing as of this day (default today)"})


SALARY_RUN_IN = SalaryRunIn()
SALARY_RUN_OUT = SalaryRunOut()
