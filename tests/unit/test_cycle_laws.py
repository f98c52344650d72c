"""Laws of cycles with grace (CONTRACT.md section 2b, "Grace"; section 6), checked with
hypothesis over random back-to-back cycles, grace days and entry histories."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.engine import COMPLETE, Entry, License, Minimum, RenewalRule, Rulebook, next_cycle, standing

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
START = date(2015, 7, 1)

entries = st.lists(st.tuples(st.integers(0, 4000), st.integers(1, 20), st.booleans()), max_size=25).map(
    lambda rows: [Entry(i + 1, "activity", START + timedelta(days=d), hours=Decimal(h), title="x",
                        tags=frozenset({"sei"}) if sei else frozenset()) for i, (d, h, sei) in enumerate(rows)])
rules = st.builds(
    lambda units, grace, minimum: RenewalRule("professional", Decimal(units), grace_days=grace,
                                              minimums=(Minimum("sei", Decimal(minimum)),) if minimum else ()),
    st.integers(1, 60), st.integers(0, 400), st.integers(0, 10))


def cycles(lengths: list[int]) -> list[License]:
    out, start = [], START
    for i, years in enumerate(lengths):
        start, end = (start, next_cycle(start - timedelta(days=1), years)[1])
        out.append(License(i + 1, "professional", start, end))
        start = end + timedelta(days=1)
    return out


def judged(history, licenses, rule, as_of):
    rb = Rulebook(state="XX", version=1, name="X", unit="hour", units_per_clock_hour=Decimal(1), renewal=(rule,))
    return standing(history, licenses, rb, as_of, pathways=False).renewal


@SETTINGS
@given(entries, rules, st.lists(st.integers(1, 4), min_size=1, max_size=4), st.integers(0, 5000))
def test_an_entry_never_counts_in_two_cycles_of_one_license(history, rule, lengths, day):
    progress = judged(history, cycles(lengths), rule, START + timedelta(days=day))
    counted = [v.entry.id for p in progress for v in p.counted]
    assert len(counted) == len(set(counted))


@SETTINGS
@given(entries, rules, st.lists(st.integers(1, 4), min_size=1, max_size=4), st.integers(0, 5000))
def test_an_entry_counts_only_inside_its_cycles_dates_or_grace_days(history, rule, lengths, day):
    for p in judged(history, cycles(lengths), rule, START + timedelta(days=day)):
        last = p.license.cycle_end + timedelta(days=rule.grace_days)
        assert all(p.license.cycle_start <= v.entry.earned_on <= min(last, p.as_of) for v in p.counted)
        after_end = [v for v in p.counted if v.entry.earned_on > p.license.cycle_end]
        if after_end and p.as_of > last:
            assert p.status == COMPLETE  # grace entries stay only with a cycle they completed


@SETTINGS
@given(entries, rules, st.integers(1, 5), st.integers(1, 800))
def test_extending_a_cycle_never_lowers_what_it_earned(history, rule, years, days):
    [lic] = cycles([years])
    extended = License(1, "professional", lic.cycle_start, lic.cycle_end + timedelta(days=days),
                       original_cycle_end=lic.cycle_end)
    far = extended.cycle_end + timedelta(days=rule.grace_days + 1)
    [before] = judged(history, [lic], rule, far)
    [after] = judged(history, [extended], rule, far)
    assert after.earned_units >= before.earned_units
    assert not (before.status == COMPLETE and after.status != COMPLETE)
