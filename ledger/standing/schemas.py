"""The standing answer's shape (CONTRACT.md section 4, GET /educators/{id}/standing), its
one definition: `STANDING_OUT` dumps the engine's own results (a `StandingAnswer` around
an `engine.Standing`, with its `RenewalProgress`, `PathwayResult` and `Salary`) for the
API, and that dump is what an official transcript stores."""

from __future__ import annotations

from operator import attrgetter
from typing import NamedTuple

from marshmallow import Schema, fields

import pathways

from .. import engine
from ..fields import DATES, STATE_CODE
from .forecast import forecast_summary


class StandingQuery(Schema):
    state = fields.String(validate=STATE_CODE)
    as_of = fields.Date(validate=DATES, metadata={"description": "default today"})


class StandingAnswer(NamedTuple):
    """An educator's standing, as the API answers it."""

    educator_id: int
    standing: engine.Standing


_GETTERS: dict[str, attrgetter] = {}


class _Out(Schema):
    """Reads engine objects by attribute, a dotted name for a path (`license.type`)."""

    def get_attribute(self, obj, attr, default):
        get = _GETTERS.get(attr)
        if get is None:
            get = _GETTERS[attr] = attrgetter(attr)
        try:
            return get(obj)
        except AttributeError:
            return default


class _Derived:
    """A field whose value is `derive(obj)` rather than one of `obj`'s attributes, typed
    in the OpenAPI document by the field class it is mixed into."""

    def __init__(self, derive, **kwargs):
        super().__init__(**kwargs)
        self.derive = derive

    def serialize(self, attr, obj, accessor=None, **kwargs):
        return self._serialize(self.derive(obj), attr, obj, **kwargs)


class _DerivedInteger(_Derived, fields.Integer):
    pass


class _DerivedString(_Derived, fields.String):
    pass


class _DerivedList(_Derived, fields.List):
    pass


class _DerivedDate(_Derived, fields.Date):
    pass


class _DerivedNested(_Derived, fields.Nested):
    pass


