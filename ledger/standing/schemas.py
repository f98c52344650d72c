"""The standing answer's shape (CONTRACT.md section 4, GET /educators/{id}/standing)."""

from __future__ import annotations

from marshmallow import Schema, fields

from ..fields import DATES, STATE_CODE


class StandingQuery(Schema):
    state = fields.String(validate=STATE_CODE)
    as_of = fields.Date(validate=DATES, metadata={"description": "default today"})


class StandingEntryOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    credential = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    earned_on = fields.String()
    units = fields.Float()
    rule = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class MinimumOut(Schema):
    tag = fields.String()
    required_units = fields.Float()
    earned_units = fields.Float()
    met = fields.Boolean()


class PaceOut(Schema):
    days_left = fields.Integer()
    months_left = fields.Float()
    units_per_month = fields.Float()


class RenewalOut(Schema):
    license = fields.String()
    cycle_start = fields.String()
    cycle_end = fields.String()
    required_units = fields.Float()
    earned_units = fields.Float()
    remaining_units = fields.Float()
    status = fields.String(metadata={"enum": ["complete", "lapsed", "in_progress"]})
    microcredential_units = fields.Float()
    microcredential_units_counted = fields.Float()
    max_microcredential_units = fields.Float(allow_none=True)
    activity_units = fields.Float()
    minimums = fields.List(fields.Nested(MinimumOut))
    pace = fields.Nested(PaceOut, allow_none=True)
    counted_entries = fields.List(fields.Integer())
    rule = fields.String()
    rulebook_version = fields.Integer()


class PeriodOut(Schema):
    period = fields.Integer()
    period_start = fields.String()
    period_end = fields.String(metadata={"description": "the last day inside the period"})
    counted = fields.Integer()
    required_count = fields.Integer()
    remaining = fields.Integer()
    status = fields.String(metadata={"enum": ["met", "open", "lapsed", "upcoming"]})
    counted_entries = fields.List(fields.Integer())


class GroupOut(Schema):
    group = fields.Integer()
    choose = fields.Integer()
    counted = fields.Integer()
    missing = fields.Integer()
    from_ = fields.List(fields.String(), data_key="from", allow_none=True)
    tags = fields.List(fields.String(), allow_none=True)


class CountedOut(Schema):
    entry_id = fields.Integer()
    credential = fields.String()
    earned_on = fields.String()
    role = fields.String(metadata={"enum": ["core", "elective"]})
    group = fields.Integer(allow_none=True)
    extra = fields.Boolean(metadata={"description": "eligible, beyond what its group needs"})


class EffectsOut(Schema):
    base_salary_pct = fields.Float()
    salary_lane = fields.String(allow_none=True)


class ForecastGapOut(Schema):
    group = fields.Integer()
    missing = fields.Integer()


class ForecastOut(Schema):
    needed = fields.Integer()
    by = fields.String(allow_none=True)
    core = fields.List(fields.String())
    electives = fields.List(fields.Nested(ForecastGapOut))
    falls_out = fields.List(fields.String())
    period = fields.Integer(allow_none=True)
    summary = fields.String()


class PathwayOut(Schema):
    code = fields.String()
    status = fields.String(metadata={"enum": ["in_progress", "active", "lapsed", "permanent"]})
    awarded_on = fields.String(allow_none=True)
    counted = fields.Integer()
    required_count = fields.Integer()
    missing_core = fields.List(fields.String())
    maintenance = fields.Nested(PeriodOut, allow_none=True)
    lapsed_on = fields.String(allow_none=True)
    name = fields.String()
    designation = fields.String(allow_none=True)
    owner = fields.String(metadata={"description": "the state's or the district's code"})
    window_years = fields.Integer(allow_none=True)
    window_opens = fields.String(allow_none=True)
    permanent_on = fields.String(allow_none=True)
    effects_hold = fields.Boolean()
    effects = fields.Nested(EffectsOut)
    core = fields.List(fields.String())
    electives = fields.List(fields.Nested(GroupOut))
    missing_total = fields.Integer()
    counted_entries = fields.List(fields.Nested(CountedOut))
    periods = fields.List(fields.Nested(PeriodOut))
    forecast = fields.Nested(ForecastOut, allow_none=True)
    rule = fields.String()


class NextLaneOut(Schema):
    name = fields.String()
    min_credits = fields.Float()
    credits_needed = fields.Float()


class SalaryOut(Schema):
    district = fields.String()
    credits = fields.Float()
    lane = fields.String(allow_none=True)
    base_salary_pct = fields.Float()
    credits_per_mc = fields.Float()
    microcredentials = fields.Integer()
    lane_by_credits = fields.String(allow_none=True)
    lane_by_designation = fields.String(allow_none=True)
    designations = fields.List(fields.String())
    next_lane = fields.Nested(NextLaneOut, allow_none=True)


class StandingOut(Schema):
    educator_id = fields.Integer()
    state = fields.String()
    as_of = fields.String()
    unit = fields.String()
    rulebook_version = fields.Integer()
    entries = fields.List(fields.Nested(StandingEntryOut))
    renewal = fields.List(fields.Nested(RenewalOut))
    pathways = fields.List(fields.Nested(PathwayOut))
    salary = fields.Nested(SalaryOut, allow_none=True)


STANDING_OUT = StandingOut()
