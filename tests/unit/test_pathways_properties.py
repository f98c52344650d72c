"""Laws of the role-card engine (CONTRACT.md section 2, "Pathway award" to "Pathway
status"), checked with hypothesis on small random cards and entry histories, and against
a brute-force oracle that knows nothing of the engine: it tries every calendar day and
every way of filling the groups."""

from __future__ import annotations

import calendar
import itertools
from datetime import date, timedelta
from typing import NamedTuple

from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from pathways import Group, Period, RoleCard, evaluate
from pathways.evaluate import ACTIVE, IN_PROGRESS, LAPSED, PERMANENT

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ONE_DAY = timedelta(days=1)


class E(NamedTuple):
    id: int
    earned_on: date
    credential: str | None
    tags: frozenset = frozenset()
    kind: str = "microcredential"


# --- strategies ---------------------------------------------------------------------------

CODES = ("A", "B", "C", "D", "E")
TAGS = ("t1", "t2")
# A credential's tags are its catalog's: the same on every entry of that credential.
CATALOG = {"A": frozenset({"t1"}), "B": frozenset({"t2"}), "C": frozenset({"t1", "t2"}),
           "D": frozenset(), "E": frozenset({"t1"})}
LEAP_EDGES = [date(2020, 2, 28), date(2020, 2, 29), date(2020, 3, 1), date(2021, 2, 28),
              date(2021, 3, 1), date(2023, 2, 28), date(2023, 3, 1), date(2024, 2, 28),
              date(2024, 2, 29), date(2024, 3, 1)]
FIRST, LAST = date(2019, 6, 1), date(2024, 6, 1)

days = st.one_of(st.sampled_from(LEAP_EDGES), st.dates(FIRST, LAST))


@st.composite
def groups(draw):
    if draw(st.booleans()):
        return Group(draw(st.integers(1, 2)), from_=frozenset(draw(
            st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True))))
    return Group(draw(st.integers(1, 2)), tags=frozenset(draw(
        st.lists(st.sampled_from(TAGS), min_size=1, max_size=2, unique=True))))


@st.composite
def periods(draw):
    kind = draw(st.sampled_from(["any", "from", "tags"]))
    years, count = draw(st.integers(1, 2)), draw(st.integers(0, 2))
    if kind == "from":
        return Period(years, count, from_=frozenset(draw(
            st.lists(st.sampled_from(CODES), min_size=1, max_size=3, unique=True))))
    if kind == "tags":
        return Period(years, count, tags=frozenset(draw(
            st.lists(st.sampled_from(TAGS), min_size=1, max_size=2, unique=True))))
    return Period(years, count)


@st.composite
def cards(draw, windowed=True, maintenance=True):
    core = tuple(draw(st.lists(st.sampled_from(CODES), max_size=2, unique=True)))
    electives = tuple(draw(st.lists(groups(), min_size=0 if core else 1, max_size=3)))
    if draw(st.integers(0, 4)):
        # mostly cards the rulebook schema would take: each group fillable on its own from
        # the catalog's credentials that are not core, and required_count reachable
        electives = tuple(
            Group(min(g.choose, n), g.from_, g.tags) for g in electives
            if (n := sum(1 for c in CODES if c not in core and eligible_for(g, c)))
        )
        assume(core or electives)
    floor = len(core) + sum(g.choose for g in electives)
    required = draw(st.one_of(st.none(), st.integers(floor, floor + 2)))
    if required is not None and electives:
        pool = len(core) + len(elective_codes(RoleCard("", "", core=core, electives=electives), frozenset(CODES)))
        required = max(floor, min(required, pool))
    years = draw(st.one_of(st.none(), st.integers(1, 3))) if windowed else None
    upkeep = tuple(draw(st.lists(periods(), max_size=2))) if maintenance else ()
    return RoleCard("X", "X", core=core, electives=electives, required_count=required,
                    window_years=years, maintenance=upkeep)


