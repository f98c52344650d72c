"""One text check for every way text comes in (API bodies, forms, rulebook and catalog
files, CSV rows, badges): text no database can store (a NUL, a lone surrogate) is refused
everywhere; in a line of text that people read (a name, a title, a code) control and
bidirectional-override characters are refused too, since a sealed transcript prints them
(U+202E turns "...RTL" into "...LTR" on the page)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from marshmallow import ValidationError

# C0 and C1 controls (tab, CR and LF included: a line of text holds none), the bidi
# embeddings, overrides and isolates, zero-width characters and the byte-order mark.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def unstorable(value: str) -> str | None:
    """Why no database can store `value`, or None."""
    if "\x00" in value:
        return "contains a NUL character"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "is not valid Unicode text"
    return None


def unprintable(value: str) -> str | None:
    """Why `value` is not one line of plain text, or None."""
    problem = unstorable(value)
    if problem is None and _UNPRINTABLE.search(value):
        problem = "contains control or text-direction characters"
    return problem


def shown(value: str, limit: int = 60) -> str:
    """A name someone sent (a column, a form part) as a report may echo it: at most `limit`
    characters, control characters escaped."""
    value = value[:limit]
    return value if unprintable(value) is None else repr(value)[1:-1]


def unstorable_text(value, path: str = "") -> Iterator[tuple[str, list[str]]]:
    """(path, [message]) for each string (keys too) a database cannot store, anywhere in
    a JSON-like value (the path names it as the error messages do: `a.b[2].c`)."""
    if isinstance(value, str):
        problem = unstorable(value)
        if problem:
            yield path or "_body", [problem]
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from unstorable_text(k, path or "_body")
            yield from unstorable_text(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from unstorable_text(v, f"{path}[{i}]")


def printable(value: str) -> None:
    """A marshmallow validator for names, titles and codes."""
    problem = unprintable(value)
    if problem:
        raise ValidationError(problem)


def like(term: str) -> str:
    """A LIKE pattern matching `term` anywhere, with its own wildcards escaped (ESCAPE '\\')."""
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
