"""A projected cycle's stored status and the days it holds (ledger/standing/status.py): the
judgement made on one day reads the same on every day up to `until`, and otherwise on
`until` itself; the edges (the last day, the first and last day of grace, the day behind
pace begins, 29 February) hold to the day."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.standing import status

D = timedelta(days=1)


def row(start=date(2024, 7, 1), end=date(2029, 6, 30), earned="0", required="120", grace=None, lapses=None,
        fixed=None, renewed=False, superseded=None):
    lapses = lapses if lapses is not None or fixed else (grace or end) + D
    return {"cycle_start": start, "cycle_end": end, "superseded_on": superseded, "grace_ends": grace,
            "lapses_on": lapses, "fixed_status": fixed, "renewed": renewed,
            "earned_units": Decimal(earned), "required_units": Decimal(required)}


def test_an_open_cycle_moves_through_pace_grace_and_lapse_on_its_days():
    r = row(end=date(2028, 2, 29), earned="60", grace=date(2028, 5, 31))
    # 60 of 120 over 1,339 days: behind once more than half the days are gone (669.5)
    assert status.listed(r, date(2024, 6, 30)) is None            # not begun
    assert status.until(r, date(2024, 6, 30)) == date(2024, 7, 1)
    assert status.listed(r, date(2024, 7, 1)) == "on_pace"
    behind = status.until(r, date(2024, 7, 1))
    assert status.listed(r, behind - D) == "on_pace" and status.listed(r, behind) == "behind_pace"
    assert (behind - r["cycle_start"]).days == 670
    assert status.until(r, behind) == date(2028, 3, 1)             # the day after 29 February
    assert status.listed(r, date(2028, 2, 29)) == "behind_pace"
    assert status.listed(r, date(2028, 3, 1)) == "in_grace"
    assert status.until(r, date(2028, 3, 1)) == date(2028, 6, 1)   # the day after grace's last day
    assert status.listed(r, date(2028, 5, 31)) == "in_grace"
    assert status.listed(r, date(2028, 6, 1)) == "lapsed"
    assert status.until(r, date(2028, 6, 1)) is None


def test_a_fixed_cycle_holds_until_the_next_cycle_begins():
    r = row(fixed="complete", superseded=date(2029, 7, 1))
    assert status.judged(r, date(2026, 1, 1)) == {"status": "complete", "status_on": date(2026, 1, 1),
                                                  "status_until": date(2029, 7, 1)}
    assert status.listed(r, date(2029, 7, 1)) is None
    assert status.until(r, date(2029, 7, 1)) is None


def test_a_renewed_cycle_is_never_in_grace_and_nothing_required_is_never_behind():
    assert status.listed(row(renewed=True, earned="10"), date(2029, 8, 1)) == "behind_pace"
    free = row(required="0")
    assert status.until(free, date(2024, 7, 1)) == date(2029, 7, 1)  # only grace moves it
    assert status.listed(free, date(2029, 6, 30)) == "on_pace"


days = st.dates(min_value=date(2023, 1, 1), max_value=date(2032, 12, 31))


@st.composite
def rows(draw):
    start = draw(st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)))
    end = start + timedelta(days=draw(st.integers(0, 5 * 366)))
    grace = draw(st.none() | st.integers(1, 400).map(lambda n: end + timedelta(days=n)))
    fixed = draw(st.sampled_from([None, None, None, "complete", "lapsed"]))
    return row(start=start, end=end, grace=grace, fixed=fixed, renewed=draw(st.booleans()),
               earned=str(draw(st.decimals(0, 200, places=2))), required=str(draw(st.decimals(0, 180, places=2))),
               superseded=draw(st.none() | st.integers(0, 6 * 366).map(lambda n: start + timedelta(days=n))),
               lapses=draw(st.none() | st.integers(1, 800).map(lambda n: end + timedelta(days=n))))


@settings(max_examples=300, deadline=None)
@given(rows(), days, st.integers(0, 3000))
def test_a_judgement_holds_exactly_until_its_day(r, on, ahead):
    judged = status.judged(r, on)
    later = on + timedelta(days=ahead)
    if judged["status_until"] is None or later < judged["status_until"]:
        assert status.listed(r, later) == judged["status"]
    if judged["status_until"] is not None:
        assert judged["status_until"] > on
        assert status.listed(r, judged["status_until"]) != judged["status"]
        assert status.listed(r, judged["status_until"] - D) == judged["status"]
