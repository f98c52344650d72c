"""The rulebook format (CONTRACT.md section 2), validated whole: every error names its
field path (`exchange_rates[2].effective_from`)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import NamedTuple

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

import pathways

from ..fields import CODE, MAX_UNITS, MEASURE, MEASURE_ERROR, decimal, line


def _units(required=True, minimum=0, **kw):
    return decimal(minimum, MAX_UNITS, required=required, **kw)


def _code(max_len=80, **kw):
    return fields.String(validate=[validate.Length(min=1, max=max_len), CODE], **kw)


def _text(max_len=500, **kw):
    return fields.String(validate=validate.Length(min=1, max=max_len), **kw)


def _date(**kw):
    return fields.Date(validate=validate.Range(min=dt.date(1900, 1, 1), max=dt.date(2200, 12, 31)), **kw)


class _EffectiveDated(Schema):
    """A figure in force from `effective_from` to `effective_to` (inclusive, open-ended
    when null), with the rule text it comes from."""
    effective_from = _date(required=True)
    effective_to = _date(load_default=None, allow_none=True)
    cite = fields.String(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def _order(self, data, **_):
        if data.get("effective_to") and data["effective_to"] < data["effective_from"]:
            raise ValidationError("is before effective_from", "effective_to")


class RateSchema(_EffectiveDated):
    units = _units()
    issuer = _code(40, load_default=None, allow_none=True)
    credential = _code(load_default=None, allow_none=True)


class ConversionSchema(_EffectiveDated):
    measure = fields.String(required=True, validate=validate.Regexp(MEASURE, error=MEASURE_ERROR))
    units = _units()


class MinimumSchema(Schema):
    tag = _code(50, required=True)
    units = _units(required=False, minimum=0, load_default=None, allow_none=True)
    count = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(min=1, max=1000),
                           metadata={"description": "a number of entries bearing the tag, instead of units"})

    @validates_schema
    def _one(self, data, **_):
        if (data.get("units") is None) == (data.get("count") is None):
            raise ValidationError("give units or count, not both" if data.get("units") is not None
                                  else "required: units, or count", "units")


class CategorySchema(Schema):
    name = _code(50, required=True)
    tags = fields.List(_code(50), required=True, validate=validate.Length(min=1, max=50))
    max_units = _units(required=False, load_default=None, allow_none=True)
    max_fraction = decimal(0, 1, min_inclusive=False, required=False, load_default=None, allow_none=True,
                           metadata={"description": "of required_units: above 0, at most 1"})


class HeldSchema(Schema):
    credential = _code(required=True)
    valid_years = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=50), metadata={
        "description": "a certificate is current from the day it is earned for this many years"})


class SatisfiedBy(fields.Field):
    """An item of `satisfied_by`: a catalog code (earned in the cycle, it completes the
    cycle), or `{credential, valid_years}` (held current on the cycle's end, earned before
    the cycle or in it, it completes the cycle)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dict):
            return HeldSchema().load(value)
        return _code().deserialize(value)


