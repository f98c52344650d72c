"""The migrations build the schema the models describe, on both engines."""

import sqlalchemy as sa
from alembic import command
from flask import current_app

from ledger.models import db


def test_models_and_migrations_agree(app):
    # `alembic check`: autogenerate finds nothing to add on a database at head.
    command.check(current_app.extensions["migrate"].migrate.get_config())


def test_upgrade_from_empty_builds_every_table_with_the_append_only_triggers(app):
    inspector = sa.inspect(db.engine)
    assert {"entries", "voids", "holdings", "audit_events", "rulebook_versions", "licenses",
            "educators", "credentials", "issuers", "districts", "states", "api_tokens", "users"} <= set(
        inspector.get_table_names())
    if db.engine.dialect.name == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    triggers = set(db.session.execute(sa.text(sql)).scalars())
    for table in ("entries", "voids", "audit_events"):
        assert any(t.startswith(table) for t in triggers), table
