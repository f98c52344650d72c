"""Many rows of one table in one INSERT, their ids returned and named to the hash chain (the
rows are written without the ORM: `chain.track`, as imports do for entries).

PostgreSQL: one short statement over one JSON document, the batch's rows
(`INSERT ... SELECT FROM json_populate_recordset(NULL::table, ...)`): Python's encoder
and the server's parser, both in C, carry the values, and the server gives each the
column's type. (A 1,000-row multi-VALUES INSERT spent most of its time binding a
placeholder per value; one array per column, most of it in the driver quoting and
escaping each string of the arrays.) A JSON column's value is nested as it is and stored
as json.dumps writes it. SQLite: a multi-row INSERT ... RETURNING. `skip_conflicts`: a
row that breaks a unique key (a run beside this one recorded it) is skipped, not an
error."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from ..integrity import chain


def insert_many(session, table, rows: list[dict], *, skip_conflicts: bool = False,
                returning: tuple[str, ...] = ()) -> list:
    """Insert `rows` (dicts with the same keys) into `table`: the rows inserted, each its
    `id` and the `returning` columns."""
    if not rows:
        return []
    names = ("id", *returning)
    if session.get_bind().dialect.name == "postgresql":
        inserted = _recordset(session, table, rows, skip_conflicts, names)
    else:
        stmt = sqlite.insert(table)
        if skip_conflicts:
            stmt = stmt.on_conflict_do_nothing()
        inserted = session.execute(stmt.returning(*(table.c[n] for n in names)), rows).all()
    chain.track(session, table.name, [row.id for row in inserted])
    return inserted


def _spelled(column) -> bool:
    """Whether the column's values go into the JSON as their ISO or decimal text (the
    server reads them back exactly: dates, timestamps with their zone, decimals)."""
    kind = getattr(column.type, "impl_instance", column.type)  # a TypeDecorator's stored type
    try:
        return kind.python_type in (date, datetime, Decimal)
    except NotImplementedError:
        return False


def _recordset(session, table, rows: list[dict], skip_conflicts: bool, returning: tuple[str, ...]) -> list:
    names = list(rows[0])
    spelled = [name for name in names if _spelled(table.c[name])]
    if spelled:
        rows = [{**row, **{name: None if row[name] is None else _text(row[name]) for name in spelled}}
                for row in rows]
    columns = ", ".join(names)
    sql = (f"INSERT INTO {table.name} ({columns}) SELECT {columns} "
           f"FROM json_populate_recordset(NULL::{table.name}, CAST(:rows AS json))"
           f"{' ON CONFLICT DO NOTHING' if skip_conflicts else ''} RETURNING {', '.join(returning)}")
    return session.execute(text(sql), {"rows": json.dumps(rows)}).all()


def _text(value) -> str:
    return str(value) if isinstance(value, Decimal) else value.isoformat()
