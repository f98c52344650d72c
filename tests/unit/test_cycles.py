"""Which cycle is judged, and whether it is on pace (engine.cycles): the rules the pages,
the roster, the state overview and season printing share."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

from ledger.engine import (
    COMPLETE,
    IN_PROGRESS,
    LAPSED,
    LICENSE,
    Entry,
    License,
    Rate,
    RenewalRule,
    Rulebook,
    behind_pace,
    current_cycles,
    cycle_share,
    due_soon,
    latest_cycles,
    season_cycle,
    standing,
)

EARLIER = License(1, "professional", date(2016, 7, 1), date(2021, 6, 30))
NOW = License(2, "professional", date(2021, 7, 1), date(2026, 6, 30))
NEXT = License(3, "professional", date(2026, 7, 1), date(2031, 6, 30))
LEAP = License(4, "practitioner", date(2019, 3, 1), date(2024, 2, 29))

# 100 units over 2024 (366 days from its first to its last day, a span of 365); each MC 7.5
RULE = RenewalRule("professional", Decimal(100), cite="100 hours")
RB = Rulebook("UT", 3, "Utah", "hours", Decimal(1), (Rate(Decimal("7.5"), date(2000, 1, 1), cite="7.5"),), (RULE,))
YEAR = License(5, "professional", date(2024, 1, 1), date(2024, 12, 31))


def mcs(n, first=date(2024, 1, 2)):
    return [Entry(i, "microcredential", first.replace(day=first.day + i), credential=f"MC-{i}", issuer="DP")
            for i in range(n)]


def progress(entries, as_of, lic=YEAR):
    (p,) = standing(entries, [lic], RB, as_of, pathways=False).renewal
    return p


# current_cycles


def test_the_cycle_that_holds_the_day_is_current_on_its_first_and_last_day():
    cycles = [EARLIER, NOW, NEXT]
    assert current_cycles(cycles, date(2021, 7, 1)) == [NOW]
    assert current_cycles(cycles, date(2021, 6, 30)) == [EARLIER]
    assert current_cycles(cycles, date(2026, 6, 30)) == [NOW]
    assert current_cycles(cycles, date(2026, 7, 1)) == [NEXT]


def test_a_cycle_not_begun_is_never_current_and_between_cycles_the_latest_started_is():
    assert current_cycles([NEXT], date(2026, 6, 30)) == []
    gap = License(6, "professional", date(2027, 1, 1), date(2031, 12, 31))
    assert current_cycles([EARLIER, NOW, gap], date(2026, 9, 1)) == [NOW]  # ended, next not begun
    assert current_cycles([EARLIER, NOW, gap], date(2027, 1, 1)) == [gap]


def test_each_license_type_has_its_own_current_cycle_in_the_order_given():
    assert current_cycles([LEAP, NEXT, NOW, EARLIER], date(2024, 2, 29)) == [LEAP, NOW]
    assert current_cycles([LEAP, NOW], date(2024, 3, 1)) == [LEAP, NOW]  # ended, still the latest begun


def test_current_cycles_of_renewal_progress_read_each_ones_license():
    s = standing([], [EARLIER, NOW, NEXT], Rulebook("UT", 1, "U", "h", Decimal(1), (), (RULE,)), date(2024, 2, 29),
                 pathways=False)
    assert [p.license for p in current_cycles(s.renewal, date(2024, 2, 29), key=LICENSE)] == [NOW]


# latest_cycles and season_cycle


def test_the_latest_cycle_of_each_type_counts_one_recorded_but_not_begun():
    assert latest_cycles([EARLIER, NEXT, NOW, LEAP]) == [NEXT, LEAP]
    twin = License(7, "professional", date(2026, 1, 1), date(2031, 6, 30))
    assert latest_cycles([NEXT, twin]) == [NEXT]  # same end: the first given


def test_a_season_prints_a_license_expiring_unless_a_next_cycle_is_recorded():
    assert season_cycle([EARLIER, NOW], date(2026, 7, 1)) == NOW
    assert season_cycle([EARLIER, NOW], date(2026, 6, 30)) is None  # ends on the day: not before it
    assert season_cycle([EARLIER, NOW, NEXT], date(2026, 7, 1)) is None  # renewed, though not begun


def test_a_season_names_the_earliest_ending_license_in_its_window_and_the_first_type_between_equals():
    assert season_cycle([NOW, LEAP], date(2027, 1, 1)) == LEAP
    assert season_cycle([NOW, LEAP], date(2027, 1, 1), expiring_after=date(2024, 3, 1)) == NOW
    assert season_cycle([NOW, LEAP], date(2027, 1, 1), expiring_after=date(2024, 2, 29)) == LEAP
    admin = License(8, "administrator", date(2021, 1, 1), date(2026, 6, 30))
    assert season_cycle([NOW, admin], date(2027, 1, 1)) == admin


# behind pace and due soon


def test_the_share_of_the_cycle_gone_by_is_exact_and_bounded():
    assert cycle_share(YEAR, date(2023, 12, 31)) == 0
    assert cycle_share(YEAR, date(2024, 1, 1)) == 0
    assert cycle_share(YEAR, date(2024, 4, 19)) * 365 == 109
    assert cycle_share(YEAR, date(2024, 12, 31)) == 1
    assert cycle_share(YEAR, date(2025, 6, 1)) == 1
    assert cycle_share(License(9, "x", date(2024, 1, 1), date(2024, 1, 1)), date(2024, 1, 1)) == 0


def test_behind_pace_flips_on_the_day_the_share_gone_by_passes_what_is_earned():
    earned = mcs(4)  # 30 of 100: on pace while at most 30% of 365 days (109.5) have gone by
    assert progress(earned, date(2024, 4, 19)).earned_units == 30
    assert not behind_pace(progress(earned, date(2024, 4, 19)))   # day 109
    assert behind_pace(progress(earned, date(2024, 4, 20)))       # day 110


def test_on_the_first_day_or_before_the_cycle_begins_nothing_is_behind():
    assert not behind_pace(progress([], date(2024, 1, 1)))
    assert not behind_pace(progress([], date(2023, 6, 1)))
    assert behind_pace(progress([], date(2024, 1, 2)))


def test_a_cycle_from_29_february_to_29_february_flips_behind_pace_to_the_day():
    leap = License(10, "professional", date(2020, 2, 29), date(2024, 2, 29))  # a span of 1461 days
    earned = mcs(2, date(2020, 3, 1))  # 15 of 100: on pace up to day 219.15
    assert cycle_share(leap, date(2020, 10, 5)) == Fraction(219, 1461)
    p = progress(earned, date(2020, 10, 5), leap)
    assert p.earned_units == 15 and not behind_pace(p)
    assert behind_pace(progress(earned, date(2020, 10, 6), leap))
    assert not behind_pace(progress(mcs(14, date(2020, 3, 1)), date(2024, 2, 29), leap))  # complete


def test_complete_and_lapsed_renewals_are_never_behind_nor_due():
    done = progress(mcs(14), date(2024, 12, 31))
    assert done.status == COMPLETE and not behind_pace(done) and not due_soon(done)
    short = progress([], date(2025, 1, 1))
    assert short.status == LAPSED and not behind_pace(short) and not due_soon(short)


def test_due_soon_when_the_cycle_ends_within_six_months_to_the_day():
    assert progress([], date(2024, 6, 30)).status == IN_PROGRESS
    assert not due_soon(progress([], date(2024, 6, 30)))   # 6 months on: 2024-12-30
    assert due_soon(progress([], date(2024, 7, 1)))        # 6 months on: 2025-01-01
    leap = License(11, "professional", date(2020, 3, 1), date(2024, 8, 29))
    assert not due_soon(progress([], date(2024, 2, 28), leap))  # 2024-08-28
    assert due_soon(progress([], date(2024, 2, 29), leap))      # 2024-08-29
