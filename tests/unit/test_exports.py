"""One helper escapes every exported cell a spreadsheet would run."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest

from ledger.exports import csv_lines, safe_cell


@pytest.mark.parametrize("text", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")'])
def test_a_cell_a_spreadsheet_would_run_is_escaped(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value, written", [
    ("Ada", "Ada"), ("a=b", "a=b"), (None, ""), (True, "true"), (False, "false"),
    (Decimal("-1.50"), "-1.50"), (-3, "-3"), (2.5, "2.5"), (date(2024, 2, 29), "2024-02-29"),
])
def test_other_cells_are_written_as_they_are(value, written):
    assert safe_cell(value) == written


def test_the_csv_reads_back_with_escapes_kept():
    text = "".join(csv_lines(["name", "credits"], [["=cmd|' /C calc'!A0", Decimal("1.5")], ['say "hi", then', -1]]))
    assert list(csv.reader(io.StringIO(text))) == [
        ["name", "credits"], ["'=cmd|' /C calc'!A0", "1.5"], ['say "hi", then', "-1"]]