class RenewalSchema(Schema):
    license = _code(50, required=True)
    required_units = _units()
    max_microcredential_units = _units(required=False, load_default=None, allow_none=True)
    minimums = fields.List(fields.Nested(MinimumSchema), load_default=list, validate=validate.Length(max=10))
    cite = fields.String(load_default="", validate=validate.Length(max=1000))
    cycles_ending_from = _date(load_default=None, allow_none=True)
    cycles_ending_to = _date(load_default=None, allow_none=True)
    cycle_years = fields.Integer(load_default=None, allow_none=True, strict=True,
                                 validate=validate.Range(min=1, max=20))
    grace_days = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, max=3650))
    carry_over_max_units = _units(required=False, load_default=None, allow_none=True)
    annual_units = _units(required=False, load_default=None, allow_none=True)
    categories = fields.List(fields.Nested(CategorySchema), load_default=list, validate=validate.Length(max=50))
    min_categories = fields.Integer(load_default=None, allow_none=True, strict=True,
                                    validate=validate.Range(min=1, max=50))
    satisfied_by = fields.List(SatisfiedBy(), load_default=list, validate=validate.Length(max=100), metadata={
        "description": "catalog codes, or {credential, valid_years} for a certificate held current"})
    units_per_other_license = _units(required=False, load_default=None, allow_none=True, metadata={
        "description": "added to required_units for each other license type held on the cycle's end (MA)"})
    highest_of_held = fields.Boolean(load_default=False, metadata={
        "description": "an educator holding several license types whose rules say so completes the highest "
                       "required_units of them (TX)"})
    exclusive_minimums = fields.Boolean(load_default=False, metadata={
        "description": "a unit of an entry counts toward one minimum only"})
    year_starts = fields.String(load_default="07-01", validate=validate.Regexp(
        r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", error="a month and day, MM-DD (07-01)"))

    @validates_schema
    def _range(self, data, **_):
        if data.get("cycles_ending_from") and data.get("cycles_ending_to") \
                and data["cycles_ending_to"] < data["cycles_ending_from"]:
            raise ValidationError("is before cycles_ending_from", "cycles_ending_to")
        _check_categories(data)
        starts = data.get("year_starts") or "07-01"
        if starts == "02-29":
            raise ValidationError("02-29 is not a day every year has: choose another", "year_starts")
        try:
            dt.date(2023, *map(int, starts.split("-")))
        except ValueError:
            raise ValidationError(f"{starts} is not a day of the year", "year_starts") from None


def _check_categories(data: dict) -> None:
    """Names unique; every category reachable (one of its tags not taken by an earlier
    one: an entry belongs to the first category whose tags it bears); `min_categories`
    no more than the categories there are."""
    categories = data.get("categories") or []
    seen_names: set[str] = set()
    taken: set[str] = set()
    for i, category in enumerate(categories):
        if category["name"] in seen_names:
            raise ValidationError({"categories": {i: {"name": [f"{category['name']!r} is named twice"]}}})
        seen_names.add(category["name"])
        if taken.issuperset(category["tags"]):
            raise ValidationError({"categories": {i: {"tags": [
                "no entry can reach this category: each of its tags belongs to an earlier category, "
                "and an entry counts in the first category whose tags it bears"]}}})
        taken.update(category["tags"])
    wanted = data.get("min_categories")
    if wanted is not None and wanted > len(categories):
        raise ValidationError(f"needs {wanted} categories but the rule names {len(categories)}", "min_categories")


class ElectiveSchema(Schema):
    choose = fields.Integer(required=True, validate=validate.Range(min=1, max=1000))
    from_ = fields.List(_code(), data_key="from", load_default=None)
    tags = fields.List(_code(50), load_default=None)

    @validates_schema
    def _one_source(self, data, **_):
        if bool(data.get("from_")) == bool(data.get("tags")):
            raise ValidationError("give exactly one of `from` or `tags`", "from")
        if data.get("from_") is not None and data["choose"] > len(set(data["from_"])):
            raise ValidationError(
                f"this group can never be filled: choose {data['choose']} from "
                f"{len(set(data['from_']))} credentials",
                "choose",
            )


class EffectsSchema(Schema):
    base_salary_pct = decimal(0, 100, load_default=None, allow_none=True)
    salary_lane = _text(100, load_default=None, allow_none=True)


class PeriodSchema(Schema):
    years = fields.Integer(required=True, validate=validate.Range(min=1, max=50))
    required_count = fields.Integer(required=True, validate=validate.Range(min=0, max=1000))
    from_ = fields.List(_code(), data_key="from", load_default=None)
    tags = fields.List(_code(50), load_default=None)

    @validates_schema
    def _one_source(self, data, **_):
        if data.get("from_") and data.get("tags"):
            raise ValidationError("give at most one of `from` or `tags`", "from")
        if data.get("from_") is not None and data["required_count"] > len(set(data["from_"])):
            raise ValidationError(
                f"this period can never be met: {data['required_count']} from "
                f"{len(set(data['from_']))} credentials",
                "required_count",
            )


class PathwaySchema(Schema):
    code = _code(required=True)
    name = line(200, required=True)
    designation = _text(200, load_default=None)
    window_years = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=50))
    core = fields.List(_code(), load_default=list)
    electives = fields.List(fields.Nested(ElectiveSchema), load_default=list)
    required_count = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=1000))
    effects = fields.Nested(EffectsSchema, load_default=None, allow_none=True)
    maintenance = fields.List(fields.Nested(PeriodSchema), load_default=list)
    cite = fields.String(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def _counts(self, data, **_):
        core = data.get("core") or []
        if len(set(core)) != len(core):
            raise ValidationError("lists a credential twice", "core")
        floor = len(core) + sum(g["choose"] for g in data.get("electives") or [])
        if floor == 0:
            raise ValidationError("a role card needs core credentials or elective groups", "core")
        if data.get("required_count") is not None and data["required_count"] < floor:
            raise ValidationError(
                f"is below core plus choices ({floor})", "required_count"
            )
        # A core credential never fills an elective group, so a list group must be
        # fillable from its credentials that are not core.
        errors: dict = {}
        for i, group in enumerate(data.get("electives") or []):
            if group.get("from_") is None:
                continue
            usable = set(group["from_"]) - set(core)
            if group["choose"] > len(usable):
                errors[i] = {"choose": [
                    f"this group can never be filled: choose {group['choose']} from "
                    f"{len(usable)} credentials that are not core"
                ]}
        if errors:
            raise ValidationError({"electives": errors})
        groups = data.get("electives") or []
        if groups and all(g.get("from_") is not None for g in groups):
            if not _groups_fillable(core, groups):
                raise ValidationError(
                    "these groups can never all be filled at once: they share too few credentials",
                    "electives",
                )
            pool = set(core).union(*(g["from_"] for g in groups))
            if (data.get("required_count") or floor) > len(pool):
                raise ValidationError(
                    f"can never be reached: the card names {len(pool)} credentials",
                    "required_count",
                )


class _Code(NamedTuple):
    credential: str
    tags: frozenset = frozenset()


def _groups_fillable(core: list, groups: list[dict]) -> bool:
    """Whether list groups can all take their `choose` at once (a credential fills one
    group at most): the pathway engine's own matching over every credential they name."""
    card = pathways.RoleCard(code="check", name="check", core=tuple(core), electives=tuple(
        pathways.Group(g["choose"], frozenset(g["from_"])) for g in groups))
    names = dict.fromkeys(c for g in groups for c in g["from_"])
    filling = pathways.fill(pathways.Roles(card), [_Code(c) for c in names])
    return filling.filled == tuple(g["choose"] for g in groups)


class LaneSchema(Schema):
    name = line(100, required=True)
    min_credits = _units(minimum=0)


class DistrictSchema(Schema):
    code = fields.String(
        required=True,
        validate=[validate.Length(min=2, max=20),
                  validate.Regexp(r"^[A-Z0-9][A-Z0-9_\-]*$", error="capital letters, digits, '-' or '_'")],
    )
    name = line(200, required=True)
    salary_credits_per_mc = decimal(0, 1000, load_default=Decimal(0))
    lanes = fields.List(fields.Nested(LaneSchema), load_default=list)
    pathways = fields.List(fields.Nested(PathwaySchema), load_default=list)

    @validates_schema
    def _lanes(self, data, **_):
        errors: dict = {}
        _unique_field(errors, data.get("lanes") or [], "lanes", "name")
        names = {lane["name"] for lane in data.get("lanes") or []}
        for i, card in enumerate(data.get("pathways") or []):
            wanted = (card.get("effects") or {}).get("salary_lane")
            if wanted is not None and names and wanted not in names:
                errors.setdefault("pathways", {})[i] = {"effects": {"salary_lane": [
                    f"names no lane of this district ({', '.join(sorted(names))})"
                ]}}
        if errors:
            raise ValidationError(errors)


class RulebookSchema(Schema):
    state = fields.String(required=True,
                          validate=validate.Regexp(r"^[A-Z]{2}$", error="a two-letter capital code such as TN"))
    name = line(100, required=True)
    office = _text(200, metadata={"description": "the issuing office printed on transcripts"})
    unit = _text(20, required=True)
    units_per_clock_hour = decimal(0, 1000, required=True)
    cite = fields.String(load_default="", validate=validate.Length(max=1000))
    exchange_rates = fields.List(fields.Nested(RateSchema), load_default=list)
    conversions = fields.List(fields.Nested(ConversionSchema), load_default=list,
                              validate=validate.Length(max=1000))
    renewal = fields.List(fields.Nested(RenewalSchema), load_default=list)
    pathways = fields.List(fields.Nested(PathwaySchema), load_default=list)
    districts = fields.List(fields.Nested(DistrictSchema), load_default=list)

    @validates_schema
    def _unique(self, data, **_):
        errors: dict = {}
        for i, j in _rate_collisions(data.get("exchange_rates") or []):
            errors.setdefault("exchange_rates", {})[i] = {
                "effective_from": [f"same match and effective_from as exchange_rates[{j}]"]
            }
        first: dict[tuple, int] = {}
        for i, c in enumerate(data.get("conversions") or []):
            j = first.setdefault((c["measure"], c["effective_from"]), i)
            if j != i:
                errors.setdefault("conversions", {})[i] = {"effective_from": [
                    f"the same measure and effective_from as conversions[{j}]"]}
        for i, j in _overlapping_rules(data.get("renewal") or []):
            errors.setdefault("renewal", {})[i] = {"cycles_ending_from": [
                f"judges some of the same {data['renewal'][i]['license']!r} cycles as renewal[{j}]: "
                "give the rules of one license type cycles_ending ranges that do not overlap"]}
        _unique_field(errors, data.get("districts") or [], "districts", "code")
        codes = [p["code"] for p in data.get("pathways") or []]
        for d in data.get("districts") or []:
            codes += [p["code"] for p in d.get("pathways") or []]
        dupes = sorted(c for c, n in Counter(codes).items() if n > 1)
        if dupes:
            errors.setdefault("pathways", {}).setdefault("_schema", []).append(
                f"pathway codes used twice: {', '.join(dupes)}"
            )
        if errors:
            raise ValidationError(errors)


def _rate_collisions(rates: list[dict]):
    """(i, j) for each rate i that could be the best match for the same entry on the same
    day as an earlier rate j: the same effective_from and credential, and (credential
    rates) issuers that agree or either names none, or (issuer and default rates) the same
    issuer. One pass with an index, so a long list costs linear time, not quadratic."""
    first: dict[tuple, dict] = {}  # (effective_from, credential) -> {issuer or None: first index}
    for i, r in enumerate(rates):
        bucket = first.setdefault((r["effective_from"], r.get("credential") or None), {})
        issuer = r.get("issuer") or None
        if not r.get("credential"):
            j = bucket.get(issuer)
        elif issuer is None:
            j = min(bucket.values(), default=None)
        else:
            j = min((k for k in (bucket.get(issuer), bucket.get(None)) if k is not None), default=None)
        if j is not None:
            yield i, j
        bucket.setdefault(issuer, i)


def _overlapping_rules(rules: list[dict]):
    """(i, j) for each renewal rule i whose cycles_ending range overlaps that of an
    earlier rule j of the same license type (a missing bound is open). Sorted by start,
    one pass per type: n log n, however long the list."""
    low, high = dt.date.min, dt.date.max
    by_type: dict[str, list] = {}
    for i, r in enumerate(rules):
        if r.get("cycles_ending_to") and r.get("cycles_ending_from") and r["cycles_ending_to"] < r[
                "cycles_ending_from"]:
            continue  # already an error of its own
        by_type.setdefault(r["license"], []).append(
            (r.get("cycles_ending_from") or low, r.get("cycles_ending_to") or high, i))
    for ranges in by_type.values():
        ranges.sort()
        reach, holder = None, None  # the latest end seen so far, and its rule
        for start, end, i in ranges:
            if reach is not None and start <= reach:
                yield max(i, holder), min(i, holder)
            if reach is None or end > reach:
                reach, holder = end, i


def _unique_field(errors, items, name, key):
    seen = {}
    for i, item in enumerate(items):
        if item[key] in seen:
            errors.setdefault(name, {})[i] = {key: [f"repeats {name}[{seen[item[key]]}]"]}
        seen.setdefault(item[key], i)


rulebook_schema = RulebookSchema()
