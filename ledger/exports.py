"""Writing exports a line at a time: CSV that a spreadsheet cannot turn against its
reader, and JSON Lines, both from one header and its rows.

Python's `csv` module quotes, but a quoted `=HYPERLINK(...)` still runs in a spreadsheet.
Every cell of every export goes through `safe_cell`: a text that begins with `=`, `+`,
`-`, `@`, a tab or a carriage return gets a leading apostrophe, which spreadsheets show
as text. Numbers are written as numbers (a negative number is not a formula).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    kind = type(value)  # the common cells first: an export runs this millions of times
    if kind is str:
        return "'" + value if value.startswith(DANGEROUS) else value
    if value is None:
        return ""
    if kind is int:
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    text = str(value)
    if text.startswith(DANGEROUS):
        return "'" + text
    return text


class _Lines:
    """What csv.writer writes to: it writes each row whole, in one call, kept here."""

    __slots__ = ("write",)


def csv_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """The CSV text, a line at a time (for streaming responses and files)."""
    written: list[str] = []
    sink = _Lines()
    sink.write = written.append
    writer = csv.writer(sink, lineterminator="\r\n")
    writer.writerow(map(safe_cell, header))
    yield written.pop()
    for row in rows:
        writer.writerow(map(safe_cell, row))
        yield written.pop()


def json_value(value):
    """A cell as JSON holds it: a date as ISO text, an exact decimal as a number."""
    if value is None or type(value) in (str, int):
        return value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def json_record(header: list[str], row: Iterable) -> dict:
    return {name: json_value(cell) for name, cell in zip(header, row)}


def jsonl_lines(header: list[str], rows: Iterable[Iterable]) -> Iterator[str]:
    """JSON Lines: one object a row, keyed by the header, each line valid JSON alone."""
    for row in rows:
        yield json.dumps(json_record(header, row)) + "\n"


def chunked(lines: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    """Lines joined into pieces of about `size` characters: a server writes each piece
    with one call, not one call a line."""
    buffer: list[str] = []
    held = 0
    for line in lines:
        buffer.append(line)
        held += len(line)
        if held >= size:
            yield "".join(buffer)
            buffer.clear()
            held = 0
    if buffer:
        yield "".join(buffer)
