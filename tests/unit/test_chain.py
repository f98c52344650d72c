"""The chain's canonical form: one spelling per stored value whichever engine read it,
and a digest that a nullable column added later leaves as it was."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from ledger.integrity.chain import GENESIS, canonical, link_hash, row_digest


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