class _Codes(fields.List):
    """A set of codes as a sorted list; none, or an empty set, as null."""

    def __init__(self, **kwargs):
        super().__init__(fields.String(), allow_none=True, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(sorted(value), attr, obj, **kwargs) if value else None


def _count(name: str):
    get = attrgetter(name)
    return lambda obj: len(get(obj))


def _ids(name: str, of: str = "id"):
    """The ids of the items of `obj.name` (`of`: the path to an item's id)."""
    items, item_id = attrgetter(name), attrgetter(of)
    return lambda obj: [item_id(x) for x in items(obj)]


class StandingEntryOut(_Out):
    id = fields.Integer(attribute="entry.id")
    kind = fields.String(attribute="entry.kind")
    credential = fields.String(attribute="entry.credential", allow_none=True)
    title = fields.String(attribute="entry.title", allow_none=True)
    earned_on = fields.Date(attribute="entry.earned_on")
    units = fields.Float()
    rule = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class MinimumFedOut(_Out):
    entry_id = fields.Integer()
    units = fields.Float()


class MinimumOut(_Out):
    tag = fields.String()
    required_units = fields.Float(allow_none=True, metadata={"description": "null for a minimum by count"})
    earned_units = fields.Float(allow_none=True)
    required_count = fields.Integer(allow_none=True, metadata={
        "description": "a number of entries bearing the tag, instead of units"})
    earned_count = fields.Integer(allow_none=True)
    met = fields.Boolean()
    fed = fields.List(fields.Nested(MinimumFedOut), metadata={
        "description": "with exclusive minimums: which entries fed this minimum, and how many of their units"})


class PaceOut(_Out):
    days_left = fields.Integer()
    months_left = fields.Float()
    units_per_month = fields.Float()


class SchoolYearOut(_Out):
    start = fields.Date()
    end = fields.Date(metadata={"description": "the last day inside the school year"})
    units = fields.Float(metadata={"description": "so far, for a year not yet over"})
    required_units = fields.Float()
    met = fields.Boolean()


class CategoryOut(_Out):
    name = fields.String()
    units = fields.Float(metadata={"description": "its entries' units, after the micro-credential cap"})
    cap = fields.Float(allow_none=True, metadata={"description": "the lower of max_units and max_fraction"})
    counted = fields.Float(metadata={"description": "what it adds to earned_units"})
    full = fields.Boolean()


class RenewalOut(_Out):
    license = fields.String(attribute="license.type")
    license_id = fields.Integer(allow_none=True, metadata={"description": "the license's id (its first cycle's)"})
    cycle_number = fields.Integer(metadata={"description": "the cycle's place among the license's cycles, by start"})
    renewed_on = _DerivedDate(lambda p: p.renewed and p.renewed.renewed_on, allow_none=True, metadata={
        "description": "when the cycle was renewed: its figures are then those its renewal kept, never re-judged"})
    cycle_start = fields.Date(attribute="license.cycle_start")
    cycle_end = fields.Date(attribute="license.cycle_end")
    required_units = fields.Float(attribute="rule.required_units")
    earned_units = fields.Float()
    remaining_units = fields.Float()
    status = fields.String(metadata={"enum": ["complete", "lapsed", "in_progress"]})
    microcredential_units = fields.Float()
    microcredential_units_counted = fields.Float()
    max_microcredential_units = fields.Float(attribute="rule.max_microcredential_units", allow_none=True)
    activity_units = fields.Float()
    minimums = fields.List(fields.Nested(MinimumOut))
    pace = fields.Nested(PaceOut, allow_none=True)
    counted_entries = _DerivedList(_ids("counted", "entry.id"), cls_or_instance=fields.Integer())
    rule = fields.String(attribute="rule.cite")
    rulebook_version = fields.Integer()
    carried_over_units = fields.Float(metadata={
        "description": "carried in from the license's previous, complete cycle (in earned_units)"})
    school_years = fields.List(fields.Nested("SchoolYearOut"), metadata={
        "description": "with a yearly requirement: each school year wholly inside the cycle"})
    categories = fields.List(fields.Nested(CategoryOut), metadata={
        "description": "with a rule's categories: each area's units, cap and what it counts, in rulebook order"})
    satisfied_by = fields.String(allow_none=True, metadata={
        "description": "the credential of the rule's satisfied_by that completed the cycle on its own"})
    satisfied_entry = fields.Integer(allow_none=True, metadata={
        "description": "the entry of that credential (for one held current, earned perhaps before the cycle)"})
    satisfied_until = fields.Date(allow_none=True, metadata={
        "description": "for a credential held current ({credential, valid_years}): its last day current"})
    grace_ends = fields.Date(allow_none=True, metadata={
        "description": "the last day of grace when the rule gives grace: entries earned through it still count"})


class PeriodOut(_Out):
    period = fields.Integer(attribute="number")
    period_start = fields.Date(attribute="start")
    period_end = fields.Date(attribute="end", metadata={"description": "the last day inside the period"})
    counted = _DerivedInteger(_count("counted"))
    required_count = fields.Integer()
    remaining = fields.Integer()
    status = fields.String(metadata={"enum": ["met", "open", "lapsed", "upcoming"]})
    counted_entries = _DerivedList(_ids("counted"), cls_or_instance=fields.Integer())


class Elective(NamedTuple):
    """An elective group's counts (`gap`) with the card's rule for it (`group`)."""

    gap: pathways.GroupGap
    group: pathways.Group


def _electives(r: pathways.PathwayResult) -> list[Elective]:
    return [Elective(g, r.card.electives[g.group]) for g in r.groups]


class GroupOut(_Out):
    group = fields.Integer(attribute="gap.group")
    choose = fields.Integer(attribute="gap.choose")
    counted = fields.Integer(attribute="gap.counted")
    missing = fields.Integer(attribute="gap.missing")
    from_ = _Codes(attribute="group.from_", data_key="from")
    tags = _Codes(attribute="group.tags")


class CountedOut(_Out):
    entry_id = fields.Integer(attribute="entry.id")
    credential = fields.String(attribute="entry.credential")
    earned_on = fields.Date(attribute="entry.earned_on")
    role = fields.String(metadata={"enum": ["core", "elective"]})
    group = fields.Integer(allow_none=True)
    extra = fields.Boolean(metadata={"description": "eligible, beyond what its group needs"})


class EffectsOut(_Out):
    base_salary_pct = fields.Float()
    salary_lane = fields.String(allow_none=True)


class ForecastGapOut(_Out):
    group = fields.Integer()
    missing = fields.Integer()


class ForecastOut(_Out):
    """Dumps a `PathwayResult` that has a forecast: the summary sentence needs its card."""

    needed = fields.Integer(attribute="forecast.needed")
    by = fields.Date(attribute="forecast.by", allow_none=True)
    core = fields.List(fields.String(), attribute="forecast.core")
    electives = fields.List(fields.Nested(ForecastGapOut), attribute="forecast.groups")
    falls_out = fields.List(fields.String(), attribute="forecast.falls_out")
    period = fields.Integer(attribute="forecast.period", allow_none=True)
    summary = _DerivedString(forecast_summary)


class PathwayOut(_Out):
    code = fields.String(attribute="card.code")
    status = fields.String(metadata={"enum": ["in_progress", "active", "lapsed", "permanent"]})
    awarded_on = fields.Date(allow_none=True)
    counted = _DerivedInteger(_count("window"))
    required_count = fields.Integer()
    missing_core = fields.List(fields.String())
    maintenance = fields.Nested(PeriodOut, allow_none=True)
    lapsed_on = fields.Date(allow_none=True)
    name = fields.String(attribute="card.name")
    designation = fields.String(attribute="card.designation", allow_none=True)
    owner = fields.String(attribute="card.owner", metadata={"description": "the state's or the district's code"})
    window_years = fields.Integer(attribute="card.window_years", allow_none=True)
    window_opens = fields.Date(allow_none=True)
    permanent_on = fields.Date(allow_none=True)
    effects_hold = fields.Boolean(attribute="holds")
    effects = fields.Nested(EffectsOut, attribute="card.effects")
    core = fields.List(fields.String(), attribute="card.core")
    electives = _DerivedList(_electives, cls_or_instance=fields.Nested(GroupOut))
    missing_total = fields.Integer()
    counted_entries = _DerivedList(attrgetter("counted"), cls_or_instance=fields.Nested(CountedOut))
    periods = fields.List(fields.Nested(PeriodOut))
    forecast = _DerivedNested(lambda r: r if r.forecast is not None else None, nested=ForecastOut,
                              allow_none=True)
    rule = fields.String(attribute="card.cite")


class NextLaneOut(_Out):
    """Dumps a `Salary` that has a next lane."""

    name = fields.String(attribute="next_lane.name")
    min_credits = fields.Float(attribute="next_lane.min_credits")
    credits_needed = fields.Float(attribute="credits_to_next_lane")


class SalaryOut(_Out):
    district = fields.String(attribute="district.code")
    credits = fields.Float()
    lane = fields.String(allow_none=True)
    base_salary_pct = fields.Float()
    credits_per_mc = fields.Float(attribute="district.salary_credits_per_mc")
    microcredentials = fields.Integer()
    lane_by_credits = fields.String(allow_none=True)
    lane_by_designation = fields.String(allow_none=True)
    designations = fields.List(fields.String())
    next_lane = _DerivedNested(lambda pay: pay if pay.next_lane is not None else None, nested=NextLaneOut,
                               allow_none=True)


class StandingOut(_Out):
    educator_id = fields.Integer()
    state = fields.String(attribute="standing.rulebook.state")
    as_of = fields.Date(attribute="standing.as_of")
    unit = fields.String(attribute="standing.rulebook.unit")
    rulebook_version = fields.Integer(attribute="standing.rulebook.version")
    entries = fields.List(fields.Nested(StandingEntryOut), attribute="standing.entries")
    renewal = _DerivedList(lambda a: engine.current_cycles(a.standing.renewal, a.standing.as_of, key=engine.LICENSE),
                           cls_or_instance=fields.Nested(RenewalOut), metadata={
                               "description": "each license's cycle holding as_of, else its latest begun by then"})
    pathways = fields.List(fields.Nested(PathwayOut), attribute="standing.pathways")
    salary = fields.Nested(SalaryOut, attribute="standing.salary", allow_none=True)


STANDING_OUT = StandingOut()
RENEWAL_OUT = RenewalOut()
PATHWAY_OUT = PathwayOut()
SALARY_OUT = SalaryOut()
