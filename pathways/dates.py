"""Calendar arithmetic of the contract, exact to the day.

Adding years to 29 February lands on 28 February in a common year; subtracting does the
same. A window of `years` ending on day D holds the days after D minus `years` up to D.
"""

from __future__ import annotations

from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February into a common year
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), or the month's last day when it is shorter."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def window_opens(end: date, years: int) -> date:
    """The first day inside the window of `years` that ends on `end`."""
    return add_years(end, -years) + ONE_DAY


def last_day_in_window(earned_on: date, years: int) -> date:
    """The last day D whose window of `years` still holds `earned_on`.

    The inverse of `window_opens` is not a plain `add_years`, because 29 February folds
    onto 28 February: an entry of 2020-02-29 is still inside the 3-year window ending on
    2023-02-28 (which opens on 2020-02-29), while one of 2021-02-28 has left the window
    ending on 2024-02-28 (which opens on 2021-03-01)."""
    day = add_years(earned_on, years) - ONE_DAY
    while window_opens(day + ONE_DAY, years) <= earned_on:  # at most twice
        day += ONE_DAY
    return day
