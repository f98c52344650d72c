"""CSV imports (CONTRACT.md section 4, "Imports"): a header row, columns in any order,
rows numbered from 1 for the first data row. Streamed: memory does not grow with the
file."""

from __future__ import annotations

import csv
import difflib
import re
from collections.abc import Iterator
from datetime import date

from .. import fields
from ..engine import ACTIVITY, MICROCREDENTIAL
from ..text import shown
from .rows import Row, check_text, check_url, finish, parse_date, parse_hours

REQUIRED = ("license_number", "state", "earned_on")
OPTIONAL = ("credential", "title", "hours", "amount", "measure", "kind", "tags", "external_id", "evidence_url")
MEASURE = re.compile(fields.MEASURE)
KNOWN = REQUIRED + OPTIONAL
MAX_FIELD = 10_000


class HeaderError(Exception):
    """The header itself is wrong: nothing in the file can be read reliably."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(f"{f}: {m}" for f, m in errors))
        self.errors = errors


def read_header(header: list[str] | None) -> list[str]:
    if header is None:
        raise HeaderError([("file", "the file is empty: it needs a header row and at least one row")])
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    for sep, what in ((";", "semicolons"), ("\t", "tabs")):
        if len(names) == 1 and sep in names[0] and {n.strip() for n in names[0].split(sep)} & set(REQUIRED):
            raise HeaderError([("header", f"the columns are separated by {what}, not commas: "
                                          "save the file as CSV (comma delimited) and send it again")])
    errors: list[tuple[str, str]] = []
    seen: set[str] = set()
    for name in names:
        if not name:
            errors.append(("header", "a column has no name"))
        elif name not in KNOWN:
            close = difflib.get_close_matches(name, KNOWN, n=1, cutoff=0.7)
            hint = f": did you mean {close[0]!r}?" if close else f" (columns: {', '.join(KNOWN)})"
            # the report names the column; one with control characters is named escaped
            errors.append((shown(name), f"unknown column {name[:60]!r}{hint}"))
        elif name in seen:
            errors.append((name, f"column {name!r} appears twice"))
        seen.add(name)
    for name in REQUIRED:
        if name not in seen:
            errors.append((name, f"the {name!r} column is missing"))
    if "credential" not in seen and not ({"title", "hours"} <= seen or {"title", "amount", "measure"} <= seen):
        errors.append(("credential", "the file needs a 'credential' column, or 'title' and 'hours' columns "
                                     "(or 'title', 'amount' and 'measure')"))
    if errors:
        raise HeaderError(errors)
    return names


def rows(text_stream, today: date) -> Iterator[Row]:
    """Rows from a text stream (already decoded). Raises HeaderError before the first
    row; a UnicodeDecodeError can surface from the stream at any point."""
    csv.field_size_limit(MAX_FIELD)
    reader = csv.reader(text_stream)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise HeaderError([("header", f"the header cannot be read: {exc}")]) from None
    names = read_header(header)
    width = len(names)
    number = filled = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            number += 1
            filled += 1
            row = Row(number)
            row.error("row", f"cannot be read as CSV: {exc}")
            yield row
            continue
        number += 1
        if not any(c.strip() for c in cells):
            # A blank line is skipped but keeps its number, so row N is still the
            # spreadsheet's line N + 1.
            continue
        filled += 1
        row = Row(number)
        if len(cells) != width:
            row.error("row", f"has {len(cells)} cells where the header has {width}")
            yield row
            continue
        yield _row(row, dict(zip(names, cells)), today)
    if filled == 0:
        raise HeaderError([("file", "the file has a header but no rows")])


def _row(row: Row, cells: dict[str, str], today: date) -> Row:
    row.license_number = check_text(row, "license_number", cells.get("license_number"), 40)
    if row.license_number is None and not row.errors:
        row.error("license_number", "is required")
    state = (cells.get("state") or "").strip().upper()
    if len(state) != 2 or not state.isalpha() or not state.isascii():
        row.error("state", f"{state[:20]!r} is not a two-letter state code" if state else "is required")
    else:
        row.state = state
    earned = (cells.get("earned_on") or "").strip()
    if not earned:
        row.error("earned_on", "is required")
    else:
        row.earned_on, problem = parse_date(earned, today)
        if problem:
            row.error("earned_on", problem)
    kind = (cells.get("kind") or "").strip().lower()
    if kind:
        if kind not in (MICROCREDENTIAL, ACTIVITY):
            row.error("kind", f"{kind[:30]!r} is neither 'microcredential' nor 'activity'")
        else:
            row.kind = kind
    row.credential = check_text(row, "credential", cells.get("credential"), 80)
    row.title = check_text(row, "title", cells.get("title"), 300)
    hours = (cells.get("hours") or "").strip()
    if hours:
        row.hours, problem = parse_hours(hours)
        if problem:
            row.error("hours", problem)
    _amount(row, (cells.get("amount") or "").strip(), (cells.get("measure") or "").strip().lower(), bool(hours))
    tags = cells.get("tags") or ""
    row.tags = sorted({t.strip().lower() for t in tags.split(";") if t.strip()})
    if any(len(t) > 50 for t in row.tags):
        row.error("tags", "a tag is longer than 50 characters")
    if any(ord(c) < 32 for t in row.tags for c in t):
        row.error("tags", "a tag contains control characters")
    row.external_id = check_text(row, "external_id", cells.get("external_id"), 500)
    row.evidence_url = check_url(row, "evidence_url", cells.get("evidence_url"))
    # Without a kind column a row with a credential is a micro-credential (see `finish`).
    kind = row.kind or (MICROCREDENTIAL if row.credential else ACTIVITY)
    if kind == ACTIVITY and row.credential:
        row.error("credential", "an activity has no credential (use title and hours)")
    if kind == MICROCREDENTIAL and (row.title or row.hours is not None or row.measure):
        row.error("title", "a micro-credential takes its title from the catalog: leave title and hours empty")
    return finish(row)


def _amount(row: Row, amount: str, measure: str, has_hours: bool) -> None:
    """An activity's `amount` in a `measure` (CONTRACT.md section 2b): in place of hours,
    never beside them; `clock_hour` is hours."""
    if not amount and not measure:
        return
    if amount and has_hours:
        row.error("amount", "give hours or amount with its measure, not both")
    elif amount and not measure:
        row.error("measure", "is required with amount: what the amount is in (ceu, semester_hour...)")
    elif measure and not amount:
        row.error("amount", "is required with measure")
    elif not MEASURE.match(measure):
        row.error("measure", f"{measure[:40]!r} is not a measure code (ceu, semester_hour, ...)")
    else:
        row.hours, problem = parse_hours(amount)
        if problem:
            row.error("amount", problem.replace("hours", "units of the measure"))
        row.measure = None if measure == "clock_hour" else measure