@st.composite
def histories(draw, min_size=3, max_size=10, bursts=True, years=(1, 2, 3)):
    got = draw(st.lists(st.tuples(st.sampled_from(CODES + (None,)), days), min_size=min_size, max_size=max_size))
    if bursts and draw(st.booleans()):
        # most of the catalog earned within a few days: awards, then maintenance, are common
        start, spread = draw(days), draw(st.integers(0, 40))
        got += [(code, start + timedelta(days=draw(st.integers(0, spread))))
                for code in draw(st.lists(st.sampled_from(CODES), min_size=3, unique=True))]
    if bursts and got and draw(st.booleans()):
        # entries on, and a day either side of, another's anniversaries: window edges
        for _ in range(draw(st.integers(1, 3))):
            _, base = draw(st.sampled_from(got))
            shifted = plus_years(base, draw(st.sampled_from(years))) + timedelta(days=draw(st.sampled_from([0, 0, -1, 1])))
            got.append((draw(st.sampled_from(CODES)), shifted))
    return [E(i, on, code, CATALOG.get(code, frozenset()), "microcredential" if code else "activity")
            for i, (code, on) in enumerate(got, 1)]


as_ofs = st.one_of(days, st.dates(FIRST, date(2029, 12, 31)), st.dates(LAST, date(2027, 12, 31)))


@st.composite
def scenarios(draw, windowed=True, maintenance=True):
    """A card, an educator's entries (some on, or a day off, another's anniversary by the
    card's window: its edges), and an as_of."""
    card = draw(cards(windowed=windowed, maintenance=maintenance))
    years = {card.window_years} if card.window_years else {1, 2, 3}
    entries = draw(histories(years=sorted(years)))
    return card, entries, draw(as_ofs)


def shown(scenario):
    """The scenario, noted for the failure report (hypothesis prints composite draws
    poorly)."""
    card, entries, as_of = scenario
    note(f"card={card!r}")
    note(f"entries={entries!r}")
    note(f"as_of={as_of!r}")
    return scenario


# --- the oracle: the contract's words, naively ----------------------------------------------

def plus_years(day: date, years: int) -> date:
    year = day.year + years
    return date(year, day.month, min(day.day, calendar.monthrange(year, day.month)[1]))


def in_window(card: RoleCard, earned_on: date, day: date) -> bool:
    if earned_on > day:
        return False
    return card.window_years is None or earned_on > plus_years(day, -card.window_years)


def eligible_for(group: Group, code: str) -> bool:
    listed = group.from_ is not None and code in group.from_
    tagged = group.tags is not None and bool(group.tags & CATALOG[code])
    return listed or tagged


def elective_codes(card: RoleCard, held: frozenset) -> list[str]:
    return sorted(c for c in held if c not in card.core and any(eligible_for(g, c) for g in card.electives))


def smallest_gap(card: RoleCard, held: frozenset) -> int:
    """The fewest group places left empty over every way of putting each held elective
    credential in one group it is eligible for, or in none."""
    codes = elective_codes(card, held)
    options = [[None] + [i for i, g in enumerate(card.electives) if eligible_for(g, c)] for c in codes]
    best = None
    for choice in itertools.product(*options):
        gap = sum(max(0, g.choose - choice.count(i)) for i, g in enumerate(card.electives))
        best = gap if best is None else min(best, gap)
    return best if best is not None else sum(g.choose for g in card.electives)


def need(card: RoleCard) -> int:
    return card.required_count or len(card.core) + sum(g.choose for g in card.electives)


def oracle_missing(card: RoleCard, held: frozenset) -> int:
    """How many more credentials complete the card, each new one filling one place."""
    core_held = [c for c in card.core if c in held]
    distinct = len(core_held) + len(elective_codes(card, held))
    return max(need(card) - distinct, len(card.core) - len(core_held) + smallest_gap(card, held))


