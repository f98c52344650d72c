"""Requirements that depend on the other licenses held (README "Several licenses"):
Massachusetts' +30 PDPs per additional license, Texas' "the higher number of hours" for a
holder of several classes; a license is held on a cycle's end when one of its cycles
holds that day (the edge: a cycle ending the day before is not held)."""

from datetime import date
from decimal import Decimal

from ledger.engine import COMPLETE, IN_PROGRESS, Entry, License, Rate, Rulebook, standing
from ledger.engine import RenewalRule as Rule

MAIN = License(1, "professional", date(2021, 7, 1), date(2026, 6, 30))
_ids = iter(range(1, 100_000))


def act(on, hours):
    return Entry(next(_ids), "activity", on, hours=Decimal(hours), title="x")


def judge(rules, licenses, entries, as_of=date(2026, 6, 30)):
    rb = Rulebook("MA", 1, "Massachusetts", "PDP", Decimal(1), rates=(Rate(Decimal(15), date(2000, 1, 1)),),
                  renewal=tuple(rules))
    return {p.license.type: p for p in standing(entries, licenses, rb, as_of, pathways=False).renewal}


MA = [Rule("professional", Decimal(150), units_per_other_license=Decimal(30), cite="603 CMR 44.06"),
      Rule("professional_math", Decimal(150), units_per_other_license=Decimal(30), cite="603 CMR 44.06")]


def test_each_other_license_held_adds_its_units_and_the_cite_says_why():
    alone = judge(MA, [MAIN], [act(date(2022, 1, 1), 150)])["professional"]
    assert (alone.rule.required_units, alone.status) == (150, COMPLETE)
    math = License(2, "professional_math", date(2022, 7, 1), date(2027, 6, 30))
    two = judge(MA, [MAIN, math], [act(date(2022, 1, 1), 150)])["professional"]
    assert (two.rule.required_units, two.status, two.remaining_units) == (180, IN_PROGRESS, 30)
    assert "30 more for 1 other license held (professional_math)" in two.rule.cite
    assert judge(MA, [MAIN, math], [act(date(2022, 1, 1), 180)])["professional"].status == COMPLETE


def test_a_license_is_held_on_the_cycles_last_day_and_not_after_its_own_cycle_ended():
    on_the_day = License(2, "professional_math", date(2021, 7, 1), date(2026, 6, 30))
    day_before = License(2, "professional_math", date(2021, 7, 1), date(2026, 6, 29))
    assert judge(MA, [MAIN, on_the_day], [])["professional"].rule.required_units == 180
    assert judge(MA, [MAIN, day_before], [])["professional"].rule.required_units == 150


def test_a_rule_without_the_field_ignores_the_other_licenses():
    rules = [Rule("professional", Decimal(150)), MA[1]]
    math = License(2, "professional_math", date(2021, 7, 1), date(2026, 6, 30))
    got = judge(rules, [MAIN, math], [])
    assert got["professional"].rule.required_units == 150  # its own rule says nothing of others
    assert got["professional_math"].rule.required_units == 180  # this one counts the professional license


TX = [Rule("standard", Decimal(150), highest_of_held=True, cite="19 TAC 232.11"),
      Rule("professional", Decimal(200), highest_of_held=True, cite="19 TAC 232.11")]


def test_a_holder_of_several_classes_completes_the_higher_number_for_each():
    standard = License(2, "standard", date(2021, 7, 1), date(2026, 6, 30))
    got = judge(TX, [MAIN, standard], [act(date(2022, 1, 1), 160)])
    assert (got["standard"].rule.required_units, got["standard"].status) == (200, IN_PROGRESS)
    assert (got["professional"].rule.required_units, got["professional"].status) == (200, IN_PROGRESS)
    assert "the professional license also held requires 200" in got["standard"].rule.cite
    alone = judge(TX, [standard], [act(date(2022, 1, 1), 160)])["standard"]
    assert (alone.rule.required_units, alone.status) == (150, COMPLETE)


def test_the_highest_counts_only_licenses_whose_rules_say_so():
    rules = [TX[0], Rule("professional", Decimal(200))]
    standard = License(2, "standard", date(2021, 7, 1), date(2026, 6, 30))
    assert judge(rules, [MAIN, standard], [])["standard"].rule.required_units == 150
