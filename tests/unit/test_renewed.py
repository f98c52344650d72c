"""A renewed cycle in the engine (CONTRACT.md section 6): from its renewal on, it is what
the renewal kept (status, earned units, the entries counted, what it carries over), and
each cycle knows its license and its number."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

from ledger.engine import COMPLETE, IN_PROGRESS, LAPSED, Entry, License, Renewed, Rulebook, standing
from ledger.engine import RenewalRule as Rule

RULE = Rule("professional", Decimal(60), grace_days=61, carry_over_max_units=Decimal(10), cite="R")
RB = Rulebook(state="TN", version=3, name="Tennessee", unit="PDP", units_per_clock_hour=Decimal(1), renewal=(RULE,))
ONE = License(1, "professional", date(2020, 7, 1), date(2025, 6, 30))
TWO = License(7, "professional", date(2025, 7, 1), date(2030, 6, 30))


def act(id_, on, hours):
    return Entry(id_, "activity", on, hours=Decimal(hours), title="Course")


def judged(entries, licenses, as_of):
    return standing(entries, licenses, RB, as_of, pathways=False).renewal


def test_cycles_are_numbered_by_start_under_their_first_cycles_id():
    other = License(3, "practitioner", date(2021, 1, 1), date(2026, 12, 31))
    rb = replace(RB, renewal=(RULE, Rule("practitioner", Decimal(30))))
    got = standing([], [TWO, other, ONE], rb, date(2026, 1, 1), pathways=False).renewal
    assert [(p.license.id, p.license_id, p.cycle_number) for p in got] == [(1, 1, 1), (3, 3, 1), (7, 1, 2)]


def test_from_its_renewal_on_a_cycle_keeps_what_the_renewal_froze():
    renewed = Renewed(date(2025, 6, 15), COMPLETE, Decimal(60), frozenset({1}), Decimal(0), rulebook_version=2)
    entries = [act(2, date(2023, 1, 1), 20)]  # entry 1 was voided since; another was added
    [p] = judged(entries, [replace(ONE, renewed=renewed)], date(2025, 6, 15))
    assert (p.status, p.earned_units, p.rulebook_version, p.pace, p.renewed) == (COMPLETE, 60, 2, None, renewed)
    [before] = judged(entries, [replace(ONE, renewed=renewed)], date(2025, 6, 14))  # the day before: judged
    assert (before.status, before.earned_units, before.renewed) == (IN_PROGRESS, 20, None)


def test_a_waived_renewal_keeps_its_status_and_is_not_in_grace():
    renewed = Renewed(date(2025, 7, 10), LAPSED, Decimal(0), frozenset())
    [p] = judged([], [replace(ONE, renewed=renewed)], date(2025, 7, 20))
    assert (p.status, p.in_grace) == (LAPSED, False)


def test_a_renewed_cycles_grace_entries_and_carry_over_are_what_it_kept():
    grace = act(5, date(2025, 8, 1), 10)
    later = act(6, date(2025, 9, 1), 4)
    renewed = Renewed(date(2025, 8, 2), COMPLETE, Decimal(60), frozenset({4, 5}), carry_out_units=Decimal(3))
    entries = [act(4, date(2022, 1, 1), 50), grace, later]
    one, two = judged(entries, [replace(ONE, renewed=renewed), TWO], date(2026, 1, 1))
    assert one.grace_counted == {5} and [v.entry.id for v in two.counted] == [6]
    assert (two.carried_over_units, two.earned_units) == (3, 7)
