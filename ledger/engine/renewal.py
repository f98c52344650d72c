"""Renewal progress of one license against its state's rule (CONTRACT.md section 2,
"Renewal")."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import ROUND_UP, Decimal
from operator import attrgetter

from pathways import last_day_in_window

from .categories import CategoryProgress, categorize
from .facts import MICROCREDENTIAL, License, RenewalRule, Renewed
from .minimums import MinimumProgress, exclusive, shared
from .units import ZERO, Valued
from .years import SchoolYear, school_years, short_year_ended

COMPLETE = "complete"
LAPSED = "lapsed"
IN_PROGRESS = "in_progress"

_earned = attrgetter("entry.earned_on")

# An average Gregorian month, for "units per month" pacing.
DAYS_PER_MONTH = Decimal("30.436875")
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class Pace:
    """What an in-progress renewal needs each month to finish by `cycle_end`."""

    days_left: int
    months_left: Decimal
    units_per_month: Decimal


@dataclass(frozen=True, slots=True)
class RenewalProgress:
    license: License
    rule: RenewalRule
    as_of: date
    counted: tuple[Valued, ...]
    microcredential_units: Decimal  # uncapped
    microcredential_units_counted: Decimal  # after the cap
    activity_units: Decimal
    minimums: tuple[MinimumProgress, ...]
    status: str
    pace: Pace | None
    rulebook_version: int | None = None  # of the rulebook the rule is from
    grace_ends: date | None = None  # the last day of grace, when the rule gives grace
    grace_counted: frozenset[int] = frozenset()  # ids of entries earned in grace that count here
    carried_over_units: Decimal = ZERO  # carried in from the license's previous, complete cycle
    school_years: tuple[SchoolYear, ...] = ()
    license_id: int | None = None  # the license's id: its first cycle's
    cycle_number: int = 1  # the cycle's place among the license's cycles, by start
    renewed: Renewed | None = None  # frozen at its renewal: these figures are the renewal's
    categories: tuple[CategoryProgress, ...] = ()  # with a rule's categories: each one's figures
    uncategorized_units: Decimal = ZERO  # with categories: the units of entries in none
    satisfied_by: str | None = None  # the credential that completed the cycle on its own
    satisfied_entry: int | None = None  # the entry of that credential
    satisfied_until: date | None = None  # for one held current: the last day it is current

    @property
    def own_units(self) -> Decimal:
        """What this cycle earned itself, after the caps (carried-in units left out)."""
        if self.rule.categories:
            return sum((c.counted for c in self.categories), self.uncategorized_units)
        return self.microcredential_units_counted + self.activity_units

    @property
    def earned_units(self) -> Decimal:
        if self.renewed is not None and self.renewed.earned_units is not None:
            return self.renewed.earned_units
        return self.own_units + self.carried_over_units

    @property
    def carry_out_units(self) -> Decimal:
        """What a complete cycle carries to the next (when it starts the day after): its
        own units beyond the requirement, at most the rule's `carry_over_max_units`."""
        if self.renewed is not None and self.renewed.carry_out_units is not None:
            return self.renewed.carry_out_units
        cap = self.rule.carry_over_max_units
        if self.status != COMPLETE or not cap:
            return ZERO
        return min(max(ZERO, self.own_units - self.rule.required_units), cap)

    @property
    def remaining_units(self) -> Decimal:
        return max(ZERO, self.rule.required_units - self.earned_units)

    @property
    def in_grace(self) -> bool:
        """Past `cycle_end`, still in progress and not renewed: the grace days are running."""
        return self.status == IN_PROGRESS and self.as_of > self.license.cycle_end and self.renewed is None


