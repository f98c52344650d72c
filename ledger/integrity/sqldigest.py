"""A row's chain digest from PostgreSQL's spelling of it, for a statement that writes many
rows and returns them (`INSERT ... RETURNING`): the database spells what it stored as the
digest's canonical text, and the writer gets that one column back, to check and hash,
instead of every value to decode, spell and hash.

chain.py's `values_digest` is the definition: SHA-256 of
`json.dumps([table, {column: canonical(value)}], sort_keys=True, separators=(",", ":"),
ensure_ascii=True)` over the columns that are not NULL. This writes the same text in SQL,
columns in code point order, each value as `to_json` spells it:

- integers as Python writes them;
- strings: `to_json` escapes `"`, `\\`, and the control characters below space exactly
  as Python does (`\\n`, `\\t`, ... and `\\u00XX` in lower case); it leaves DEL and
  letters beyond ASCII as they are, where Python writes `\\uXXXX`;
- dates as YYYY-MM-DD, timestamps with their zone in UTC to the microsecond, "+00:00";
- a JSON column named in `verbatim`: its stored text as it is. PostgreSQL's `json` keeps
  the text it was given, so this is exact when the writer wrote it canonical (sorted keys,
  no spaces, as reminders/words.py's `json_object` does); the writer vouches for that.

The text is hashed (`digest`) only when it is printable ASCII throughout (space to
tilde): then no value held a character the two spell differently, and the digest is
exact. Otherwise the row gets no digest, and the chain reads it back and digests it in
Python (chain.track_digests): a row this cannot spell is never digested wrongly, only
more slowly. A table with a column of another kind (a boolean, a decimal, bytes, a naive
timestamp, a JSON column not vouched for) gets None from `canonical`: the caller digests its rows in
Python. The hash is taken here, not in SQL: the expression is long, and PostgreSQL would
spell it once for the check and again for the hash.
tests/integration/test_chain_sql_digest.py holds it to `values_digest` over generated rows.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import JSON, Date, DateTime, Integer, String, func, literal
from sqlalchemy.sql.elements import ColumnElement


def _kind(column) -> type | None:
    kind = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator's stored type
    for known in (Integer, String, DateTime, Date, JSON):
        if isinstance(kind, known):
            return known
    return None


def _spelled(column, kind) -> ColumnElement:
    """The column's canonical JSON text; NULL when it is NULL."""
    if kind is Integer:
        return func.cast(column, String)
    if kind is String:
        return func.cast(func.to_json(column), String)
    if kind is DateTime:
        return '"' + func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS.US') + '+00:00"'
    if kind is Date:
        return '"' + func.to_char(column, "YYYY-MM-DD") + '"'
    return func.cast(column, String)  # JSON, vouched for: the text as stored


def canonical(table, verbatim: tuple[str, ...] = ()) -> ColumnElement | None:
    """The SQL expression of the canonical text `row_digest` hashes for `table`'s row (in a
    RETURNING clause: the row written); None if the table has a column of a kind this does
    not spell."""
    members = []
    for name in sorted(table.c.keys()):
        column = table.c[name]
        kind = _kind(column)
        if (kind is None or (kind is DateTime and not column.type.timezone)  # a naive time: UTC by whose clock?
                or (kind is JSON and name not in verbatim)):
            return None
        members.append(literal(json.dumps(name) + ":", String) + _spelled(column, kind))  # NULL: left out
    return literal(f"[{json.dumps(table.name)},{{", String) + func.concat_ws(",", *members) + "}]"


def digest(text: str | None) -> str | None:
    """The row's digest from the text `canonical` spelled for it: its SHA-256 when the text
    is printable ASCII throughout, else None (the row is read back and digested as stored)."""
    if text is None or not (text.isascii() and text.isprintable()):
        return None
    return hashlib.sha256(text.encode("ascii")).hexdigest()
