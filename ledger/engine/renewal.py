"""Renewal progress of one license against its state's rule (CONTRACT.md section 2,
"Renewal")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_UP, Decimal

from .facts import MICROCREDENTIAL, License, RenewalRule
from .units import ZERO, Valued

COMPLETE = "complete"
LAPSED = "lapsed"
IN_PROGRESS = "in_progress"

# An average Gregorian month, for "units per month" pacing.
DAYS_PER_MONTH = Decimal("30.436875")
CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class MinimumProgress:
    tag: str
    required_units: Decimal
    earned_units: Decimal

    @property
    def met(self) -> bool:
        return self.earned_units >= self.required_units

    @property
    def remaining_units(self) -> Decimal:
        return max(ZERO, self.required_units - self.earned_units)


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

    @property
    def earned_units(self) -> Decimal:
        return self.microcredential_units_counted + self.activity_units

    @property
    def remaining_units(self) -> Decimal:
        return max(ZERO, self.rule.required_units - self.earned_units)


def renewal_progress(
    valued: list[Valued], license: License, rule: RenewalRule, as_of: date, rulebook_version: int | None = None
) -> RenewalProgress:
    """Entries earned from `cycle_start` to `cycle_end` (inclusive) and on or before
    `as_of` count. Micro-credential units are capped by `max_microcredential_units` in
    the total; a minimum counts the uncapped units of the entries bearing its tag.
    Complete when the units and every minimum are met; else lapsed once `as_of` is past
    `cycle_end`; else in progress.
    """
    last_day = min(license.cycle_end, as_of)
    counted = tuple(
        v for v in valued if license.cycle_start <= v.entry.earned_on <= last_day
    )
    mc_units = ZERO
    activity_units = ZERO
    for v in counted:
        if v.entry.kind == MICROCREDENTIAL:
            mc_units += v.units
        else:
            activity_units += v.units
    mc_counted = mc_units
    if rule.max_microcredential_units is not None:
        mc_counted = min(mc_units, rule.max_microcredential_units)

    minimums = tuple(
        MinimumProgress(
            m.tag, m.units, sum((v.units for v in counted if m.tag in v.entry.tags), ZERO)
        )
        for m in rule.minimums
    )
    earned = mc_counted + activity_units
    if earned >= rule.required_units and all(m.met for m in minimums):
        status = COMPLETE
    elif as_of > license.cycle_end:
        status = LAPSED
    else:
        status = IN_PROGRESS

    pace = None
    if status == IN_PROGRESS:
        pace = pace_needed(max(ZERO, rule.required_units - earned), license, as_of)
    return RenewalProgress(
        license=license,
        rule=rule,
        as_of=as_of,
        counted=counted,
        microcredential_units=mc_units,
        microcredential_units_counted=mc_counted,
        activity_units=activity_units,
        minimums=minimums,
        status=status,
        pace=pace,
        rulebook_version=rulebook_version,
    )


def pace_needed(remaining: Decimal, license: License, as_of: date) -> Pace:
    """Units per month from `as_of` (or the cycle's first day, if later) through
    `cycle_end`, both days included, rounded up to the cent so that keeping the pace
    always finishes."""
    start = max(as_of, license.cycle_start)
    days_left = (license.cycle_end - start).days + 1
    months_left = (Decimal(days_left) / DAYS_PER_MONTH).quantize(CENT)
    per_month = (remaining * DAYS_PER_MONTH / Decimal(days_left)).quantize(CENT, ROUND_UP)
    return Pace(days_left=days_left, months_left=months_left, units_per_month=per_month)
