"""The chain's canonical form: one spelling per stored value whichever engine read it,
a digest that a nullable column added later leaves as it was, and the fast paths giving
byte for byte the digest every link already in a ledger was made with (tests/chain_reference.py)."""

import enum
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.integrity.chain import GENESIS, canonical, link_hash, row_digest, values_digest

from .. import chain_reference as before


def test_decimals_of_equal_value_have_one_spelling():
    assert canonical(Decimal("6.0")) == canonical(Decimal("6")) == canonical(Decimal("6.000")) == "6"
    assert canonical(Decimal("0.50")) == "0.5"
    assert canonical(Decimal("1E+2")) == "100"


def test_a_naive_timestamp_is_read_as_utc_and_an_aware_one_converted():
    naive = datetime(2024, 2, 29, 23, 30)
    eastern = datetime(2024, 2, 29, 18, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert canonical(naive) == canonical(eastern) == "2024-02-29T23:30:00.000000+00:00"
    assert canonical(date(2024, 2, 29)) == "2024-02-29"


def test_bytes_are_digested_not_embedded():
    assert canonical(b"%PDF-1.7") == canonical(memoryview(b"%PDF-1.7"))
    assert canonical(b"%PDF-1.7").startswith("sha256:") and canonical(b"%PDF-1.7") != canonical(b"%PDF-1.6")


def test_a_value_without_a_canonical_form_is_refused():
    with pytest.raises(TypeError, match="set"):
        canonical({1, 2})


def test_a_null_column_leaves_the_digest_as_it_was_and_any_value_changes_it():
    row = {"id": 1, "hours": Decimal("3.0"), "tags": ["a"], "earned_on": date(2023, 1, 1)}
    assert row_digest("entries", row) == row_digest("entries", {**row, "added_later": None})
    assert row_digest("entries", row) != row_digest("entries", {**row, "added_later": 0})
    assert row_digest("entries", row) != row_digest("voids", row)
    assert row_digest("entries", row) != row_digest("entries", {**row, "tags": ["a", "b"]})


def test_a_link_hash_covers_its_place_its_record_and_the_one_before():
    base = link_hash(GENESIS, 1, "entries", 1, "d" * 64)
    assert len(base) == 64
    assert {link_hash("1" * 64, 1, "entries", 1, "d" * 64), link_hash(GENESIS, 2, "entries", 1, "d" * 64),
            link_hash(GENESIS, 1, "voids", 1, "d" * 64), link_hash(GENESIS, 1, "entries", 2, "d" * 64),
            link_hash(GENESIS, 1, "entries", 1, "e" * 64)}.isdisjoint({base})


# -- the fast paths: the same digest as before for every type a column gives back

class Kind(enum.StrEnum):
    MC = "microcredential"


class Level(enum.IntEnum):
    TWO = 2


class Stamp(datetime):
    pass


NEW_YORK = ZoneInfo("America/New_York")
STORED = [
    None, True, False, 0, -7, 2**63, 1.5, -0.0, float("inf"), float("nan"), "", "plain", "é ünï 🙂 \"quoted\"\n",
    Kind.MC, Level.TWO,
    Decimal("6.0"), Decimal("0.50"), Decimal("1E+2"), Decimal("-0.00"), Decimal("0E-2"), Decimal("123456789.123456"),
    Decimal("NaN"),
    date(2024, 2, 29), date(1, 1, 1),
    datetime(2024, 2, 29, 23, 30), datetime(2024, 2, 29, 23, 30, 0, 7), datetime(2024, 6, 30, 12, tzinfo=timezone.utc),
    datetime(2024, 2, 29, 18, 30, tzinfo=timezone(timedelta(hours=-5))),
    datetime(2024, 3, 10, 2, 30, tzinfo=NEW_YORK), datetime(2024, 11, 3, 1, 30, fold=1, tzinfo=NEW_YORK),
    datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=5, minutes=30))), Stamp(2024, 1, 1, 9),
    b"%PDF-1.7", bytearray(b"%PDF"), memoryview(b"%PDF-1.7"), b"",
    {"name": "Ann", "left": Decimal("4.50"), "on": date(2025, 6, 30), 3: [1, "a", None], "nested": {"at": datetime(
        2025, 1, 1, 8)}},
    {}, [], ["literacy", "STEM"], (1, Decimal("2.0")), [{"a": [date(2025, 1, 1), b"x"]}],
]


@pytest.mark.parametrize("value", STORED, ids=lambda v: type(v).__name__)
def test_each_stored_value_has_the_canonical_form_it_had_before(value):
    ours, theirs = canonical(value), before.canonical(value)
    assert json.dumps(ours, sort_keys=True, ensure_ascii=True) == json.dumps(theirs, sort_keys=True, ensure_ascii=True)
    assert type(ours) is type(theirs)


def test_a_row_of_every_column_type_has_the_digest_it_had_before():
    row = {f"c{i}": value for i, value in enumerate(STORED)}
    row["id"] = 41
    assert row_digest("notices", row) == before.row_digest("notices", row)
    assert values_digest("notices", tuple(row), tuple(row.values())) == before.row_digest("notices", row)
    assert link_hash(GENESIS, 7, "notices", 41, "d" * 64) == before.link_hash(GENESIS, 7, "notices", 41, "d" * 64)


def test_the_fast_paths_refuse_what_the_definition_refuses():
    for value in ({1, 2}, [{1, 2}], {"a": object()}):
        with pytest.raises(TypeError, match="no canonical form"):
            canonical(value)
        with pytest.raises(TypeError, match="no canonical form"):
            before.canonical(value)


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(), st.text(), st.binary(max_size=40),
    st.decimals(allow_nan=False, allow_infinity=False, places=None), st.dates(),
    st.datetimes(), st.datetimes(timezones=st.sampled_from([timezone.utc, NEW_YORK, timezone(timedelta(hours=9))])))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)), max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=12), _values, max_size=8))
def test_any_row_has_the_digest_it_had_before(row):
    assert row_digest("entries", row) == before.row_digest("entries", row)
