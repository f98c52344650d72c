"""Least privilege in the database: migrations run as the tables' owner; the application
connects as a role that may only read and write rows. That role cannot disable a trigger,
drop one or TRUNCATE (only an owner can), and on the history tables it may only SELECT and
INSERT, so the append-only rule holds twice: by grant and by trigger (PostgreSQL)."""

from __future__ import annotations

import re

from sqlalchemy import text

from ..errors import Invalid
from ..models import HISTORY_TABLES

NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def app_role_statements(role: str, password: str | None = None) -> list[str]:
    """The SQL that makes (or brings up to date) the application's DML-only role."""
    if not NAME.match(role):
        raise Invalid(f"role {role!r}: lower-case letters, digits and _", {"role": ["not a plain role name"]})
    history = ", ".join(HISTORY_TABLES)
    login = "LOGIN" + (f" PASSWORD '{password.replace(chr(39), chr(39) * 2)}'" if password else "")
    return [
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') "
        f"THEN CREATE ROLE {role} {login} NOSUPERUSER NOCREATEDB NOCREATEROLE; END IF; END $$",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {history} FROM {role}",
        f"REVOKE DELETE, TRUNCATE ON employments FROM {role}",  # a period is closed, never removed
        f"REVOKE ALL ON alembic_version FROM {role}",
        f"GRANT SELECT ON alembic_version TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ]


def grant_app_role(session, role: str, password: str | None = None) -> None:
    if session.get_bind().dialect.name != "postgresql":
        raise Invalid("database roles are PostgreSQL's: SQLite has none", {"database": ["not PostgreSQL"]})
    for statement in app_role_statements(role, password):
        session.execute(text(statement))
