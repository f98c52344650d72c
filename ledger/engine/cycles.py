"""Which renewal cycle is judged, and whether it is on pace: the rules every page, the
roster, the state overview and season printing share, so that they can never judge
different cycles (README.md, "The pages": behind pace "when less is earned than the share
of the cycle gone by"; "Season printing"; CONTRACT.md section 2, "Renewal").

Pure functions over `License` and `RenewalProgress`: no Flask, no SQLAlchemy, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from fractions import Fraction
from operator import attrgetter
from typing import TypeVar

from pathways import add_months, add_years

from .facts import License
from .renewal import IN_PROGRESS, RenewalProgress

T = TypeVar("T")

LICENSE = attrgetter("license")  # the key for RenewalProgress items
DUE_SOON_MONTHS = 6


def _itself(item):
    return item


def current_cycles(items: Iterable[T], day: date, key: Callable[[T], License] = _itself) -> list[T]:
    """Of each license type, the cycle that holds `day` (first and last day included),
    else the latest that has started: a cycle that has not begun yet is not current, and
    earlier cycles are history. `key` gives an item's `License` (`LICENSE` for renewal
    progress; by default the items are licenses). The chosen items, in their given order;
    a type with no cycle begun by `day` has none."""
    items = list(items)
    best: dict[str, tuple] = {}
    for i, item in enumerate(items):
        lic = key(item)
        if lic.cycle_start > day:
            continue
        rank = (lic.cycle_start <= day <= lic.cycle_end, lic.cycle_start)
        if lic.type not in best or rank > best[lic.type][0]:
            best[lic.type] = (rank, i)
    chosen = {i for _, i in best.values()}
    return [item for i, item in enumerate(items) if i in chosen]


def latest_cycles(items: Iterable[T], key: Callable[[T], License] = _itself) -> list[T]:
    """Of each license type, the cycle that ends last, whether or not it has begun: a
    next cycle on record means the license was renewed. Between cycles of a type that end
    the same day, the first given. The chosen items, in their given order."""
    items = list(items)
    best: dict[str, tuple] = {}
    for i, item in enumerate(items):
        lic = key(item)
        if lic.type not in best or lic.cycle_end > best[lic.type][0]:
            best[lic.type] = (lic.cycle_end, i)
    chosen = {i for _, i in best.values()}
    return [item for i, item in enumerate(items) if i in chosen]


def season_cycle(licenses: Iterable[License], expiring_before: date,
                 expiring_after: date | None = None) -> License | None:
    """The cycle a renewal season prints an educator's transcript for ("whose license is
    expiring and not yet renewed"): of the latest cycle of each license type
    (`latest_cycles`), those ending before `expiring_before` (and on or after
    `expiring_after`, when given), the one that ends first; between types ending the same
    day, the first type by name. None: nothing of theirs expires in the season.
    `transcripts.season.select_educators` asks this of a whole state in SQL; a test holds
    the two to the same answers."""
    due = [lic for lic in latest_cycles(licenses) if lic.cycle_end < expiring_before
           and (expiring_after is None or lic.cycle_end >= expiring_after)]
    return min(due, key=lambda lic: (lic.cycle_end, lic.type), default=None)


def cycle_share(license: License, day: date) -> Fraction:
    """The share of the cycle gone by on `day`, exactly: the days since `cycle_start` over
    the days from `cycle_start` to `cycle_end`, from 0 (not begun, or its first day) to 1
    (its last day and after)."""
    span = max((license.cycle_end - license.cycle_start).days, 1)
    return Fraction(min(max((day - license.cycle_start).days, 0), span), span)


def behind_pace(progress: RenewalProgress) -> bool:
    """In progress, with less earned than the required units times the share of the cycle
    gone by on `as_of` (`cycle_share`), compared exactly: 30 of 100 units is on pace on
    day 109 of a 365-day cycle (29.9% gone) and behind on day 110 (30.1%). A complete or
    lapsed renewal is neither."""
    if progress.status != IN_PROGRESS:
        return False
    share = cycle_share(progress.license, progress.as_of)
    return progress.earned_units * share.denominator < progress.rule.required_units * share.numerator


def due_soon(progress: RenewalProgress) -> bool:
    """In progress, with the cycle ending within 6 months of `as_of`: on or before the
    same day 6 months on (the month's last day when it has no such day)."""
    return (progress.status == IN_PROGRESS
            and progress.license.cycle_end <= add_months(progress.as_of, DUE_SOON_MONTHS))


def next_cycle(cycle_end: date, cycle_years: int) -> tuple[date, date]:
    """The cycle a renewal opens (CONTRACT.md section 6): from the day after `cycle_end`
    to the day before the same date `cycle_years` on (29 February lands on 28 February,
    so that cycle ends on 27 February)."""
    start = cycle_end + timedelta(days=1)
    return start, add_years(start, cycle_years) - timedelta(days=1)