class _Tally:
    """The figures of a growing set of counted entries, kept as each is added."""

    def __init__(self, rule: RenewalRule, carried: Decimal = ZERO, cycle_end: date | None = None):
        self.rule, self.carried, self.cycle_end = rule, carried, cycle_end
        self.counted: list[Valued] = []
        self.mc = ZERO
        self.activity = ZERO
        self.got = [ZERO] * len(rule.minimums)  # per minimum (shared): units, or entries for a count
        self.satisfied: str | None = None  # a credential of `satisfied_by`, once one counts
        self.satisfied_entry: int | None = None
        self.satisfied_until: date | None = None
        self._memo: dict[str, tuple[int, object]] = {}  # figures of the counted entries so far, by name

    def _once(self, name: str, compute):
        """`compute()` for the entries counted so far, computed once: `met` and the answer
        both need the categories and the exclusive allocation of the same entries."""
        held = self._memo.get(name)
        if held is None or held[0] != len(self.counted):
            held = self._memo[name] = (len(self.counted), compute())
        return held[1]

    def exclusive(self) -> tuple[MinimumProgress, ...]:
        return self._once("exclusive", lambda: exclusive(self.counted, self.rule.minimums))

    def add(self, v: Valued) -> None:
        self.counted.append(v)
        if self.satisfied is None:
            if v.entry.credential in self.rule.satisfied_by:
                self.satisfied, self.satisfied_entry = v.entry.credential, v.entry.id
            else:
                self.hold(v)
        if v.entry.kind == MICROCREDENTIAL:
            self.mc += v.units
        else:
            self.activity += v.units
        for i, m in enumerate(self.rule.minimums):
            if m.tag in v.entry.tags:
                self.got[i] += v.units if m.count is None else 1

    def hold(self, v: Valued) -> None:
        """A credential of `held_current` completes the cycle when current on its end (or
        earned in its grace days, after the end: current then)."""
        for code, years in self.rule.held_current:
            if v.entry.credential == code:
                until = last_day_in_window(v.entry.earned_on, years)
                if self.cycle_end is None or until >= self.cycle_end or v.entry.earned_on > self.cycle_end:
                    self.satisfied, self.satisfied_entry, self.satisfied_until = code, v.entry.id, until
                    return

    @property
    def mc_counted(self) -> Decimal:
        cap = self.rule.max_microcredential_units
        return self.mc if cap is None else min(self.mc, cap)

    def categories(self) -> tuple[tuple[CategoryProgress, ...], Decimal]:
        if not self.rule.categories:
            return (), ZERO
        return self._once("categories", lambda: categorize(self.counted, self.rule))

    @property
    def own(self) -> Decimal:
        """The units this cycle counts itself, after the micro-credential cap and the
        categories' caps."""
        if not self.rule.categories:
            return self.mc_counted + self.activity
        categories, other = self.categories()
        return sum((c.counted for c in categories), other)

    @property
    def met(self) -> bool:
        """Complete, but for the school years: a `satisfied_by` credential counted, or the
        total, every minimum and `min_categories` met."""
        rule = self.rule
        if self.satisfied is not None:
            return True
        if rule.exclusive_minimums and rule.minimums:
            if not all(p.met for p in self.exclusive()):
                return False
        elif not all(got >= (m.units if m.count is None else m.count) for got, m in zip(self.got, rule.minimums)):
            return False
        if not rule.categories:
            return self.mc_counted + self.activity + self.carried >= rule.required_units
        categories, other = self.categories()
        if rule.min_categories and sum(1 for c in categories if c.counted > 0) < rule.min_categories:
            return False
        return sum((c.counted for c in categories), other) + self.carried >= rule.required_units

    def copy(self) -> _Tally:
        other = _Tally(self.rule, self.carried, self.cycle_end)
        other.satisfied, other.satisfied_entry, other.satisfied_until = \
            self.satisfied, self.satisfied_entry, self.satisfied_until
        other.counted, other.mc, other.activity, other.got = list(self.counted), self.mc, self.activity, \
            list(self.got)
        return other