def oracle_award(card: RoleCard, entries: list, as_of: date) -> date | None:
    mcs = [e for e in entries if e.credential is not None]
    if not mcs:
        return None
    memo: dict[frozenset, bool] = {}
    day = min(e.earned_on for e in mcs)  # before it every window is empty
    while day <= as_of:
        held = frozenset(e.credential for e in mcs if in_window(card, e.earned_on, day))
        if held not in memo:
            memo[held] = oracle_missing(card, held) == 0
        if memo[held]:
            return day
        day += ONE_DAY
    return None


def oracle_counted(card: RoleCard, entries: list, day: date) -> set[int]:
    return {e.id for e in entries if e.credential is not None and in_window(card, e.earned_on, day)
            and (e.credential in card.core or any(eligible_for(g, e.credential) for g in card.electives))}


def admits(period: Period, code: str) -> bool:
    if period.from_ is None and period.tags is None:
        return True
    return (period.from_ is not None and code in period.from_) or (
        period.tags is not None and bool(period.tags & CATALOG[code]))


def oracle_status(card: RoleCard, entries: list, as_of: date):
    """(status, awarded_on, lapsed_on, permanent_on, current period number)."""
    awarded = oracle_award(card, entries, as_of)
    if awarded is None:
        return IN_PROGRESS, None, None, None, None
    counted = oracle_counted(card, entries, awarded)
    start = awarded
    for number, period in enumerate(card.maintenance, 1):
        nxt = plus_years(start, period.years)
        got = [e for e in entries if e.credential is not None and start <= e.earned_on < nxt
               and e.earned_on <= as_of and e.id not in counted and admits(period, e.credential)]
        if as_of < nxt:
            return ACTIVE, awarded, None, None, number
        if len(got) < period.required_count:
            return LAPSED, awarded, nxt, None, number
        start = nxt
    return PERMANENT, awarded, None, start, None


# --- the laws --------------------------------------------------------------------------------

@SETTINGS
@given(scenarios())
def test_the_award_date_is_the_earliest_calendar_day_the_contract_allows(scenario):
    card, entries, as_of = shown(scenario)
    result = evaluate(card, entries, as_of)
    assert result.awarded_on == oracle_award(card, entries, as_of)


@SETTINGS
@given(scenarios())
def test_status_lapse_and_permanence_follow_the_periods(scenario):
    card, entries, as_of = shown(scenario)
    # as_of itself, and the last day of each period and the day after it
    edges = [p.end + delta for p in evaluate(card, entries, as_of).periods for delta in (timedelta(0), ONE_DAY)]
    for day in [as_of, *edges]:
        result = evaluate(card, entries, day)
        status, awarded, lapsed_on, permanent_on, current = oracle_status(card, entries, day)
        assert (result.status, result.awarded_on, result.lapsed_on, result.permanent_on) == (
            status, awarded, lapsed_on, permanent_on)
        assert (result.maintenance.number if result.maintenance else None) == current
        assert result.holds == (status in (ACTIVE, PERMANENT))
        if status == ACTIVE and result.maintenance.remaining:
            assert (result.forecast.needed, result.forecast.by) == (result.maintenance.remaining, result.maintenance.end)
        elif status != IN_PROGRESS:  # a met period, lapsed or permanent: nothing to do
            assert result.forecast is None


@SETTINGS
@given(scenarios())
def test_what_is_counted_and_missing_describes_the_right_window(scenario):
    card, entries, as_of = shown(scenario)
    result = evaluate(card, entries, as_of)
    day = result.awarded_on or as_of
    assert {c.entry.id for c in result.counted} == oracle_counted(card, entries, day)
    held = frozenset(e.credential for e in entries if e.credential is not None and in_window(card, e.earned_on, day))
    assert result.missing_total == oracle_missing(card, held)
    assert result.missing_core == tuple(c for c in card.core if c not in held)


@SETTINGS
@given(scenarios())
def test_the_award_date_is_the_earned_on_of_a_counted_entry(scenario):
    card, entries, as_of = shown(scenario)
    result = evaluate(card, entries, as_of)
    if result.awarded_on is not None:
        assert result.awarded_on in {c.entry.earned_on for c in result.counted}
        assert all(c.entry.earned_on <= result.awarded_on for c in result.counted)


