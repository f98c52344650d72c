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
            "educators", "credentials", "issuers", "districts", "states", "api_tokens", "users", "audits",
            "audit_cases", "audit_findings"} <= set(
        inspector.get_table_names())
    if db.engine.dialect.name == "postgresql":
        sql = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    triggers = set(db.session.execute(sa.text(sql)).scalars())
    for table in ("entries", "voids", "audit_events", "audits", "audit_cases", "audit_findings"):
        assert any(t.startswith(table + "_") for t in triggers), table


def test_cycles_recorded_before_license_events_become_one_license_with_its_cycles(engine_name, tmp_path,
                                                                                   signing_keys):
    """CONTRACT.md section 6: records made before cycles had events (schema 0008) keep their
    history: the cycles of one license type held in one state become one license, numbered
    by start, and the license renews from its latest cycle. Data written by the 0008 schema
    itself (plain rows, as that version's application wrote them), then upgraded."""
    from datetime import date

    from flask_migrate import upgrade

    from ledger.app import create_app
    from ledger.licenses import service as licenses
    from ledger.models import Educator
    from ledger.standing.answer import read_standing

    from ..conftest import ACTOR, create_pg_database, drop_pg_database, load_samples, test_config

    if engine_name == "sqlite":
        url, drop = f"sqlite:///{tmp_path / 'old.sqlite'}", lambda: None
    else:
        admin, name, url = create_pg_database("ledger_old")
        def drop():
            drop_pg_database(admin, name)
    try:
        old = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
        with old.app_context():
            upgrade(revision="0008")
            with db.engine.begin() as conn:
                conn.execute(sa.text("INSERT INTO states (id, code, name, unit) VALUES (1, 'TN', 'Tennessee', 'PDP'),"
                                     " (2, 'UT', 'Utah', 'hours')"))
                conn.execute(sa.text(
                    "INSERT INTO educators (id, license_number, state_id, first_name, last_name, created_at) "
                    "VALUES (1, 'TN-1', 1, 'Ada', 'Old', :now)"), {"now": date(2020, 1, 1)})
                conn.execute(sa.text(
                    "INSERT INTO licenses (id, educator_id, state_id, type, cycle_start, cycle_end) VALUES "
                    "(10, 1, 1, 'professional', :a1, :a2), (11, 1, 1, 'professional', :b1, :b2), "
                    "(12, 1, 2, 'professional', :a1, :a2)"),
                    {"a1": date(2015, 7, 1), "a2": date(2020, 6, 30), "b1": date(2020, 7, 1), "b2": date(2025, 6, 30)})
                conn.execute(sa.text(
                    "INSERT INTO entries (educator_id, kind, earned_on, title, hours, tags, recorded_by, recorded_at) "
                    "VALUES (1, 'activity', :on, 'Institute', 60, '[]', 'old', :on)"), {"on": date(2023, 1, 10)})
            upgrade()
            db.engine.dispose()
        app = create_app(test_config(url, signing_keys))
        with app.app_context():
            load_samples(db.session)
            today = date(2026, 12, 4)
            views = licenses.licenses_of(db.session, ACTOR, 1, today)
            assert [(v.id, v.state, [(c.number, c.row.id, c.events) for c in v.cycles]) for v in views] == [
                (10, "TN", [(1, 10, []), (2, 11, [])]), (12, "UT", [(1, 12, [])])]
            [p] = read_standing(db.session, db.session.get(Educator, 1), "TN", date(2024, 1, 1)).standing.renewal[1:]
            assert (p.license_id, p.cycle_number, p.status) == (10, 2, "complete")
            renewed, nxt = licenses.renew(db.session, ACTOR, 10, {"next_cycle_end": date(2030, 6, 30)}, today)
            assert (renewed.number, renewed.status, nxt.number, nxt.row.cycle_start) == (2, "complete", 3,
                                                                                         date(2025, 7, 1))
            db.session.rollback()
            db.session.remove()
            db.engine.dispose()
    finally:
        drop()
