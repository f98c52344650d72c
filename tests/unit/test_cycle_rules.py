"""Which rule judges a cycle, grace, and the cycle a renewal opens (CONTRACT.md section
2b, "Which rule judges a cycle" and "Grace"; section 6, "Renewal"), to the day."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from ledger.engine import COMPLETE, IN_PROGRESS, LAPSED, Entry, License, Minimum, Rulebook, next_cycle, standing
from ledger.engine import RenewalRule as Rule

_ids = iter(range(1, 100_000))

OLD = Rule("professional", Decimal(8), cycles_ending_to=date(2024, 6, 29), cite="NC before 2024-06-30")
NEW = Rule("professional", Decimal(10), cycles_ending_from=date(2024, 6, 30), grace_days=61,
           cite="NC from 2024-06-30, 61 days of grace")
RB = Rulebook(state="NC", version=2, name="North Carolina", unit="CEU", units_per_clock_hour=Decimal(1),
              renewal=(OLD, NEW))


def act(on, hours, tags=()):
    return Entry(next(_ids), "activity", on, hours=Decimal(hours), title="Course", tags=frozenset(tags))


def judged(entries, licenses, as_of, rb=RB):
    return standing(entries, licenses, rb, as_of, pathways=False).renewal


def cycle(start, end, type_="professional", id_=1):
    return License(id_, type_, start, end)


# -- which rule judges a cycle

def test_each_cycle_is_judged_by_the_rule_whose_range_holds_its_end_both_bounds_inclusive():
    before = cycle(date(2019, 6, 30), date(2024, 6, 29))
    on = cycle(date(2019, 7, 1), date(2024, 6, 30), id_=2)
    assert RB.rule_for(before) is OLD and RB.rule_for(on) is NEW


def test_a_new_version_does_not_rejudge_a_cycle_its_old_rule_still_judges():
    """The probe of issue 13: a cycle complete at 8 of 8 under the old rule stays complete
    when version 2 adds a stricter rule for later cycles."""
    old_cycle = cycle(date(2018, 7, 1), date(2023, 6, 30))
    entries = [act(date(2020, 1, 1), 8)]
    [p] = judged(entries, [old_cycle], date(2024, 1, 1))
    assert (p.status, p.rule) == (COMPLETE, OLD)


def test_a_cycle_no_rule_judges_is_left_out():
    only_new = Rulebook(state="NC", version=3, name="NC", unit="CEU", units_per_clock_hour=Decimal(1),
                        renewal=(NEW,))
    assert judged([], [cycle(date(2018, 7, 1), date(2023, 6, 30))], date(2024, 1, 1), only_new) == ()


def test_an_extended_cycle_is_judged_by_its_end_as_first_recorded():
    extended = License(1, "professional", date(2019, 6, 30), date(2024, 12, 31), original_cycle_end=date(2024, 6, 29))
    assert RB.rule_for(extended) is OLD


# -- grace

GRACE_CYCLE = cycle(date(2019, 7, 1), date(2024, 6, 30))  # grace ends 2024-08-30 (61 days)
GRACE_ENDS = date(2024, 8, 30)


def test_grace_ends_is_the_last_day_of_grace():
    [p] = judged([], [GRACE_CYCLE], date(2024, 1, 1))
    assert p.grace_ends == GRACE_ENDS == date(2024, 6, 30) + timedelta(days=61)


@pytest.mark.parametrize("as_of,status", [
    (date(2024, 6, 30), IN_PROGRESS),   # the cycle's last day
    (date(2024, 7, 1), IN_PROGRESS),    # grace's first day
    (GRACE_ENDS, IN_PROGRESS),          # grace's last day
    (GRACE_ENDS + timedelta(days=1), LAPSED),
])
def test_a_cycle_short_on_its_end_stays_in_progress_through_its_last_day_of_grace(as_of, status):
    [p] = judged([act(date(2022, 1, 1), 5)], [GRACE_CYCLE], as_of)
    assert p.status == status
    assert p.in_grace == (as_of > GRACE_CYCLE.cycle_end and status == IN_PROGRESS)


def test_an_entry_on_the_last_day_of_grace_completes_the_cycle_and_one_a_day_later_does_not():
    on_last = [act(date(2022, 1, 1), 5), act(GRACE_ENDS, 5)]
    [p] = judged(on_last, [GRACE_CYCLE], date(2025, 1, 1))
    assert (p.status, p.earned_units) == (COMPLETE, 10)
    too_late = [act(date(2022, 1, 1), 5), act(GRACE_ENDS + timedelta(days=1), 5)]
    [p] = judged(too_late, [GRACE_CYCLE], date(2025, 1, 1))
    assert (p.status, p.earned_units) == (LAPSED, 5)


def test_grace_entries_up_to_the_completing_one_count_toward_the_ended_cycle_and_the_rest_toward_the_next():
    short = act(date(2023, 1, 1), 6)
    first, completing, after = act(date(2024, 7, 10), 2), act(date(2024, 7, 20), 2), act(date(2024, 8, 1), 3)
    nxt = cycle(date(2024, 7, 1), date(2029, 6, 30), id_=2)
    ended, current = judged([short, first, completing, after], [GRACE_CYCLE, nxt], date(2024, 12, 1))
    assert ended.status == COMPLETE and {v.entry.id for v in ended.counted} == {short.id, first.id, completing.id}
    assert {v.entry.id for v in current.counted} == {after.id}  # never both


def test_while_grace_runs_its_entries_count_toward_the_ended_cycle_only():
    nxt = cycle(date(2024, 7, 1), date(2029, 6, 30), id_=2)
    early = act(date(2024, 7, 5), 1)
    ended, current = judged([act(date(2022, 1, 1), 2), early], [GRACE_CYCLE, nxt], date(2024, 7, 31))
    assert ended.status == IN_PROGRESS and early.id in {v.entry.id for v in ended.counted}
    assert current.counted == ()
    assert ended.pace.days_left == (GRACE_ENDS - date(2024, 7, 31)).days + 1  # paced to grace's last day


def test_a_cycle_lapsed_at_the_end_of_grace_gives_its_grace_entries_to_the_next_cycle():
    nxt = cycle(date(2024, 7, 1), date(2029, 6, 30), id_=2)
    grace_entry = act(date(2024, 7, 5), 1)
    ended, current = judged([grace_entry], [GRACE_CYCLE, nxt], date(2024, 9, 1))
    assert ended.status == LAPSED and ended.counted == ()
    assert {v.entry.id for v in current.counted} == {grace_entry.id}


def test_grace_counts_toward_minimums_as_toward_the_total():
    rule = Rule("professional", Decimal(4), minimums=(Minimum("sei", Decimal(2)),), grace_days=30)
    rb = Rulebook(state="TX", version=1, name="TX", unit="hour", units_per_clock_hour=Decimal(1), renewal=(rule,))
    c = cycle(date(2020, 1, 1), date(2024, 12, 31))
    entries = [act(date(2022, 1, 1), 4), act(date(2025, 1, 15), 2, tags=["sei"])]
    [p] = judged(entries, [c], date(2025, 3, 1), rb)
    assert p.status == COMPLETE and p.minimums[0].earned_units == 2


def test_without_grace_a_short_cycle_lapses_the_day_after_its_end():
    c = cycle(date(2018, 7, 1), date(2023, 6, 30))
    assert [p.status for p in judged([], [c], date(2023, 6, 30))] == [IN_PROGRESS]
    assert [p.status for p in judged([], [c], date(2023, 7, 1))] == [LAPSED]
    assert judged([], [c], date(2023, 7, 1))[0].grace_ends is None


# -- the cycle a renewal opens

@pytest.mark.parametrize("cycle_end,years,expected", [
    (date(2025, 6, 30), 5, (date(2025, 7, 1), date(2030, 6, 30))),
    (date(2023, 2, 28), 5, (date(2023, 3, 1), date(2028, 2, 29))),   # the day before 1 March of a leap year
    (date(2024, 2, 28), 5, (date(2024, 2, 29), date(2029, 2, 27))),  # 29 February lands on 28 February
    (date(2024, 2, 28), 4, (date(2024, 2, 29), date(2028, 2, 28))),  # into a leap year: the day before the 29th
    (date(2026, 12, 31), 1, (date(2027, 1, 1), date(2027, 12, 31))),
])
def test_the_next_cycle_starts_the_day_after_and_ends_the_day_before_the_same_date_years_on(cycle_end, years,
                                                                                            expected):
    assert next_cycle(cycle_end, years) == expected


# -- carry-over

CARRY = Rule("professional", Decimal(10), carry_over_max_units=Decimal(4), minimums=(Minimum("sei", Decimal(2)),))
CARRY_RB = Rulebook(state="NC", version=1, name="NC", unit="CEU", units_per_clock_hour=Decimal(1), renewal=(CARRY,))
FIRST = cycle(date(2019, 7, 1), date(2024, 6, 30))
SECOND = cycle(date(2024, 7, 1), date(2029, 6, 30), id_=2)


def test_units_beyond_the_requirement_carry_to_a_next_cycle_starting_the_day_after_up_to_the_cap():
    history = [act(date(2020, 1, 1), 16, tags=["sei"]), act(date(2025, 1, 1), 3)]
    first, second = judged(history, [FIRST, SECOND], date(2026, 1, 1), CARRY_RB)
    assert (first.status, first.own_units, first.carry_out_units) == (COMPLETE, 16, 4)  # 6 beyond, at most 4
    assert (second.carried_over_units, second.own_units, second.earned_units) == (4, 3, 7)
    assert second.minimums[0].earned_units == 0  # carried units feed the total only


def test_carried_in_units_do_not_carry_on_and_a_gap_carries_nothing():
    third = cycle(date(2029, 7, 1), date(2034, 6, 30), id_=3)
    history = [act(date(2020, 1, 1), 16, tags=["sei"]), act(date(2025, 1, 1), 8, tags=["sei"])]
    _, second, third_p = judged(history, [FIRST, SECOND, third], date(2030, 1, 1), CARRY_RB)
    assert (second.status, second.earned_units, second.carry_out_units) == (COMPLETE, 12, 0)  # own 8 < 10
    assert third_p.carried_over_units == 0
    after_gap = cycle(date(2024, 9, 1), date(2029, 8, 31), id_=2)
    assert judged(history, [FIRST, after_gap], date(2026, 1, 1), CARRY_RB)[1].carried_over_units == 0


def test_a_cycle_not_complete_carries_nothing():
    history = [act(date(2020, 1, 1), 16)]  # no sei: not complete
    first, second = judged(history, [FIRST, SECOND], date(2026, 1, 1), CARRY_RB)
    assert first.status == LAPSED and second.carried_over_units == 0


# -- school years

YEARLY = Rule("standard", Decimal(100), annual_units=Decimal(36), cite="AR: 36 hours each school year")
AR = Rulebook(state="AR", version=1, name="Arkansas", unit="hour", units_per_clock_hour=Decimal(1), renewal=(YEARLY,))
AR_CYCLE = cycle(date(2020, 7, 1), date(2025, 6, 30), type_="standard")


def test_each_school_year_wholly_inside_the_cycle_is_listed_from_its_first_day():
    [p] = judged([act(date(2020, 7, 1), 36), act(date(2021, 6, 30), 1)], [AR_CYCLE], date(2020, 12, 1), AR)
    assert [(y.start, y.end) for y in p.school_years] == [
        (date(y, 7, 1), date(y + 1, 6, 30)) for y in range(2020, 2025)]
    assert (p.school_years[0].units, p.school_years[0].met) == (36, True)  # the first day counts


def test_a_school_year_ended_short_lapses_the_cycle_the_day_after_it_ends():
    history = [act(date(2020, 9, 1), 35)]
    assert judged(history, [AR_CYCLE], date(2021, 6, 30), AR)[0].status == IN_PROGRESS
    assert judged(history, [AR_CYCLE], date(2021, 7, 1), AR)[0].status == LAPSED


def test_complete_needs_the_total_and_every_school_year():
    every_year = [act(date(y, 9, 1), 36) for y in range(2020, 2025)]
    assert judged(every_year, [AR_CYCLE], date(2025, 7, 1), AR)[0].status == COMPLETE
    one_short = every_year[:-1] + [act(date(2024, 9, 1), 35), act(date(2023, 10, 1), 1)]
    assert judged(one_short, [AR_CYCLE], date(2025, 7, 1), AR)[0].status == LAPSED


def test_a_school_year_that_starts_before_the_cycle_is_not_inside_it():
    c = cycle(date(2020, 9, 1), date(2023, 8, 31), type_="standard")
    [p] = judged([], [c], date(2021, 1, 1), AR)
    assert [(y.start, y.end) for y in p.school_years] == [(date(2021, 7, 1), date(2022, 6, 30)),
                                                          (date(2022, 7, 1), date(2023, 6, 30))]
