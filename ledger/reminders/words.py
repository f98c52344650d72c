"""The notices' words (rules.py) in SQL, so the job records a window of notices in one
`INSERT ... SELECT` and no row travels to Python and back. rules.py stays the definition:
the tests hold every notice the job records, subject, summary and payload, word for word
to what rules.py makes of the engine's standing (tests/integration/
test_reminders_projection.py), on both engines, and tests/integration/test_reminders_words.py
holds these pieces to their Python twins on the edge values (the first and last days of
each month, 29 February, one micro-credential).

Each function takes the dialect's name ("postgresql" or "sqlite") and SQL expressions.
"""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import JSON, Date, Integer, String, case, cast, func, literal

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def text(*parts):
    """The parts joined (`||`); a Python string is a literal."""
    out = None
    for part in parts:
        part = literal(part, String) if isinstance(part, str) else part
        out = part if out is None else out + part
    return out


def iso(dialect: str, column):
    """A date as YYYY-MM-DD (date.isoformat)."""
    if dialect == "postgresql":
        return func.to_char(column, "YYYY-MM-DD")
    return cast(column, String)


def long_date(dialect: str, column):
    """rules.long_date: "1 July 2025" (no leading zero; English month names on both engines:
    PostgreSQL's to_char spells them in English unless asked with TM)."""
    if dialect == "postgresql":
        return func.to_char(column, "FMDD FMMonth YYYY")
    month = case(*((func.strftime("%m", column) == f"{n:02d}", name) for n, name in enumerate(_MONTHS, 1)))
    return text(cast(cast(func.strftime("%d", column), Integer), String), " ", month, " ",
                func.strftime("%Y", column))


def days_between(dialect: str, start: date, column):
    """(column - start).days, an integer."""
    if dialect == "postgresql":
        return column - cast(literal(start), Date)
    return cast(func.julianday(column) - func.julianday(literal(start.isoformat())), Integer)


def number(column):
    """An integer as text (f"{n}")."""
    return cast(column, String)


def plural(count, one: str, many: str):
    """`one` when the count is 1, else `many` (rules.py's "1 micro-credential", "2 micro-credentials")."""
    return case((count == 1, one), else_=many)


def boolean(dialect: str, condition):
    """A JSON true or false (SQLite's json_object writes a bare condition as 1 or 0)."""
    if dialect == "postgresql":
        return condition
    return func.json(case((condition, "true"), else_="false"))


def json_object(dialect: str, **members):
    """A JSON object of these members (text, integers, booleans; a dict on reading, as
    rules.py's payload). On PostgreSQL its stored text is canonical, as chain.py's digest
    writes it (keys sorted, no spaces, `to_json`'s escapes: Python's for ASCII), so
    integrity/sqldigest.py may digest it as stored; on SQLite, json_object's."""
    if dialect == "postgresql":
        parts = []
        for key in sorted(members):
            parts += ["," if parts else "{", json.dumps(key) + ":",
                      func.coalesce(cast(func.to_json(members[key]), String), "null")]
        return cast(text(*parts, "}") if parts else literal("{}", String), JSON)
    args = []
    for key, value in members.items():
        args += [key, value]
    return func.json_object(*args)


def name(educator):
    """The payload's "name": first and last (of a table or a subquery's columns)."""
    return text(educator.first_name, " ", educator.last_name)
