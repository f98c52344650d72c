"""Renewal progress per license (CONTRACT.md section 2, "Renewal")."""

from datetime import date
from decimal import Decimal

from ledger.engine import (
    COMPLETE,
    IN_PROGRESS,
    LAPSED,
    Entry,
    License,
    Minimum,
    Rate,
    RenewalRule,
    Rulebook,
    standing,
)

RATE = Rate(Decimal(6), date(2015, 1, 1), cite="6 a MC")
PRO = RenewalRule("professional", Decimal(60), Decimal(30), cite="pro rule")
PRAC = RenewalRule("practitioner", Decimal(30), None, (Minimum("literacy", Decimal(10)),), cite="prac rule")
RB = Rulebook(state="TN", version=2, name="Tennessee", unit="PDP", units_per_clock_hour=Decimal(1),
              rates=(RATE,), renewal=(PRO, PRAC))
CYCLE = License(1, "professional", date(2020, 7, 1), date(2025, 6, 30))

_ids = iter(range(1, 10_000))


def mc(on, code="DP-FA-01", tags=()):
    return Entry(next(_ids), "microcredential", on, credential=code, issuer="DP", tags=frozenset(tags))


def act(on, hours, tags=()):
    return Entry(next(_ids), "activity", on, hours=Decimal(hours), title="Workshop", tags=frozenset(tags))


def progress(entries, as_of, license=CYCLE, rb=RB):
    result = standing(entries, [license], rb, as_of)
    assert len(result.renewal) == 1
    return result.renewal[0]


def test_entries_on_the_first_and_last_day_of_the_cycle_count_and_those_outside_do_not():
    entries = [mc(date(2020, 6, 30)), mc(date(2020, 7, 1)), mc(date(2025, 6, 30)), mc(date(2025, 7, 1))]
    p = progress(entries, date(2026, 1, 1))
    assert [v.entry.earned_on for v in p.counted] == [date(2020, 7, 1), date(2025, 6, 30)]
    assert p.earned_units == 12


def test_entries_earned_after_as_of_appear_nowhere():
    entries = [mc(date(2021, 1, 1)), mc(date(2021, 1, 2))]
    result = standing(entries, [CYCLE], RB, date(2021, 1, 1))
    assert [v.entry.earned_on for v in result.entries] == [date(2021, 1, 1)]
    assert result.renewal[0].earned_units == 6


def test_microcredential_units_are_capped_in_the_total_but_activities_are_not():
    entries = [mc(date(2021, 1, d)) for d in range(1, 8)] + [act(date(2022, 1, 1), "20")]
    p = progress(entries, date(2023, 1, 1))
    assert p.microcredential_units == 42 and p.microcredential_units_counted == 30
    assert p.activity_units == 20 and p.earned_units == 50 and p.remaining_units == 10
    assert p.status == IN_PROGRESS


def test_complete_when_required_units_are_met_even_after_the_cycle_ends():
    entries = [mc(date(2021, 1, d)) for d in range(1, 6)] + [act(date(2022, 1, 1), "30")]
    assert progress(entries, date(2022, 1, 1)).status == COMPLETE
    assert progress(entries, date(2030, 1, 1)).status == COMPLETE


def test_lapsed_only_once_as_of_is_past_cycle_end():
    entries = [mc(date(2021, 1, 1))]
    assert progress(entries, date(2025, 6, 30)).status == IN_PROGRESS
    assert progress(entries, date(2025, 7, 1)).status == LAPSED


def test_a_minimum_counts_uncapped_units_of_entries_bearing_its_tag():
    lic = License(2, "practitioner", date(2020, 7, 1), date(2025, 6, 30))
    entries = [act(date(2021, 1, 1), "25"), mc(date(2021, 2, 1), tags=["literacy"])]
    p = progress(entries, date(2022, 1, 1), lic)
    assert p.earned_units == 31
    assert p.minimums[0].earned_units == 6 and not p.minimums[0].met
    assert p.status == IN_PROGRESS  # units met, minimum not
    p = progress(entries + [act(date(2021, 3, 1), "4", tags=["literacy"])], date(2022, 1, 1), lic)
    assert p.minimums[0].met and p.status == COMPLETE


def test_a_minimum_counts_units_the_cap_left_out():
    rule = RenewalRule("capped", Decimal(12), Decimal(6), (Minimum("literacy", Decimal(12)),))
    rb = Rulebook("TN", 1, "T", "PDP", Decimal(1), (RATE,), (rule,))
    lic = License(3, "capped", date(2020, 1, 1), date(2024, 12, 31))
    entries = [mc(date(2021, 1, 1), tags=["literacy"]), mc(date(2021, 1, 2), tags=["literacy"]),
               act(date(2021, 1, 3), "6")]
    p = progress(entries, date(2022, 1, 1), lic, rb)
    assert p.earned_units == 12 and p.minimums[0].earned_units == 12 and p.status == COMPLETE


def test_a_license_type_without_a_rule_is_left_out():
    other = License(4, "administrator", date(2020, 1, 1), date(2024, 12, 31))
    result = standing([mc(date(2021, 1, 1))], [CYCLE, other], RB, date(2022, 1, 1))
    assert [p.license.type for p in result.renewal] == ["professional"]


def test_a_cycle_ending_on_29_february_counts_that_day():
    lic = License(5, "professional", date(2019, 3, 1), date(2024, 2, 29))
    entries = [mc(date(2024, 2, 29)), mc(date(2024, 3, 1))]
    p = progress(entries, date(2024, 2, 29), lic)
    assert p.earned_units == 6 and p.status == IN_PROGRESS
    assert progress(entries, date(2024, 3, 1), lic).status == LAPSED


def test_pace_is_what_is_left_per_month_until_cycle_end():
    p = progress([act(date(2021, 1, 1), "30")], date(2024, 6, 30))
    # 30 PDPs left over 2024-06-30 .. 2025-06-30, both included: 366 days
    assert p.pace.days_left == 366
    assert p.pace.units_per_month == Decimal("2.50")  # 30 * 30.436875 / 366, rounded up to the cent
    assert float(p.pace.months_left) == 12.02


def test_pace_on_the_last_day_asks_for_everything_left_and_is_absent_when_not_in_progress():
    p = progress([], date(2025, 6, 30))
    assert p.pace.days_left == 1 and p.pace.units_per_month >= 60
    assert progress([], date(2025, 7, 1)).pace is None


def test_pace_before_the_cycle_starts_counts_from_the_first_day():
    p = progress([], date(2019, 1, 1))
    assert p.pace.days_left == (date(2025, 6, 30) - date(2020, 7, 1)).days + 1


def test_what_if_values_the_same_entries_under_another_rulebook():
    ut = Rulebook("UT", 1, "Utah", "hours", Decimal(1), (Rate(Decimal("7.5"), date(2016, 1, 1), cite="ut"),), ())
    entries = [mc(date(2021, 1, 1)), act(date(2021, 2, 1), "3")]
    result = standing(entries, [], ut, date(2022, 1, 1))
    assert [v.units for v in result.entries] == [Decimal("7.5"), Decimal(3)]
    assert result.renewal == ()
