"""A projected cycle's status judged in Python, exactly as `lists.status_expr` and
`lists.current_on` judge it in SQL, and how long that judgement holds.

Each row of `standing_cycles` keeps its status as listed on a day (`status`: one of
lists.STATUSES when the cycle is current that day, null when it is not) with the day it was
judged (`status_on`) and the first later day it would read otherwise (`status_until`: null
when never). Between those days a list filters and counts the stored column, which an
index serves and the planner can estimate; outside them the SQL expression judges the row
from its dates, so nothing is wrong the morning a cycle enters grace, even before the daily
job stores the new status (`settle`).

The status moves by date alone only on these days: the cycle starts, the next cycle of the
license starts (`superseded_on`), grace begins (the day after `cycle_end`), the cycle
lapses (`lapses_on`), and the one day it falls behind pace (the units needed by a day grow
with the day; the units earned do not). Between two of them it is constant, so the first of
them that reads otherwise is the day the judgement ends."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

DAY = timedelta(days=1)


def _cents(units) -> int:
    return int((Decimal(units) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def current(row, day: date) -> bool:
    """Begun, and no later cycle of its license begun."""
    return row["cycle_start"] <= day and (row["superseded_on"] is None or row["superseded_on"] > day)


def status(row, day: date) -> str:
    """The cycle's status on `day` (lists.status_expr)."""
    fixed = row["fixed_status"]
    if fixed in ("complete", "lapsed"):
        return fixed
    if not row["renewed"]:
        if row["lapses_on"] is not None and row["lapses_on"] <= day:
            return "lapsed"
        if row["cycle_end"] < day:
            return "in_grace"
    span = max((row["cycle_end"] - row["cycle_start"]).days, 1)
    gone = min(max((day - row["cycle_start"]).days, 0), span)
    return "behind_pace" if _cents(row["earned_units"]) * span < _cents(row["required_units"]) * gone else "on_pace"


def listed(row, day: date) -> str | None:
    """The status a list shows on `day`; None when the cycle is not current then."""
    return status(row, day) if current(row, day) else None


def _behind_from(row) -> date | None:
    """The first day an open cycle is behind pace (None: not before it ends)."""
    required = _cents(row["required_units"])
    if required <= 0:
        return None
    span = max((row["cycle_end"] - row["cycle_start"]).days, 1)
    gone = _cents(row["earned_units"]) * span // required + 1  # the fewest days gone that are behind
    return row["cycle_start"] + timedelta(days=gone) if gone <= span else None


def until(row, day: date) -> date | None:
    """The first day after `day` on which `listed` reads otherwise; None when never."""
    days = [row["cycle_start"], row["superseded_on"]]
    if row["fixed_status"] not in ("complete", "lapsed"):
        days += [row["cycle_end"] + DAY, _behind_from(row)]
        if not row["renewed"]:
            days.append(row["lapses_on"])
    now = listed(row, day)
    for d in sorted({d for d in days if d is not None and d > day}):
        if listed(row, d) != now:
            return d
    return None


def judged(row, day: date) -> dict:
    """The stored judgement of a row on `day`: {status, status_on, status_until}."""
    return {"status": listed(row, day), "status_on": day, "status_until": until(row, day)}
