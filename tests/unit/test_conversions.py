"""Activity units by measure (CONTRACT.md section 2b, "Activity units"), to the day: a
conversion ending on a day still converts that day, the latest effective_from wins among
several in force, a clock_hour conversion beats units_per_clock_hour, and a measure
nothing converts is worth 0 with the reason no_conversion."""

from datetime import date
from decimal import Decimal

import pytest
from marshmallow import ValidationError

from ledger.engine import NO_CONVERSION, Conversion, Entry, Rulebook, Valuer
from ledger.rulebooks.schema import RulebookSchema

CEU_OLD = Conversion("ceu", Decimal(10), date(2010, 1, 1), date(2016, 12, 31), "CEU 1 = 10 until 2016")
CEU = Conversion("ceu", Decimal(5), date(2017, 1, 1), None, "TN PDP FAQ: 1 CEU = 5 PDPs")
CEU_LATER = Conversion("ceu", Decimal(6), date(2020, 1, 1), None, "1 CEU = 6 from 2020")
SEMESTER = Conversion("semester_hour", Decimal(15), date(2017, 1, 1), None, "1 semester hour = 15")
TN = Rulebook("TN", 1, "Tennessee", "PDP", Decimal(1), conversions=(CEU_OLD, CEU, CEU_LATER, SEMESTER))


def act(amount, measure=None, on=date(2018, 5, 1)):
    return Entry(1, "activity", on, hours=Decimal(amount), title="Course", measure=measure)


def value(entry, rulebook=TN):
    v = Valuer(rulebook).value(entry)
    return v.units, v.rule, v.reason


def test_an_amount_in_a_measure_converts_by_the_conversion_in_force_that_day():
    assert value(act("1.5", "ceu")) == (Decimal("7.5"), "TN PDP FAQ: 1 CEU = 5 PDPs", None)
    assert value(act(2, "semester_hour")) == (Decimal(30), "1 semester hour = 15", None)


def test_a_conversion_ending_on_a_day_still_converts_that_day():
    assert value(act(1, "ceu", date(2016, 12, 31)))[0] == 10
    assert value(act(1, "ceu", date(2017, 1, 1)))[0] == 5


def test_among_several_in_force_the_latest_effective_from_wins():
    assert value(act(1, "ceu", date(2019, 12, 31)))[0] == 5
    assert value(act(1, "ceu", date(2020, 1, 1)))[0] == 6


def test_hours_are_clock_hours_and_a_clock_hour_conversion_wins():
    assert value(act(3))[0] == 3  # units_per_clock_hour
    with_clock = Rulebook("TN", 1, "Tennessee", "PDP", Decimal(1),
                          conversions=(Conversion("clock_hour", Decimal(2), date(2000, 1, 1)),))
    assert value(act(3), with_clock)[0] == 6


def test_a_measure_nothing_converts_is_worth_nothing_and_says_why():
    assert value(act(3, "quarter_hour")) == (0, None, NO_CONVERSION)
    assert value(act(1, "ceu", date(2009, 12, 31))) == (0, None, NO_CONVERSION)


def doc(*conversions):
    return {"state": "TN", "name": "Tennessee", "unit": "PDP", "units_per_clock_hour": 1,
            "conversions": list(conversions)}


@pytest.mark.parametrize("conversion,field", [
    ({"measure": "CEU", "units": 5, "effective_from": "2017-01-01"}, "measure"),
    ({"measure": "ceu", "units": 5, "effective_from": "2017-01-01", "effective_to": "2016-01-01"}, "effective_to"),
    ({"measure": "ceu", "effective_from": "2017-01-01"}, "units"),
])
def test_a_bad_conversion_is_named_by_field(conversion, field):
    with pytest.raises(ValidationError) as caught:
        RulebookSchema().load(doc(conversion))
    assert field in caught.value.messages["conversions"][0]


def test_two_conversions_of_one_measure_from_the_same_day_make_the_rulebook_invalid():
    same = {"measure": "ceu", "units": 5, "effective_from": "2017-01-01"}
    with pytest.raises(ValidationError) as caught:
        RulebookSchema().load(doc(same, {**same, "units": 6}))
    assert "effective_from" in caught.value.messages["conversions"][1]
    RulebookSchema().load(doc(same, {**same, "measure": "semester_hour"}))  # another measure: fine
