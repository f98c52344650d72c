"""Role cards edge by edge (CONTRACT.md section 2, "Pathway award", "Maintenance",
"Pathway status", "Salary credits", and the project's forecasts).

Entries are duck-typed; a small named tuple stands in for `ledger.engine.Entry`, whose
package would pull in Flask. Voided entries never reach the engine, so voiding one here
means leaving it out of the input."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

import pytest

from pathways import (
    ACTIVE,
    IN_PROGRESS,
    LAPSED,
    PERMANENT,
    DistrictRules,
    Effects,
    Group,
    GroupGap,
    Lane,
    Period,
    RoleCard,
    add_years,
    evaluate,
    last_day_in_window,
    salary,
    window_opens,
)

ONE_DAY = timedelta(days=1)


class E(NamedTuple):
    id: int
    earned_on: date
    credential: str | None
    tags: frozenset = frozenset()
    kind: str = "microcredential"


_ids = itertools.count(1)


def d(text: str) -> date:
    return date.fromisoformat(text)


def mc(code: str, on: str, *tags: str) -> E:
    return E(next(_ids), d(on), code, frozenset(tags))


def activity(on: str) -> E:
    return E(next(_ids), d(on), None, frozenset(), "activity")


def card(code="TL", **kw) -> RoleCard:
    return RoleCard(code, "Teacher leader", **kw)


def from_(*codes: str) -> frozenset[str]:
    return frozenset(codes)


def codes(result) -> list[str]:
    return [c.entry.credential for c in result.counted]


# --- calendar arithmetic ------------------------------------------------------------------

@pytest.mark.parametrize("day, years, expected", [
    ("2020-02-29", 1, "2021-02-28"),
    ("2020-02-29", 3, "2023-02-28"),
    ("2020-02-29", 4, "2024-02-29"),
    ("2020-02-29", -1, "2019-02-28"),
    ("2024-02-29", -3, "2021-02-28"),
    ("2021-02-28", 3, "2024-02-28"),
    ("2021-03-01", 3, "2024-03-01"),
])
def test_adding_years_to_29_february_lands_on_28_february_in_a_common_year(day, years, expected):
    assert add_years(d(day), years) == d(expected)


@pytest.mark.parametrize("end, years, opens", [
    ("2023-06-01", 3, "2020-06-02"),
    ("2023-02-28", 3, "2020-02-29"),  # a window ending on 28 February opens on 29 February
    ("2023-03-01", 3, "2020-03-02"),
    ("2024-02-29", 3, "2021-03-01"),  # a window ending on 29 February
    ("2024-02-28", 3, "2021-03-01"),
    ("2024-02-29", 4, "2020-03-01"),
])
def test_a_window_ends_on_its_day_and_opens_the_day_after_that_day_minus_its_years(end, years, opens):
    assert window_opens(d(end), years) == d(opens)


@pytest.mark.parametrize("earned, years, last", [
    ("2019-06-15", 3, "2022-06-14"),
    ("2020-02-29", 3, "2023-02-28"),  # still inside on 2023-02-28, out on 2023-03-01
    ("2021-02-28", 3, "2024-02-27"),  # out of the window ending 2024-02-28
    ("2021-03-01", 3, "2024-02-29"),  # inside the window ending on 29 February
    ("2020-02-28", 4, "2024-02-27"),
    ("2020-02-29", 4, "2024-02-28"),
    ("2020-02-29", 1, "2021-02-28"),
    ("2020-03-01", 1, "2021-02-28"),  # leaves on the same day as 29 February
])
def test_last_day_in_window(earned, years, last):
    assert last_day_in_window(d(earned), years) == d(last)


@pytest.mark.parametrize("years", [1, 2, 3, 4])
def test_last_day_in_window_is_the_last_window_holding_the_day_for_every_day(years):
    day = date(2019, 1, 1)
    while day <= date(2025, 12, 31):
        last = last_day_in_window(day, years)
        assert window_opens(last, years) <= day < window_opens(last + ONE_DAY, years)
        day += ONE_DAY


# --- the award ------------------------------------------------------------------------------

CORE2 = card(core=("C1", "C2"), window_years=3)


@pytest.mark.parametrize("first, awarded", [
    ("2020-06-02", "2023-06-01"),  # earned on the day the window ending 2023-06-01 opens
    ("2020-06-01", None),          # the day before it opens
])
def test_an_mc_on_the_day_the_window_opens_counts_and_one_the_day_before_does_not(first, awarded):
    r = evaluate(CORE2, [mc("C1", first), mc("C2", "2023-06-01")], d("2024-01-01"))
    assert r.awarded_on == (d(awarded) if awarded else None)
    if awarded is None:
        assert r.status == IN_PROGRESS
        assert r.missing_core == ("C1",) and codes(r) == ["C2"]
        assert r.window_opens == d("2021-01-02")


@pytest.mark.parametrize("earned, counted", [("2021-01-02", True), ("2021-01-01", False)])
def test_before_the_award_the_window_at_as_of_holds_its_opening_day_only(earned, counted):
    r = evaluate(CORE2, [mc("C1", earned)], d("2024-01-01"))  # the window opens 2021-01-02
    assert r.status == IN_PROGRESS
    assert (codes(r) == ["C1"]) == counted
    assert r.missing_core == (("C2",) if counted else ("C1", "C2"))


@pytest.mark.parametrize("first, second, awarded", [
    ("2020-02-29", "2023-02-28", "2023-02-28"),  # 29 February is inside the window until 28 February
    ("2020-02-29", "2023-03-01", None),
    ("2021-03-01", "2024-02-29", "2024-02-29"),  # the window ending 29 February opens on 1 March
    ("2021-02-28", "2024-02-29", None),
    ("2021-02-28", "2024-02-28", None),          # the window ending 2024-02-28 opens on 2021-03-01
    ("2021-02-28", "2024-02-27", "2024-02-27"),
])
def test_windows_starting_or_ending_on_29_february(first, second, awarded):
    r = evaluate(CORE2, [mc("C1", first), mc("C2", second)], d("2025-01-01"))
    assert r.awarded_on == (d(awarded) if awarded else None)


def test_the_award_falls_exactly_on_the_day_of_the_completing_entry():
    entries = [mc("C1", "2021-03-10"), mc("C2", "2022-05-20")]
    on_the_day = evaluate(CORE2, entries, d("2022-05-20"))
    assert (on_the_day.status, on_the_day.awarded_on) == (PERMANENT, d("2022-05-20"))
    the_day_before = evaluate(CORE2, entries, d("2022-05-19"))
    assert (the_day_before.status, the_day_before.awarded_on) == (IN_PROGRESS, None)
    assert the_day_before.missing_core == ("C2",) and the_day_before.missing_total == 1


def test_without_a_window_the_whole_history_counts():
    entries = [mc("C1", "2001-01-01"), mc("C2", "2024-01-01")]
    r = evaluate(card(core=("C1", "C2")), entries, d("2024-06-01"))
    assert r.awarded_on == d("2024-01-01") and r.window_opens is None
    assert codes(r) == ["C1", "C2"]


def test_the_award_is_the_earliest_day_not_the_latest_window():
    # complete in 2021, and again with fresh copies in 2025: the award is the first
    entries = [mc("C1", "2021-01-01"), mc("C2", "2021-02-01"), mc("C1", "2025-01-01"), mc("C2", "2025-02-01")]
    r = evaluate(CORE2, entries, d("2025-06-01"))
    assert r.awarded_on == d("2021-02-01")
    assert [c.entry.earned_on for c in r.counted] == [d("2021-01-01"), d("2021-02-01")]


def test_entries_in_any_order_give_the_same_result():
    entries = [mc("C1", "2021-01-01"), mc("X", "2021-06-01"), mc("C2", "2022-02-01"), activity("2021-05-01")]
    first = evaluate(CORE2, entries, d("2023-01-01"))
    assert evaluate(CORE2, entries[::-1], d("2023-01-01")) == first
    assert first.awarded_on == d("2022-02-01")


def test_entries_earned_after_as_of_appear_nowhere():
    c = card(core=("C1", "C2"), maintenance=(Period(3, 1),))
    early = [mc("C1", "2021-01-01"), mc("C2", "2021-06-01")]
    late = [mc("C1", "2021-01-02"), mc("X", "2021-01-03")]
    r = evaluate(c, early[:1] + late, d("2021-01-01"))
    assert r.status == IN_PROGRESS and codes(r) == ["C1"] and r.missing_core == ("C2",)
    r = evaluate(c, early + late, d("2021-06-01"))
    assert r.status == ACTIVE and r.maintenance.counted == ()
    assert r.forecast.needed == 1


def test_activities_count_for_nothing():
    c = card(core=("C1",), maintenance=(Period(1, 1),))
    r = evaluate(c, [mc("C1", "2021-01-01"), activity("2021-06-01")], d("2022-06-01"))
    assert r.status == LAPSED and r.periods[0].counted == ()


# --- filling the groups -----------------------------------------------------------------------

def test_a_core_credential_listed_in_an_elective_group_never_fills_it():
    c = card(core=("C1",), electives=(Group(1, from_=from_("C1", "E1")),))
    r = evaluate(c, [mc("C1", "2021-01-01"), mc("C1", "2021-02-01")], d("2022-01-01"))
    assert r.status == IN_PROGRESS
    assert r.groups == (GroupGap(0, 1, 0),) and r.missing_total == 1 and r.missing_core == ()
    assert {c.role for c in r.counted} == {"core"}
    r = evaluate(c, [mc("C1", "2021-01-01"), mc("E1", "2021-03-01")], d("2022-01-01"))
    assert r.awarded_on == d("2021-03-01")


def test_a_credential_in_two_groups_fills_one_and_matching_finds_the_assignment_greedy_misses():
    # A is eligible for both groups; earned first, a greedy pass puts it in group 0 and
    # B (group 0 only) then has nowhere to go. Matching puts A in group 1, B in group 0.
    c = card(electives=(Group(1, from_=from_("A", "B")), Group(1, from_=from_("A"))))
    r = evaluate(c, [mc("A", "2021-01-01"), mc("B", "2021-02-01")], d("2022-01-01"))
    assert r.awarded_on == d("2021-02-01")
    assert {x.entry.credential: x.group for x in r.counted} == {"A": 1, "B": 0}
    assert not any(x.extra for x in r.counted)


def test_one_credential_never_fills_two_groups():
    c = card(electives=(Group(1, from_=from_("A")), Group(1, tags=from_("lit"))))
    only_a = [mc("A", "2021-01-01", "lit"), mc("A", "2021-02-01", "lit")]
    r = evaluate(c, only_a, d("2022-01-01"))
    assert r.status == IN_PROGRESS and r.missing_total == 1
    r = evaluate(c, only_a + [mc("B", "2021-03-01", "lit")], d("2022-01-01"))
    assert r.awarded_on == d("2021-03-01")


def test_overlapping_groups_that_truly_cannot_all_be_filled_do_not_award():
    # Every plain count is met (3 distinct credentials for 3 places, each group has an
    # eligible one) but A cannot be in groups 0 and 1 at once.
    c = card(electives=(Group(1, from_=from_("A", "B")), Group(1, from_=from_("A", "B")),
                        Group(1, from_=from_("C", "D"))))
    held = [mc("A", "2021-01-01"), mc("C", "2021-02-01"), mc("D", "2021-03-01"), mc("A", "2021-04-01")]
    r = evaluate(c, held, d("2022-01-01"))
    assert r.status == IN_PROGRESS and r.missing_total == 1
    assert sorted(g.missing for g in r.groups) == [0, 0, 1]
    assert r.forecast.groups[0].group in (0, 1)
    r = evaluate(c, held + [mc("B", "2021-05-01")], d("2022-01-01"))
    assert r.awarded_on == d("2021-05-01")


def test_required_count_above_core_and_choices_is_reached_with_extras():
    c = card(core=("C1",), electives=(Group(1, from_=from_("E1", "E2", "E3")),), required_count=3)
    held = [mc("C1", "2021-01-01"), mc("E1", "2021-02-01"), mc("Z", "2021-03-01"), mc("E1", "2021-04-01")]
    r = evaluate(c, held, d("2022-01-01"))
    assert r.status == IN_PROGRESS
    assert (r.missing_core, r.missing_total, r.required_count) == ((), 1, 3)
    assert all(g.missing == 0 for g in r.groups)
    assert "Z" not in codes(r)  # not eligible: counts toward nothing
    r = evaluate(c, held + [mc("E2", "2021-05-01")], d("2022-01-01"))
    assert r.awarded_on == d("2021-05-01")
    e2 = next(x for x in r.counted if x.entry.credential == "E2")
    assert (e2.role, e2.group, e2.extra) == ("elective", 0, True)


def test_a_tag_group_admits_a_credential_bearing_any_listed_tag():
    c = card(electives=(Group(2, tags=from_("lit", "ela")),))
    entries = [mc("E1", "2021-01-01", "lit", "math"), mc("E2", "2021-02-01", "math"), mc("E3", "2021-03-01", "ela")]
    r = evaluate(c, entries, d("2022-01-01"))
    assert r.awarded_on == d("2021-03-01")
    assert codes(r) == ["E1", "E3"]


def test_in_progress_reports_missing_core_group_gaps_and_the_total_for_the_window_at_as_of():
    c = card(core=("C1", "C2"), electives=(Group(1, from_=from_("E1", "E2")), Group(2, tags=from_("lead",))),
             window_years=3)
    entries = [mc("C2", "2018-01-01"),                # left the window ending at as_of
               mc("C1", "2020-03-01"), mc("E1", "2020-04-01"), mc("L1", "2021-01-01", "lead"),
               mc("Z", "2021-02-01")]
    r = evaluate(c, entries, d("2022-01-01"))
    assert r.status == IN_PROGRESS and r.awarded_on is None
    assert r.window_opens == d("2019-01-02")
    assert codes(r) == ["C1", "E1", "L1"]
    assert r.missing_core == ("C2",)
    assert r.groups == (GroupGap(0, 1, 1), GroupGap(1, 2, 1))
    assert r.missing_total == 2  # C2 and one more "lead" credential
    assert (r.forecast.needed, r.forecast.core, r.forecast.groups) == (2, ("C2",), (GroupGap(1, 2, 1),))


def test_missing_total_follows_required_count_when_it_is_larger():
    c = card(core=("C1",), electives=(Group(1, tags=from_("lit",)),), required_count=5)
    r = evaluate(c, [mc("E1", "2021-01-01", "lit")], d("2022-01-01"))
    assert (r.missing_core, r.missing_total) == (("C1",), 4)


# --- forecasts ----------------------------------------------------------------------------------

def test_forecast_by_is_the_day_before_the_first_counted_credential_leaves_the_window():
    c = card(core=("C1", "C2", "C3"), window_years=3)
    r = evaluate(c, [mc("C1", "2020-01-10"), mc("C2", "2021-05-01")], d("2022-01-01"))
    assert r.forecast.needed == 1 and r.forecast.core == ("C3",)
    assert r.forecast.by == d("2023-01-09") and r.forecast.falls_out == ("C1",)


def test_forecast_skips_an_oldest_credential_whose_leaving_changes_nothing():
    # A fills the group, B is the extra; when A leaves, B takes its place.
    c = card(core=("X",), electives=(Group(1, from_=from_("A", "B")),), window_years=3)
    r = evaluate(c, [mc("A", "2020-01-10"), mc("B", "2020-06-01")], d("2021-01-01"))
    assert [x.extra for x in r.counted] == [False, True]
    assert r.forecast.needed == 1
    assert r.forecast.by == d("2023-05-31") and r.forecast.falls_out == ("B",)


def test_forecast_skips_an_oldest_credential_earned_again_later():
    c = card(core=("X", "Y", "Z"), window_years=3)
    r = evaluate(c, [mc("X", "2020-01-10"), mc("Y", "2020-06-01"), mc("X", "2021-01-01")], d("2021-06-01"))
    assert r.forecast.by == d("2023-05-31") and r.forecast.falls_out == ("Y",)


def test_forecast_with_overlapping_groups_sees_a_leaving_that_breaks_the_matching():
    # After B leaves, every plain count is still met (A for groups 0 and 1, C and D for
    # group 2, 3 distinct of the 3 elective places) but A cannot fill two groups.
    c = card(core=("X",), electives=(Group(1, from_=from_("A", "B")), Group(1, from_=from_("A", "B")),
                                      Group(1, from_=from_("C", "D"))), window_years=3)
    entries = [mc("B", "2020-01-10"), mc("A", "2020-03-01"), mc("C", "2020-04-01"), mc("D", "2020-05-01")]
    r = evaluate(c, entries, d("2021-01-01"))
    assert (r.forecast.needed, r.forecast.core) == (1, ("X",))
    assert r.forecast.by == d("2023-01-09") and r.forecast.falls_out == ("B",)


def test_forecast_with_overlapping_groups_sees_a_leaving_the_matching_absorbs():
    # When B leaves, A (fit for both groups) moves into group 0: nothing more is missing
    # until C leaves too.
    c = card(core=("X",), electives=(Group(1, from_=from_("A", "B")), Group(1, from_=from_("A", "C"))),
             window_years=3)
    entries = [mc("B", "2020-01-10"), mc("C", "2020-03-01"), mc("A", "2020-05-01")]
    r = evaluate(c, entries, d("2021-01-01"))
    assert (r.forecast.needed, r.forecast.core) == (1, ("X",))
    assert r.forecast.by == d("2023-02-28") and r.forecast.falls_out == ("C",)


def test_forecast_names_everything_leaving_on_the_same_day_across_29_february():
    # With a 1-year window the entries of 2020-02-29 and 2020-03-01 both leave after
    # 2021-02-28 (the window ending 2021-03-01 opens on 2020-03-02).
    c = card(core=("A", "B", "C"), window_years=1)
    r = evaluate(c, [mc("A", "2020-02-29"), mc("B", "2020-03-01")], d("2020-06-01"))
    assert r.forecast.by == d("2021-02-28")
    assert r.forecast.falls_out == ("A", "B")


def test_forecast_has_no_deadline_without_a_window_or_with_an_empty_one():
    no_window = card(core=("C1", "C2"))
    r = evaluate(no_window, [mc("C1", "2010-01-01")], d("2022-01-01"))
    assert (r.forecast.needed, r.forecast.by, r.forecast.falls_out) == (1, None, ())
    r = evaluate(CORE2, [mc("C1", "2010-01-01")], d("2022-01-01"))
    assert (r.forecast.needed, r.forecast.by, r.forecast.falls_out) == (2, None, ())


# --- maintenance -------------------------------------------------------------------------------

UPKEEP = card(core=("C1", "C2"), electives=(Group(1, from_=from_("E1", "E2")),), maintenance=(Period(3, 1),))
AWARD = [mc("C1", "2020-05-01"), mc("E1", "2020-06-01"), mc("C2", "2021-01-01")]  # D = 2021-01-01


@pytest.mark.parametrize("code, status", [
    ("X", PERMANENT),   # not eligible for the card: counts in period 1
    ("E2", LAPSED),     # an eligible extra in the window at D: counted toward the award
    ("C1", LAPSED),     # a second copy of a core credential, also counted toward the award
])
def test_an_mc_earned_on_the_award_day_counts_in_period_1_only_if_not_counted_toward_the_award(code, status):
    entry = mc(code, "2021-01-01")
    r = evaluate(UPKEEP, AWARD + [entry], d("2024-06-01"))
    assert r.awarded_on == d("2021-01-01") and r.status == status
    assert (entry in [x.entry for x in r.counted]) == (status == LAPSED)
    assert (entry in r.periods[0].counted) == (status == PERMANENT)


def test_an_eligible_credential_earned_after_the_award_counts_in_maintenance():
    r = evaluate(UPKEEP, AWARD + [mc("C1", "2022-01-01")], d("2024-06-01"))
    assert r.status == PERMANENT and r.permanent_on == d("2024-01-01")


@pytest.mark.parametrize("earned, status, lapsed_on", [
    ("2023-12-31", PERMANENT, None),          # the period's last day: counts
    ("2024-01-01", LAPSED, "2024-01-01"),     # D plus 3 years starts the next day
])
def test_a_periods_last_day_is_the_day_before_d_plus_its_years(earned, status, lapsed_on):
    r = evaluate(UPKEEP, AWARD + [mc("X", earned)], d("2024-06-01"))
    assert (r.periods[0].start, r.periods[0].end) == (d("2021-01-01"), d("2023-12-31"))
    assert r.status == status
    assert r.lapsed_on == (d(lapsed_on) if lapsed_on else None)


def test_as_of_on_the_last_day_of_an_unmet_period_is_still_active_and_lapses_the_next_day():
    r = evaluate(UPKEEP, AWARD, d("2023-12-31"))
    assert r.status == ACTIVE and r.holds
    assert (r.maintenance.number, r.maintenance.status, r.maintenance.end) == (1, "open", d("2023-12-31"))
    assert (r.forecast.needed, r.forecast.by, r.forecast.period) == (1, d("2023-12-31"), 1)
    r = evaluate(UPKEEP, AWARD, d("2024-01-01"))
    assert r.status == LAPSED and not r.holds
    assert r.lapsed_on == d("2024-01-01")
    assert r.maintenance is r.periods[0] and r.maintenance.status == "lapsed"
    assert r.forecast is None


def test_an_active_period_already_met_has_no_forecast():
    r = evaluate(UPKEEP, AWARD + [mc("X", "2021-06-01")], d("2022-01-01"))
    assert r.status == ACTIVE and r.maintenance.status == "met" and r.maintenance.remaining == 0
    assert r.forecast is None


def test_nothing_carries_over_from_one_period_to_the_next():
    c = card(core=("C1",), maintenance=(Period(1, 1), Period(1, 1)))
    base = [mc("C1", "2021-01-01")]
    r = evaluate(c, base + [mc("X", "2021-03-01"), mc("Y", "2021-06-01")], d("2023-01-01"))
    assert r.periods[0].status == "met" and len(r.periods[0].counted) == 2
    assert r.periods[1].counted == ()
    assert (r.status, r.lapsed_on, r.maintenance.number) == (LAPSED, d("2023-01-01"), 2)
    r = evaluate(c, base + [mc("X", "2021-03-01"), mc("Y", "2022-06-01")], d("2023-01-01"))
    assert (r.status, r.permanent_on) == (PERMANENT, d("2023-01-01"))


def test_periods_after_a_lapse_are_upcoming_and_count_nothing():
    c = card(core=("C1",), maintenance=(Period(1, 1), Period(1, 0), Period(1, 0)))
    r = evaluate(c, [mc("C1", "2021-01-01"), mc("X", "2022-06-01")], d("2025-01-01"))
    assert r.status == LAPSED and r.lapsed_on == d("2022-01-01")
    assert [p.status for p in r.periods] == ["lapsed", "upcoming", "upcoming"]
    assert all(p.counted == () for p in r.periods[1:])


@pytest.mark.parametrize("period, entry, status", [
    (Period(3, 1, from_=from_("M1")), ("M1",), PERMANENT),
    (Period(3, 1, from_=from_("M1")), ("M2",), LAPSED),
    (Period(3, 1, tags=from_("lead")), ("M2", "lead"), PERMANENT),
    (Period(3, 1, tags=from_("lead")), ("M2", "math"), LAPSED),
    (Period(3, 1), ("M2", "math"), PERMANENT),
])
def test_a_period_with_from_or_tags_counts_only_those(period, entry, status):
    c = card(core=("C1",), maintenance=(period,))
    r = evaluate(c, [mc("C1", "2021-01-01"), mc(entry[0], "2022-01-01", *entry[1:])], d("2024-06-01"))
    assert r.status == status


def test_periods_after_an_award_on_29_february():
    c = card(core=("C1",), maintenance=(Period(1, 1), Period(1, 1)))
    entries = [mc("C1", "2024-02-29"), mc("X", "2025-02-27"), mc("Y", "2025-02-28")]
    r = evaluate(c, entries, d("2026-06-01"))
    assert [(p.start, p.end) for p in r.periods] == [
        (d("2024-02-29"), d("2025-02-27")), (d("2025-02-28"), d("2026-02-27"))]
    assert [[e.credential for e in p.counted] for p in r.periods] == [["X"], ["Y"]]
    assert (r.status, r.permanent_on) == (PERMANENT, d("2026-02-28"))


def test_without_maintenance_the_designation_is_permanent_on_the_award_day():
    r = evaluate(CORE2, [mc("C1", "2021-01-01"), mc("C2", "2021-02-01")], d("2021-02-01"))
    assert (r.status, r.awarded_on, r.permanent_on) == (PERMANENT, d("2021-02-01"), d("2021-02-01"))
    assert (r.periods, r.maintenance, r.forecast, r.lapsed_on) == ((), None, None, None)
    assert r.holds and r.missing_total == 0 and r.missing_core == ()


def test_with_every_period_met_the_designation_is_permanent_from_the_day_after_the_last():
    c = card(core=("C1",), maintenance=(Period(2, 1), Period(3, 2)))
    entries = [mc("C1", "2021-01-01"), mc("X", "2022-01-01"), mc("Y", "2023-06-01"), mc("Z", "2025-12-31")]
    r = evaluate(c, entries, d("2025-12-31"))  # the last day of the last period
    assert (r.status, r.maintenance.number, r.permanent_on, r.forecast) == (ACTIVE, 2, None, None)
    r = evaluate(c, entries, d("2026-01-01"))
    assert (r.status, r.permanent_on, r.maintenance, r.forecast) == (PERMANENT, d("2026-01-01"), None, None)
    assert [p.status for p in r.periods] == ["met", "met"]


def test_a_lapsed_designation_is_never_awarded_again():
    c = card(core=("C1", "C2"), window_years=1, maintenance=(Period(1, 1),))
    entries = [mc("C1", "2020-01-01"), mc("C2", "2020-02-01"),
               mc("C1", "2023-01-01"), mc("C2", "2023-02-01"), mc("X", "2023-03-01"), mc("Y", "2023-04-01")]
    r = evaluate(c, entries, d("2025-01-01"))
    assert (r.status, r.awarded_on, r.lapsed_on) == (LAPSED, d("2020-02-01"), d("2021-02-01"))
    assert not r.holds


# --- voided entries ----------------------------------------------------------------------------

def test_voiding_the_completing_entry_delays_the_award_to_the_next_complete_day():
    voided = mc("C2", "2021-01-01")
    entries = [mc("C1", "2020-06-01"), voided, mc("C2", "2022-03-01")]
    assert evaluate(CORE2, entries, d("2023-01-01")).awarded_on == d("2021-01-01")
    kept = [e for e in entries if e is not voided]
    assert evaluate(CORE2, kept, d("2023-01-01")).awarded_on == d("2022-03-01")


def test_voiding_the_only_copy_of_a_credential_prevents_the_award():
    voided = mc("C2", "2021-01-01")
    r = evaluate(CORE2, [mc("C1", "2020-06-01"), voided], d("2023-01-01"))
    assert r.status == PERMANENT
    r = evaluate(CORE2, [mc("C1", "2020-06-01")], d("2023-01-01"))
    assert r.status == IN_PROGRESS and r.missing_core == ("C2",)


def test_voiding_the_only_maintenance_mc_lapses_the_designation():
    voided = mc("X", "2022-01-01")
    assert evaluate(UPKEEP, AWARD + [voided], d("2024-06-01")).status == PERMANENT
    assert evaluate(UPKEEP, AWARD, d("2024-06-01")).status == LAPSED


# --- salary -------------------------------------------------------------------------------------

LANES = (Lane("BA", Decimal(0)), Lane("BA+15", Decimal(15)), Lane("BA+30", Decimal(30)), Lane("MA", Decimal(45)))
DISTRICT = DistrictRules("JUAB", "Juab", salary_credits_per_mc=Decimal(3), lanes=LANES)
AS_OF = d("2022-01-01")


def mcs(n: int) -> list[E]:
    return [mc(f"M{i}", "2021-01-01") for i in range(n)]


def test_salary_credits_count_active_mcs_earned_by_as_of_only():
    entries = mcs(4) + [activity("2021-01-01"), mc("LATE", "2022-01-02")]
    pay = salary(DISTRICT, entries, [], AS_OF)
    assert (pay.microcredentials, pay.credits) == (4, Decimal(12))
    assert (pay.lane, pay.lane_by_credits, pay.lane_by_designation) == ("BA", "BA", None)
    assert pay.next_lane.name == "BA+15" and pay.credits_to_next_lane == Decimal(3)
    assert (pay.base_salary_pct, pay.designations) == (Decimal(0), ())


@pytest.mark.parametrize("count, lane", [(0, "BA"), (4, "BA"), (5, "BA+15"), (9, "BA+15"), (10, "BA+30"), (15, "MA"), (40, "MA")])
def test_the_lane_is_the_highest_min_credits_not_above_the_credits(count, lane):
    pay = salary(DISTRICT, mcs(count), [], AS_OF)
    assert pay.lane == pay.lane_by_credits == lane


def test_a_district_whose_lowest_lane_needs_credits_has_no_lane_below_it():
    district = DistrictRules("X", "X", salary_credits_per_mc=Decimal(3), lanes=LANES[1:])
    pay = salary(district, mcs(4), [], AS_OF)
    assert (pay.lane, pay.next_lane.name) == (None, "BA+15")


def holding(code: str, pct="0", lane=None, **kw):
    """A card on C1 alone, and its result for an educator holding C1 since 2021-01-01."""
    c = card(code, core=("C1",), effects=Effects(Decimal(pct), lane), **kw)
    return evaluate(c, [mc("C1", "2021-01-01")], AS_OF)


def test_a_designation_lane_that_ranks_higher_sets_the_lane_while_it_holds():
    held = holding("MA-CARD", lane="MA")
    assert held.status == PERMANENT
    pay = salary(DISTRICT, mcs(5), [held], AS_OF)
    assert (pay.lane, pay.lane_by_credits, pay.lane_by_designation) == ("MA", "BA+15", "MA-CARD")
    assert pay.next_lane is None


def test_a_designation_lane_that_ranks_lower_leaves_the_lane_by_credits():
    pay = salary(DISTRICT, mcs(10), [holding("LOW", lane="BA+15")], AS_OF)
    assert (pay.lane, pay.lane_by_designation) == ("BA+30", None)
    assert pay.designations == ("LOW",)


def test_a_lapsed_or_in_progress_designation_sets_no_lane_and_no_percentage():
    lapsed = holding("GONE", "3", lane="MA", maintenance=(Period(1, 5),))
    pending = evaluate(card("LATER", core=("Z",), effects=Effects(Decimal(4), "MA")), [], AS_OF)
    assert (lapsed.status, pending.status) == (LAPSED, IN_PROGRESS)
    pay = salary(DISTRICT, mcs(5), [lapsed, pending], AS_OF)
    assert (pay.lane, pay.lane_by_designation, pay.base_salary_pct, pay.designations) == ("BA+15", None, 0, ())


def test_base_salary_pct_sums_over_the_designations_that_hold_only():
    permanent = holding("P", "2.5")
    active = holding("A", "1.5", maintenance=(Period(5, 1),))
    lapsed = holding("L", "3", maintenance=(Period(1, 5),))
    pending = evaluate(card("I", core=("Z",), effects=Effects(Decimal(4))), [], AS_OF)
    assert [r.status for r in (permanent, active, lapsed, pending)] == [PERMANENT, ACTIVE, LAPSED, IN_PROGRESS]
    pay = salary(DISTRICT, mcs(1), [permanent, active, lapsed, pending], AS_OF)
    assert pay.base_salary_pct == Decimal("4.0")
    assert pay.designations == ("P", "A")


def test_a_district_with_no_lanes():
    district = DistrictRules("NOLANES", "No lanes", salary_credits_per_mc=Decimal("1.5"))
    pay = salary(district, mcs(3), [holding("P", "2")], AS_OF)
    assert (pay.credits, pay.lane, pay.lane_by_credits, pay.next_lane, pay.credits_to_next_lane) == (
        Decimal("4.5"), None, None, None, None)
    assert pay.base_salary_pct == Decimal(2)
    # The engine's reading: with no schedule to rank against, a holding designation's
    # salary_lane is the lane (the contract's "if it ranks higher" does not decide it).
    pay = salary(district, mcs(3), [holding("LANE", lane="Leader")], AS_OF)
    assert (pay.lane, pay.lane_by_designation) == ("Leader", "LANE")
