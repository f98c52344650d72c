"""Many rows of one table in one INSERT, their ids returned and named to the hash chain (the
rows are written without the ORM: `chain.track`, as imports do for entries).

PostgreSQL: one short statement over arrays (`INSERT ... SELECT FROM unnest(...)`), one
array per column, so the driver neither parses nor binds a statement with a placeholder
per value (a 1,000-row multi-VALUES INSERT spent most of its time there). SQLite: a
multi-row INSERT ... RETURNING. `skip_conflicts`: a row that breaks a unique key (a run
beside this one recorded it) is skipped, not an error."""

from __future__ import annotations

import json

from sqlalchemy import JSON, text
from sqlalchemy.dialects import postgresql, sqlite

from ..integrity import chain


def insert_many(session, table, rows: list[dict], *, skip_conflicts: bool = False) -> list[int]:
    """Insert `rows` (dicts with the same keys) into `table`; the ids of those inserted."""
    if not rows:
        return []
    dialect = session.get_bind().dialect
    if dialect.name == "postgresql":
        ids = _unnest(session, table, rows, skip_conflicts, dialect)
    else:
        stmt = sqlite.insert(table)
        if skip_conflicts:
            stmt = stmt.on_conflict_do_nothing()
        ids = session.execute(stmt.returning(table.c.id), rows).scalars().all()
    chain.track(session, table.name, ids)
    return list(ids)


def _unnest(session, table, rows: list[dict], skip_conflicts: bool, dialect: postgresql.dialect) -> list[int]:
    names = list(rows[0])
    arrays, params = [], {}
    for i, name in enumerate(names):
        column = table.c[name]
        values = [row[name] for row in rows]
        if isinstance(column.type, JSON):
            values = [None if v is None else json.dumps(v) for v in values]
        params[f"p{i}"] = values
        arrays.append(f"CAST(:p{i} AS {column.type.compile(dialect=dialect)}[])")
    sql = (f"INSERT INTO {table.name} ({', '.join(names)}) SELECT * FROM unnest({', '.join(arrays)})"
           f"{' ON CONFLICT DO NOTHING' if skip_conflicts else ''} RETURNING id")
    return session.execute(text(sql), params).scalars().all()
