"""A row's chain digest computed by PostgreSQL, for a statement that writes many rows and
returns them (`INSERT ... RETURNING`): the database digests what it stored, and the
writer gets one short column back instead of every value to decode and digest.

chain.py's `values_digest` is the definition: SHA-256 of
`json.dumps([table, {column: canonical(value)}], sort_keys=True, separators=(",", ":"),
ensure_ascii=True)` over the columns that are not NULL. This is its twin in SQL for the
values whose spelling PostgreSQL and Python agree on, and NULL for a row holding
anything else, which the chain then reads back and digests in Python as before
(chain.append): so a row this cannot spell exactly is never digested wrongly, only more
slowly. What it spells:

- integers, booleans;
- strings of printable ASCII (space to tilde): `to_json` escapes `"` and `\\` as Python
  does; anything else (a control character, DEL, a letter beyond ASCII) Python escapes
  as `\\uXXXX` and PostgreSQL does not, so the row falls back;
- dates (YYYY-MM-DD) and timestamps with their zone (UTC, to the microsecond, "+00:00");
- a JSON column holding one flat object (no nested object or array), its text printable
  ASCII with no escape but `\\"`, `\\\\`, `\\n`, `\\r`, `\\t`, `\\b`, `\\f` (those Python writes
  alike), keys unique, numbers integers: each member as stored, keys in code point order.

Anything else (a decimal, bytes, a column of another type) makes `digest` refuse the table
(None): the caller then returns the rows and digests them in Python.
tests/integration/test_chain_sql_digest.py holds it to `values_digest` over generated rows.
"""

from __future__ import annotations

import json

from sqlalchemy import JSON, Boolean, Date, DateTime, Integer, String, and_, case, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.sql.elements import ColumnElement

_PRINTABLE = "^[ -~]*$"
_FLAT_JSON = r'^([ -\[\]-~]|\\["\\nrtbf])*$'  # printable ASCII; a backslash only in the escapes Python writes
_INTEGER = "^(0|-?[1-9][0-9]*)$"  # as Python writes an int: no "-0", no leading zero


def _kind(column) -> type | None:
    kind = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator's stored type
    for known in (Boolean, Integer, String, DateTime, Date, JSON):
        if isinstance(kind, known):
            return known
    return None


def _json_object(column, table) -> tuple[ColumnElement, ColumnElement]:
    """A flat JSON object's canonical text (members as stored, keys in code point order),
    and the condition under which that is exact."""
    member = func.json_each(column).table_valued("key", "value").render_derived()
    value = func.cast(member.c.value, String)
    kind = func.json_typeof(member.c.value)
    text = (select(func.coalesce(func.string_agg(func.cast(func.to_json(member.c.key), String) + ":" + value,
                                                 aggregate_order_by(literal(","), member.c.key.collate("C"))), ""))
            .correlate(table).scalar_subquery())
    scalar = and_(kind.not_in(["object", "array"]), case((kind == "number", value.regexp_match(_INTEGER)), else_=True))
    unique = func.count() == func.count(member.c.key.distinct())
    flat = select(and_(unique, func.coalesce(func.bool_and(scalar), True))).correlate(table).scalar_subquery()
    exact = case((and_(func.json_typeof(column) == "object", func.cast(column, String).regexp_match(_FLAT_JSON)), flat),
                 else_=False)
    return "{" + text + "}", exact


def _spelled(column, kind, table) -> tuple[ColumnElement, ColumnElement | None]:
    """(the column's canonical JSON text, the condition under which it is exact; None: always)."""
    if kind is Integer:
        return func.cast(column, String), None
    if kind is Boolean:
        return case((column, "true"), else_="false"), None
    if kind is String:
        return func.cast(func.to_json(column), String), column.regexp_match(_PRINTABLE)
    if kind is DateTime:
        return '"' + func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS.US') + '+00:00"', None
    if kind is Date:
        return '"' + func.to_char(column, "YYYY-MM-DD") + '"', None
    return _json_object(column, table)


def digest(table) -> ColumnElement | None:
    """The SQL expression of `row_digest` of `table`'s row (in a RETURNING clause: the row
    written), NULL for a row it cannot spell exactly; None if the table has a column of a
    kind it does not spell."""
    members, exact = [], []
    for name in sorted(table.c.keys()):
        column = table.c[name]
        kind = _kind(column)
        if kind is None or (kind is DateTime and not column.type.timezone):  # a naive time: UTC by whose clock?
            return None
        text, condition = _spelled(column, kind, table)
        members.append(case((column.is_(None), None), else_=literal(json.dumps(name) + ":", String) + text))
        if condition is not None:
            exact.append(case((column.is_(None), True), else_=func.coalesce(condition, False)))
    canonical = literal(f"[{json.dumps(table.name)},{{", String) + func.concat_ws(",", *members) + "}]"
    hashed = func.encode(func.sha256(func.convert_to(canonical, "UTF8")), "hex")
    return case((and_(*exact), hashed), else_=None) if exact else hashed