@SETTINGS
@given(scenarios(), histories(min_size=1, max_size=3, bursts=False))
def test_adding_entries_never_delays_an_award(scenario, more):
    card, entries, as_of = shown(scenario)
    more = [e._replace(id=e.id + 100) for e in more]
    before = evaluate(card, entries, as_of).awarded_on
    after = evaluate(card, entries + more, as_of).awarded_on
    if before is not None:
        assert after is not None and after <= before


@SETTINGS
@given(scenarios(windowed=False), histories(min_size=1, max_size=3, bursts=False))
def test_without_a_window_adding_entries_keeps_the_award(scenario, more):
    card, entries, as_of = shown(scenario)
    more = [e._replace(id=e.id + 100) for e in more]
    before = evaluate(card, entries, as_of).awarded_on
    assume(before is not None)
    after = evaluate(card, entries + more, as_of).awarded_on
    assert after is not None and after <= before
    # and an award found on one day is the award on every later one
    assert evaluate(card, entries, as_of + timedelta(days=400)).awarded_on == before


@SETTINGS
@given(scenarios(), st.data())
def test_voiding_an_entry_never_advances_an_award(scenario, data):
    card, entries, as_of = shown(scenario)
    assume(entries)
    voided = data.draw(st.sampled_from(entries))
    before = evaluate(card, entries, as_of).awarded_on
    after = evaluate(card, [e for e in entries if e is not voided], as_of).awarded_on
    if before is None:
        assert after is None
    elif after is not None:
        assert after >= before


@SETTINGS
@given(scenarios())
def test_maintenance_never_counts_an_entry_twice(scenario):
    card, entries, as_of = shown(scenario)
    result = evaluate(card, entries, as_of)
    award_ids = {c.entry.id for c in result.counted} if result.awarded_on else set()
    seen: list[int] = []
    for p in result.periods:
        for e in p.counted:
            assert e.id not in award_ids
            assert p.start <= e.earned_on <= p.end and e.earned_on <= as_of
            seen.append(e.id)
    assert len(seen) == len(set(seen))
    # periods follow the award back to back
    if result.periods:
        assert result.periods[0].start == result.awarded_on
    for a, b in zip(result.periods, result.periods[1:]):
        assert b.start == a.end + ONE_DAY


@SETTINGS
@given(scenarios(), histories(min_size=1, max_size=3, bursts=False))
def test_entries_earned_after_as_of_appear_nowhere(scenario, later):
    card, entries, as_of = shown(scenario)
    later = [e._replace(id=e.id + 100, earned_on=as_of + timedelta(days=1 + e.earned_on.toordinal() % 900))
             for e in later]
    assert evaluate(card, entries + later, as_of) == evaluate(card, entries, as_of)


@SETTINGS
@given(scenarios(maintenance=False))
def test_the_forecast_deadline_is_the_last_day_nothing_more_is_missing(scenario):
    card, entries, as_of = shown(scenario)
    entries = [e for e in entries if e.earned_on <= as_of]  # later days see no new entries
    result = evaluate(card, entries, as_of)
    assume(result.status == IN_PROGRESS)
    forecast = result.forecast
    assert forecast.needed == result.missing_total
    if card.window_years is None:
        assert forecast.by is None and forecast.falls_out == ()
        return
    if forecast.by is None:
        # no counted credential's leaving ever adds to what is missing
        later = plus_years(as_of, card.window_years + 1)
        assert evaluate(card, entries, later).missing_total == result.missing_total
        return
    assert forecast.by >= as_of
    assert evaluate(card, entries, forecast.by).missing_total == result.missing_total
    assert evaluate(card, entries, forecast.by + ONE_DAY).missing_total > result.missing_total
    counted = oracle_counted(card, entries, as_of)
    leaving = {e.credential for e in entries if e.id in counted
               and in_window(card, e.earned_on, forecast.by) and not in_window(card, e.earned_on, forecast.by + ONE_DAY)}
    assert set(forecast.falls_out) == leaving