def renewal_progress(
    valued: list[Valued], license: License, rule: RenewalRule, as_of: date, rulebook_version: int | None = None,
    spent: frozenset[int] = frozenset(), carried_in: Decimal = ZERO, license_id: int | None = None,
    cycle_number: int = 1,
) -> RenewalProgress:
    """Entries earned from `cycle_start` to `cycle_end` (inclusive) and on or before
    `as_of` count, but those in `spent` (counted toward the license's previous cycle in
    its grace days). Micro-credential units are capped by `max_microcredential_units` in
    the total; a minimum counts the uncapped units of the entries bearing its tag.
    Complete when the units and every minimum are met.

    Grace (CONTRACT.md section 2b): a cycle not complete on `cycle_end` stays in progress
    through `grace_ends` (`cycle_end` + `grace_days`); the entries earned in those days
    count toward it, in date order (then id), up to and including the one that completes
    it (`grace_counted`; the rest belong to the next cycle). When the grace days end
    without completing it, it lapses and none of them count toward it. Without grace, a
    cycle not complete lapses the day after `cycle_end`. `valued` is in (earned_on, id)
    order.

    `carried_in` (carry-over from the previous cycle) adds to the total after the caps,
    not to the minimums or school years. With `annual_units`, every school year wholly
    inside the cycle must be met too, and one that ended short lapses the cycle the day
    after it ends, grace or not.
    """
    last_day = min(license.cycle_end, as_of)
    tally = _Tally(rule, carried_in, license.cycle_end)
    if rule.held_current:
        # a certificate earned before the cycle, still current on its end: not counted
        # (its units belong to the cycle it was earned in), but it completes this one
        for v in valued[:bisect_left(valued, license.cycle_start, key=_earned)]:
            if tally.satisfied is None:
                tally.hold(v)
    # `valued` is in date order: each cycle reads its own dates only (a license's history
    # of many cycles is read once per cycle window, not once per cycle in whole)
    for v in valued[bisect_left(valued, license.cycle_start, key=_earned):
                    bisect_right(valued, last_day, key=_earned)]:
        if v.entry.id not in spent:
            tally.add(v)
    grace_ends = license.cycle_end + timedelta(days=rule.grace_days) if rule.grace_days else None
    grace_counted: set[int] = set()
    if grace_ends is not None and as_of > license.cycle_end and not tally.met:
        within = tally.copy()
        for v in valued[bisect_right(valued, license.cycle_end, key=_earned):
                        bisect_right(valued, min(grace_ends, as_of), key=_earned)]:
            within.add(v)
            grace_counted.add(v.entry.id)
            if within.met:
                break
        if within.met or as_of <= grace_ends:
            tally = within  # completed in grace, or the grace days still run: they count here
        else:
            grace_counted = set()  # lapsed at the end of grace: none of them count toward it

    minimums = () if not rule.minimums else tally.exclusive() if rule.exclusive_minimums else \
        shared(tally.counted, rule.minimums)
    categories, other = tally.categories()
    years = () if rule.annual_units is None else school_years(
        tally.counted, license.cycle_start, license.cycle_end, *rule.year_starts, rule.annual_units)
    if tally.met and (tally.satisfied is not None or all(y.met for y in years)):
        status = COMPLETE
    elif as_of > (grace_ends or license.cycle_end) or short_year_ended(years, as_of) is not None:
        status = LAPSED
    else:
        status = IN_PROGRESS

    pace = None
    if status == IN_PROGRESS:
        pace = pace_needed(max(ZERO, rule.required_units - tally.own - carried_in), license,
                           as_of,
                           grace_ends if as_of > license.cycle_end else None)
    return RenewalProgress(
        license=license,
        rule=rule,
        as_of=as_of,
        counted=tuple(tally.counted),
        microcredential_units=tally.mc,
        microcredential_units_counted=tally.mc_counted,
        activity_units=tally.activity,
        minimums=minimums,
        status=status,
        pace=pace,
        rulebook_version=rulebook_version,
        grace_ends=grace_ends,
        grace_counted=frozenset(grace_counted),
        carried_over_units=carried_in,
        school_years=years,
        license_id=license_id,
        cycle_number=cycle_number,
        categories=categories,
        uncategorized_units=other,
        satisfied_by=tally.satisfied,
        satisfied_entry=tally.satisfied_entry,
        satisfied_until=tally.satisfied_until,
    )


def frozen_progress(valued: list[Valued], license: License, rule: RenewalRule, as_of: date,
                    carried_in: Decimal = ZERO, license_id: int | None = None, cycle_number: int = 1,
                    ) -> RenewalProgress:
    """A renewed cycle as its renewal froze it (`license.renewed`, on or after its
    `renewed_on`): the entries that counted then, its status and earned units as kept,
    never judged again, so a new rule, rate or entry cannot move it. Its entries earned
    after `cycle_end` (in grace) stay spent: the next cycle does not count them."""
    renewed = license.renewed
    assert renewed is not None
    kept = [v for v in valued if v.entry.id in renewed.counted]
    p = renewal_progress(kept, license, rule, renewed.renewed_on, None, frozenset(), carried_in, license_id,
                         cycle_number)
    return replace(
        p, as_of=as_of, status=renewed.status or p.status, pace=None, renewed=renewed,
        rulebook_version=renewed.rulebook_version,
        grace_counted=frozenset(v.entry.id for v in kept if v.entry.earned_on > license.cycle_end),
    )


def pace_needed(remaining: Decimal, license: License, as_of: date, until: date | None = None) -> Pace:
    """Units per month from `as_of` (or the cycle's first day, if later) through
    `until` (by default `cycle_end`; in grace, its last day), both days included,
    rounded up to the cent so that keeping the pace always finishes."""
    start = max(as_of, license.cycle_start)
    days_left = ((until or license.cycle_end) - start).days + 1
    months_left = (Decimal(days_left) / DAYS_PER_MONTH).quantize(CENT)
    per_month = (remaining * DAYS_PER_MONTH / Decimal(days_left)).quantize(CENT, ROUND_UP)
    return Pace(days_left=days_left, months_left=months_left, units_per_month=per_month)
