"""Request and response schemas: each says which way it goes (`...In`, `...Out`)."""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..rulebooks import CODE, decimal

DATES = validate.Range(min=dt.date(1900, 1, 1), max=dt.date(2200, 12, 31), error="must be between 1900-01-01 and 2200-12-31")
NAME = validate.Length(min=1, max=100)


def code(max_len=80, **kw):
    return fields.String(validate=[validate.Length(min=1, max=max_len), CODE], **kw)


class LicenseIn(Schema):
    type = code(50, required=True)
    cycle_start = fields.Date(required=True, validate=DATES)
    cycle_end = fields.Date(required=True, validate=DATES)
    state = fields.String(validate=validate.Regexp(r"^[A-Za-z]{2}$", error="a two-letter state code"))

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
    state = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z]{2}$", error="a two-letter state code"))
    first_name = fields.String(required=True, validate=NAME)
    last_name = fields.String(required=True, validate=NAME)
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))
    district = fields.String(load_default=None, allow_none=True, validate=validate.Length(min=1, max=20))
    employed_since = fields.Date(load_default=None, allow_none=True, validate=DATES,
                                 metadata={"description": "when the district employment began (default today)"})
    licenses = fields.List(fields.Nested(LicenseIn), load_default=list, validate=validate.Length(max=20))


class LicenseOut(Schema):
    id = fields.Integer()
    type = fields.String()
    state = fields.Function(lambda l: l.state.code)
    cycle_start = fields.Date()
    cycle_end = fields.Date()


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
    state = fields.String(validate=validate.Regexp(r"^[A-Za-z]{2}$"))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1), metadata={"description": "from 1"})
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class ErrorOut(Schema):
    code = fields.Integer(metadata={"description": "the HTTP status"})
    status = fields.String(metadata={"description": "the HTTP status phrase"})
    message = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "each bad field's path and its messages"})
    entry_id = fields.Integer(metadata={"description": "on a conflict: the entry already recorded"})


KINDS = ("microcredential", "activity")


class EntryIn(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    credential = code(metadata={"description": "catalog code; required for a micro-credential"})
    title = fields.String(validate=validate.Length(min=1, max=300), metadata={"description": "required for an activity"})
    hours = decimal(0, 1000, min_inclusive=False, places=2,
                    metadata={"description": "clock hours, required for an activity (0 < hours <= 1000)"})
    tags = fields.List(code(50), validate=validate.Length(max=50))
    earned_on = fields.Date(required=True, validate=DATES)
    external_id = fields.String(validate=validate.Length(min=1, max=500))
    evidence_url = fields.Url(validate=validate.Length(max=2000), schemes={"http", "https"})

    @validates_schema
    def _by_kind(self, data, **_):
        errors = {}
        if data.get("kind") == "microcredential":
            if not data.get("credential"):
                errors["credential"] = ["required for a micro-credential"]
            for name in ("title", "hours", "tags"):
                if data.get(name) is not None:
                    errors[name] = ["only for an activity"]
        elif data.get("kind") == "activity":
            for name in ("title", "hours"):
                if data.get(name) is None:
                    errors[name] = ["required for an activity"]
            if data.get("credential") is not None:
                errors["credential"] = ["only for a micro-credential"]
        if errors:
            raise ValidationError(errors)


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
    hours = fields.Float(allow_none=True)
    tags = fields.Function(lambda e: list(e.credential.tags) if e.credential else list(e.tags or []))
    earned_on = fields.Date()
    external_id = fields.String(allow_none=True)
    evidence_url = fields.String(allow_none=True)
    recorded_by = fields.String()
    recorded_at = fields.DateTime()
    voided = fields.Function(lambda e: e.void is not None)
    void = fields.Nested(VoidOut, allow_none=True)


class VoidIn(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class StandingQuery(Schema):
    state = fields.String(validate=validate.Regexp(r"^[A-Za-z]{2}$", error="a two-letter state code"))
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


class RulebookVersionOut(Schema):
    state = fields.Function(lambda r: r.state.code)
    version = fields.Integer()
    loaded_by = fields.String()
    loaded_at = fields.DateTime()


class RulebookOut(RulebookVersionOut):
    rulebook = fields.Dict(attribute="document")


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
