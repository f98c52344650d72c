"""One fixture vocabulary for the whole suite: `app`, `client`, `runner`, `session`, and
small helpers (`tokens`, `make_educator`, `record`).

Every test that takes `app` runs on both engines: SQLite, and PostgreSQL wherever one is
reachable (TEST_DATABASE_URL, by default the local one). Each run makes its own fresh
PostgreSQL database from the migrations, and drops it at the end. With
REQUIRE_POSTGRES=1 (as in CI) an unreachable PostgreSQL fails the run instead of being
skipped.
"""

from __future__ import annotations

import os
import shutil
import uuid
from copy import deepcopy
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from ledger import create_app
from ledger.models import db
from ledger.scopes import ADMIN, Principal, create_token

from . import samples

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ACTOR = Principal(role=ADMIN, actor="test")


def _pg_admin_url() -> str:
    from config import database_url

    return database_url(os.environ.get("TEST_DATABASE_URL")) or DEFAULT_PG


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite"
    _migrate(f"sqlite:///{path}")
    return path


def create_pg_database(prefix: str):
    """A new, empty PostgreSQL database: (admin engine, name, url). Skips the test (fails
    it with REQUIRE_POSTGRES=1) when no PostgreSQL is reachable."""
    admin_url = sa.make_url(_pg_admin_url())
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but unreachable: {exc}")
        pytest.skip(f"no PostgreSQL reachable at {admin_url.render_as_string()}: tests ran on SQLite only")
    return admin, name, admin_url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_database():
    admin, name, url = create_pg_database("ledger_test")
    try:
        _migrate(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A clean, fully migrated database for one test."""
    if request.param == "sqlite":
        path = tmp_path / "ledger.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url = request.getfixturevalue("postgres_database")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = conn.execute(sa.text(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
        )).scalars().all()
        # TRUNCATE fires no row triggers, so the append-only guard stays in place.
        conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def signing_keys(tmp_path_factory) -> Path:
    """The states' Ed25519 keys for the whole run (never the checkout's instance/)."""
    return tmp_path_factory.mktemp("keys")


@pytest.fixture
def app(database_url, signing_keys):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "SECRET_KEY": "test",
                      "SIGNING_KEY_DIR": str(signing_keys), "PUBLIC_URL": "https://ledger.example"})
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def session(app):
    return db.session


class Client(FlaskClient):
    """The test client. Its requests share the test's app context (so the test's database
    session sees what they wrote), hence `g`; a real request starts with an empty `g`, so
    forget what Flask-Login and Flask-WTF cache there (the signed-in user, the CSRF token)."""

    def open(self, *args, **kwargs):
        from flask import g

        for name in ("_login_user", "csrf_token"):
            g.pop(name, None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    app.test_client_class = Client
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ledger(app):
    """The sample catalog and TN/UT rulebooks loaded, with helpers to make records."""
    return Ledger(app)


class Ledger:
    def __init__(self, app):
        from ledger.catalog import load_catalog
        from ledger.rulebooks import load_rulebook

        self.app = app
        self.session = db.session
        load_catalog(db.session, ACTOR, deepcopy(samples.CATALOG))
        for doc in (samples.TN, samples.UT):
            load_rulebook(db.session, ACTOR, deepcopy(doc))
        db.session.commit()
        self._tokens: dict = {}

    def token(self, role=ADMIN, state=None, district=None, educator=None) -> str:
        key = (role, state, district, educator)
        if key not in self._tokens:
            self._tokens[key] = create_token(db.session, "test", role, state, district, educator)
            db.session.commit()
        return self._tokens[key]

    def headers(self, role=ADMIN, **scope) -> dict:
        return {"Authorization": f"Bearer {self.token(role, **scope)}"}

    def educator(self, state="TN", district=None, licenses=None, license_number=None, **kw):
        from ledger.educators import create_educator

        n = kw.pop("n", None) or uuid.uuid4().hex[:8]
        data = {
            "license_number": license_number or f"{state}-{n}",
            "state": state,
            "first_name": kw.pop("first_name", "Ada"),
            "last_name": kw.pop("last_name", f"Teacher{n}"),
            "email": kw.pop("email", None),
            "district": district,
            "employed_since": kw.pop("employed_since", None),
            "licenses": licenses if licenses is not None else [
                {"type": "professional", "cycle_start": date(2020, 7, 1), "cycle_end": date(2025, 6, 30)}
            ],
        }
        return create_educator(db.session, ACTOR, data)

    def record(self, educator, credential=None, earned_on=date(2022, 3, 1), **kw):
        from ledger.entries import record_entry

        if credential is not None:
            data = {"kind": "microcredential", "credential": credential, "earned_on": earned_on, **kw}
        else:
            data = {"kind": "activity", "earned_on": earned_on, **kw}
        entry, _ = record_entry(db.session, ACTOR, educator.id, data, today=date(2026, 11, 25))
        return entry


def csrf_token(client, path: str) -> str:
    """The CSRF token of the form on `path` (every form carries one)."""
    import re


    page = client.get(path, follow_redirects=True).get_data(as_text=True)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


@pytest.fixture
def web_user(client, ledger):
    """web_user(role, state=, district=, educator=) makes a user with that role and scope,
    signs `client` in through the /login form and returns the client."""
    from ledger.web.admin import create_user

    def go(role, state=None, district=None, educator=None, email=None, password="correct-horse-battery"):
        email = email or f"{role}-{uuid.uuid4().hex[:6]}@example.org"
        create_user(db.session, "test", email, password, role, state, district, educator)
        db.session.commit()
        r = client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "email": email,
                                        "password": password})
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        return client
    return go
