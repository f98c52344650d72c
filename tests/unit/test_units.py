"""Units of an entry: rate matching by specificity and effective date (CONTRACT.md 2)."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.engine import NO_RATE, Entry, Rate, RateTable, Rulebook, Valuer


def rulebook(*rates, per_hour="1"):
    return Rulebook(state="TN", version=3, name="Tennessee", unit="PDP",
                    units_per_clock_hour=Decimal(per_hour), rates=tuple(rates), cite="hours rule")


def mc(on, credential="DP-FA-01", issuer="DP"):
    return Entry(id=1, kind="microcredential", earned_on=on, credential=credential, issuer=issuer)


OLD = Rate(Decimal(5), date(2017, 8, 1), date(2020, 6, 30), cite="old")
NEW = Rate(Decimal(6), date(2020, 7, 1), cite="new")


def test_an_mc_earned_on_the_day_a_rate_ends_takes_that_rate():
    v = Valuer(rulebook(OLD, NEW)).value(mc(date(2020, 6, 30)))
    assert (v.units, v.rule, v.reason) == (Decimal(5), "old", None)


def test_an_mc_earned_the_day_after_a_rate_ends_takes_the_next_rate():
    v = Valuer(rulebook(OLD, NEW)).value(mc(date(2020, 7, 1)))
    assert (v.units, v.rule) == (Decimal(6), "new")


def test_an_mc_earned_the_day_a_rate_starts_takes_it_and_the_day_before_does_not():
    assert Valuer(rulebook(OLD)).value(mc(date(2017, 8, 1))).units == 5
    before = Valuer(rulebook(OLD)).value(mc(date(2017, 7, 31)))
    assert (before.units, before.rule, before.reason) == (0, None, NO_RATE)


def test_no_rate_is_zero_units_with_reason_not_an_error():
    v = Valuer(rulebook()).value(mc(date(2022, 1, 1)))
    assert v.units == 0 and v.reason == "no_rate"


def test_a_credential_rate_beats_an_issuer_rate_beats_a_general_rate():
    general = Rate(Decimal(6), date(2017, 1, 1), cite="general")
    by_issuer = Rate(Decimal(8), date(2017, 1, 1), issuer="DP", cite="issuer")
    by_credential = Rate(Decimal(10), date(2017, 1, 1), credential="DP-FA-01", cite="credential")
    valuer = Valuer(rulebook(general, by_issuer, by_credential))
    assert valuer.value(mc(date(2022, 1, 1))).rule == "credential"
    assert valuer.value(mc(date(2022, 1, 1), credential="DP-FA-02")).rule == "issuer"
    assert valuer.value(mc(date(2022, 1, 1), credential="BB-01", issuer="BB")).rule == "general"


def test_a_more_specific_rate_wins_even_when_a_general_rate_started_later():
    older_specific = Rate(Decimal(10), date(2017, 1, 1), credential="DP-FA-01", cite="credential")
    newer_general = Rate(Decimal(6), date(2023, 1, 1), cite="general")
    assert Valuer(rulebook(older_specific, newer_general)).value(mc(date(2024, 1, 1))).rule == "credential"


def test_a_specific_rate_out_of_force_falls_back_to_the_general_rate():
    ended = Rate(Decimal(10), date(2017, 1, 1), date(2018, 12, 31), credential="DP-FA-01", cite="credential")
    general = Rate(Decimal(6), date(2017, 1, 1), cite="general")
    assert Valuer(rulebook(ended, general)).value(mc(date(2019, 1, 1))).rule == "general"


def test_a_rate_naming_credential_and_issuer_must_match_both_and_ranks_as_a_credential_rate():
    both = Rate(Decimal(12), date(2017, 1, 1), issuer="DP", credential="DP-FA-01", cite="both")
    by_issuer = Rate(Decimal(8), date(2017, 1, 1), issuer="DP", cite="issuer")
    valuer = Valuer(rulebook(both, by_issuer))
    assert valuer.value(mc(date(2022, 1, 1))).rule == "both"
    # same credential code under another issuer does not match the rate naming DP
    assert valuer.value(mc(date(2022, 1, 1), issuer="XX")).reason == NO_RATE


def test_among_equally_specific_rates_the_latest_effective_from_wins():
    first = Rate(Decimal(5), date(2017, 1, 1), cite="first")
    second = Rate(Decimal(7), date(2021, 1, 1), cite="second")
    valuer = Valuer(rulebook(second, first))
    assert valuer.value(mc(date(2020, 12, 31))).rule == "first"
    assert valuer.value(mc(date(2021, 1, 1))).rule == "second"


def test_an_activity_earns_hours_times_units_per_clock_hour():
    entry = Entry(id=2, kind="activity", earned_on=date(2022, 1, 1), hours=Decimal("2.5"), title="Workshop")
    v = Valuer(rulebook(per_hour="1.5")).value(entry)
    assert v.units == Decimal("3.75") and v.rule.startswith("1.5 PDP per clock hour")


def test_a_rate_on_29_february_is_in_force_on_that_day():
    leap = Rate(Decimal(9), date(2024, 2, 29), date(2024, 2, 29), cite="leap day")
    valuer = Valuer(rulebook(leap))
    assert valuer.value(mc(date(2024, 2, 29))).units == 9
    assert valuer.value(mc(date(2024, 3, 1))).reason == NO_RATE


def test_matching_is_memoised_but_exact_per_day():
    valuer = Valuer(rulebook(OLD, NEW))
    days = [date(2020, 6, 30), date(2020, 7, 1), date(2020, 6, 30)]
    assert [valuer.value(mc(d)).units for d in days] == [5, 6, 5]


@pytest.mark.parametrize("module", ["ledger.engine", "pathways"])
def test_the_rule_modules_import_neither_flask_nor_sqlalchemy(module):
    import subprocess
    import sys

    code = (
        f"import sys, {module}; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy')]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=Path(__file__).resolve().parents[2])
    assert result.returncode == 0, result.stdout + result.stderr


_days = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))
_rate = st.builds(
    lambda units, start, length, issuer, credential: Rate(
        Decimal(units), start, None if length is None else start + timedelta(days=length), issuer, credential),
    st.integers(1, 9), _days, st.one_of(st.none(), st.integers(0, 2000)), st.sampled_from([None, "DP", "BB"]),
    st.sampled_from([None, "DP-FA-01", "BB-CM-01"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(_rate, max_size=6), st.lists(st.tuples(st.sampled_from([None, "DP-FA-01", "BB-CM-01", "X"]),
                                                       st.sampled_from([None, "DP", "BB"]), _days), max_size=20))
def test_the_rate_timeline_answers_as_a_scan_of_every_rate_on_that_day(rates, asks):
    """RateTable looks rates up by bisection over the days the answer may change: always
    the rate the contract's rule picks on that very day (specificity, then the latest
    effective_from, effective_to inclusive)."""
    table = RateTable(rates)
    for credential, issuer, day in asks:
        in_force = [r for r in rates if r.in_force(day) and (r.credential is None or r.credential == credential)
                    and (r.issuer is None or r.issuer == issuer)]
        best = max(in_force, key=lambda r: (r.rank, r.effective_from), default=None)
        got = table.match(credential, issuer, day)
        assert (got.rank, got.effective_from) == (best.rank, best.effective_from) if best else got is None
