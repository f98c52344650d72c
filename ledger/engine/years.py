"""School years inside a cycle (CONTRACT.md section 2b, "School years"): with
`annual_units`, each school year lying wholly inside the cycle, from `year_starts`
through the day before the next, needs that many units (uncapped) from the entries
earned in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .units import ZERO, Valued


@dataclass(frozen=True, slots=True)
class SchoolYear:
    start: date
    end: date  # the last day inside the year
    required_units: Decimal
    units: Decimal  # so far, for a year not yet over

    @property
    def met(self) -> bool:
        return self.units >= self.required_units


def school_years_within(cycle_start: date, cycle_end: date, month: int, day: int) -> list[tuple[date, date]]:
    """(first day, last day) of each school year wholly inside the cycle, in order."""
    start = date(cycle_start.year - 1, month, day)
    while start < cycle_start:
        start = date(start.year + 1, month, day)
    years = []
    while True:
        nxt = date(start.year + 1, month, day)
        end = nxt - timedelta(days=1)
        if end > cycle_end:
            return years
        years.append((start, end))
        start = nxt


def school_years(counted: list[Valued], cycle_start: date, cycle_end: date, month: int, day: int,
                 required: Decimal) -> tuple[SchoolYear, ...]:
    spans = school_years_within(cycle_start, cycle_end, month, day)
    return tuple(SchoolYear(start, end, required,
                            sum((v.units for v in counted if start <= v.entry.earned_on <= end), ZERO))
                 for start, end in spans)


def short_year_ended(years: tuple[SchoolYear, ...], as_of: date) -> SchoolYear | None:
    """The first school year over by `as_of` that ended short: the cycle lapses the day
    after it ends, grace or not."""
    return next((y for y in years if y.end < as_of and not y.met), None)
