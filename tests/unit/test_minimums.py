"""Minimums by units or by count, shared or exclusive (CONTRACT.md section 2b,
"Minimums"): with exclusive minimums a unit counts toward one minimum only, an entry may be
split between minimums, an entry counted toward a count minimum is spent whole, and the
figures come from an allocation meeting as many minimums as possible."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from ledger.engine import COMPLETE, IN_PROGRESS, Entry, License, Minimum, Rulebook, standing
from ledger.engine import RenewalRule as Rule
from ledger.rulebooks.schema import RenewalSchema

CYCLE = License(1, "professional", date(2021, 7, 1), date(2026, 6, 30))
CONTENT, LITERACY = Minimum("content", Decimal(3)), Minimum("literacy", Decimal(3))


def act(id_, units, *tags):
    return Entry(id_, "activity", date(2022, 1, id_), hours=Decimal(units), title="x", tags=frozenset(tags))


def judge(entries, minimums, exclusive=True, required=0):
    rule = Rule("professional", Decimal(required), minimums=tuple(minimums), exclusive_minimums=exclusive)
    rb = Rulebook("NC", 1, "North Carolina", "CEU", Decimal(1), renewal=(rule,))
    [p] = standing(entries, [CYCLE], rb, date(2026, 6, 30), pathways=False).renewal
    return p


def figures(p):
    return [(m.tag, m.earned_units if m.required_count is None else m.earned_count, m.met) for m in p.minimums]


def test_shared_minimums_count_an_entry_toward_every_minimum_whose_tag_it_bears():
    p = judge([act(1, 4, "content", "literacy")], [CONTENT, LITERACY], exclusive=False)
    assert figures(p) == [("content", 4, True), ("literacy", 4, True)] and p.status == COMPLETE


def test_exclusive_minimums_split_an_entry_between_minimums():
    p = judge([act(1, 4, "content", "literacy"), act(2, 2, "literacy")], [CONTENT, LITERACY])
    assert figures(p) == [("content", 3, True), ("literacy", 3, True)] and p.status == COMPLETE
    assert sum(f.units for m in p.minimums for f in m.fed) == 6


def test_one_course_cannot_count_twice_the_probe_of_issue_14():
    p = judge([act(1, 4, "content", "literacy")], [CONTENT, LITERACY])
    assert figures(p) == [("content", 3, True), ("literacy", 1, False)] and p.status == IN_PROGRESS


def test_the_allocation_reroutes_an_entry_to_meet_both():
    p = judge([act(1, 3, "content", "literacy"), act(2, 3, "content")], [CONTENT, LITERACY])
    assert figures(p) == [("content", 3, True), ("literacy", 3, True)]
    assert {m.tag: [(f.entry_id, f.units) for f in m.fed] for m in p.minimums} == {
        "content": [(2, 3)], "literacy": [(1, 3)]}


def test_an_entry_counted_toward_a_count_minimum_is_spent_whole():
    suicide = Minimum("suicide-prevention", count=1)
    content = Minimum("content", Decimal(2))
    both = [act(1, 2, "suicide-prevention", "content"), act(2, 2, "content")]
    assert figures(judge(both, [content, suicide])) == [("content", 2, True), ("suicide-prevention", 1, True)]
    one = [act(1, 2, "suicide-prevention", "content")]
    assert figures(judge(one, [content, suicide])) == [("content", 2, True), ("suicide-prevention", 0, False)]
    assert figures(judge(one, [content, suicide], exclusive=False)) == [
        ("content", 2, True), ("suicide-prevention", 1, True)]


def test_a_minimum_by_count_counts_entries_not_units():
    p = judge([act(1, 0.5, "ethics"), act(2, 0.5, "ethics")], [Minimum("ethics", count=2)], exclusive=False)
    assert figures(p) == [("ethics", 2, True)]


entries = st.lists(st.tuples(st.integers(1, 8), st.sets(st.sampled_from(["a", "b", "c"]), min_size=1)),
                   min_size=0, max_size=6)


@settings(max_examples=150, deadline=None)
@given(entries, st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.integers(1, 10)), min_size=1, max_size=3))
def test_exclusive_minimums_never_count_more_units_than_the_entries_hold(rows, needs):
    es = [act(i + 1, units, *tags) for i, (units, tags) in enumerate(rows)]
    minimums = [Minimum(tag, Decimal(n)) for tag, n in needs]
    p = judge(es, minimums)
    per_entry: dict[int, Decimal] = {}
    for m, got in zip(p.minimums, minimums):
        assert m.earned_units <= got.units and sum(f.units for f in m.fed) == m.earned_units
        for f in m.fed:
            per_entry[f.entry_id] = per_entry.get(f.entry_id, 0) + f.units
            assert got.tag in es[f.entry_id - 1].tags
    assert all(units <= es[i - 1].hours for i, units in per_entry.items())
    shared = judge(es, minimums, exclusive=False)
    assert sum(m.met for m in p.minimums) <= sum(m.met for m in shared.minimums)


@pytest.mark.parametrize("minimum", [{"tag": "x", "units": 3, "count": 1}, {"tag": "x"}])
def test_a_minimum_gives_units_or_count(minimum):
    with pytest.raises(ValidationError) as caught:
        RenewalSchema().load({"license": "p", "required_units": 8, "minimums": [minimum]})
    assert "units" in caught.value.messages["minimums"][0]
