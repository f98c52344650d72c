"""One fixture vocabulary for the whole suite: `app`, `client`, `runner`, `session`,
`ledger` (the sample catalog and TN/UT rulebooks, with `educator`, `record`, `token` and
`headers` helpers) and `web_user` (a signed-in page client).

Every test that takes `app` runs on both engines: SQLite, and PostgreSQL wherever one is
reachable (TEST_DATABASE_URL, by default the local one). With REQUIRE_POSTGRES=1 (as in
CI) an unreachable PostgreSQL fails the run instead of being skipped.

Speed: each engine builds its databases once per run (one empty, one with the samples)
and one app over each; every test runs inside a transaction on one connection that is
rolled back at its end, and the services' own commits become SAVEPOINT releases inside it
(`join_transaction_mode="create_savepoint"`). A test that needs what it writes to be
really committed (other threads, processes or connections read it) is marked
`@pytest.mark.committed` and gets a fresh database of its own, as every test once did.
"""

from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager
from copy import deepcopy
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import orm

from ledger.access.principals import ADMIN, Principal
from ledger.access.tokens import create_token
from ledger.app import create_app
from ledger.models import State, db

from . import samples

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ACTOR = Principal(role=ADMIN, actor="test")
ENGINES = ["sqlite", "postgresql"]


def _pg_admin_url() -> str:
    from config import database_url

    return database_url(os.environ.get("TEST_DATABASE_URL")) or DEFAULT_PG


def test_config(url: str, signing_keys: Path, **extra) -> dict:
    return {"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test",
            "SIGNING_KEY_DIR": str(signing_keys), "PUBLIC_URL": "https://ledger.example",
            "EVIDENCE_DIR": str(signing_keys.with_name(signing_keys.name + "-evidence")),
            "FETCH_ENABLED": False, **extra}  # no test reaches the network; a test's own server is allowed by name


def migrate_database(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": "test"})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def load_samples(session) -> None:
    """The sample catalog and the TN and UT rulebooks, loaded through the services."""
    from ledger.catalog.service import load_catalog
    from ledger.rulebooks.service import load_rulebook

    load_catalog(session, ACTOR, deepcopy(samples.CATALOG))
    for doc in (samples.TN, samples.UT):
        load_rulebook(session, ACTOR, deepcopy(doc))
    session.commit()


def create_pg_database(prefix: str, template: str | None = None):
    """A new PostgreSQL database (empty, or a copy of `template`): (admin engine, name,
    url). Skips the test (fails it with REQUIRE_POSTGRES=1) when no PostgreSQL is
    reachable."""
    admin_url = sa.make_url(_pg_admin_url())
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (REQUIRE_POSTGRES=1) but unreachable: {exc}")
        pytest.skip(f"no PostgreSQL reachable at {admin_url.render_as_string()}: tests ran on SQLite only")
    return admin, name, admin_url.set(database=name).render_as_string(hide_password=False)


def drop_pg_database(admin, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


class Databases:
    """One engine's databases for the run: `new()` is a fresh copy of the migrated
    template (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL)."""

    def __init__(self, engine: str, folder: Path):
        self.engine, self.folder = engine, folder
        self.created: list = []
        if engine == "sqlite":
            self.template = folder / "template.sqlite"
            migrate_database(f"sqlite:///{self.template}")
        else:
            admin, self.template, url = create_pg_database("ledger_template")
            self.created.append((admin, self.template))
            migrate_database(url)

    def new(self) -> tuple[str, object]:
        """(url, drop): a fresh, fully migrated database and how to drop it."""
        if self.engine == "sqlite":
            path = self.folder / f"{uuid.uuid4().hex[:8]}.sqlite"
            shutil.copy(self.template, path)
            return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)
        admin, name, url = create_pg_database("ledger_test", template=self.template)
        return url, lambda: drop_pg_database(admin, name)

    def close(self) -> None:
        for admin, name in self.created:
            drop_pg_database(admin, name)


@pytest.fixture(scope="session", params=ENGINES)
def engine_name(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def databases(engine_name, tmp_path_factory):
    dbs = Databases(engine_name, tmp_path_factory.mktemp(engine_name))
    yield dbs
    dbs.close()


@pytest.fixture(scope="session")
def signing_keys(tmp_path_factory) -> Path:
    """The states' Ed25519 keys for the whole run (never the checkout's instance/)."""
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(scope="session")
def shared_apps(databases, signing_keys):
    """This engine's two long-lived apps, made when first asked for: over an empty
    database, and over one holding the samples."""
    apps: dict = {}
    drops: list = []

    def get(kind: str):
        if kind not in apps:
            url, drop = databases.new()
            drops.append(drop)
            app = create_app(test_config(url, signing_keys))
            if kind == "samples":
                with app.app_context():
                    load_samples(db.session)
                    db.session.remove()
            apps[kind] = app
        return apps[kind]

    yield get
    for app in apps.values():
        with app.app_context():
            db.engine.dispose()
    for drop in drops:
        drop()


@pytest.fixture
def database_url(databases) -> str:
    """A fresh, fully migrated database of this test's own (for `committed` tests)."""
    url, drop = databases.new()
    yield url
    drop()


def _reset_limits(app) -> None:
    for limiter in app.extensions.get("limiter", ()):
        limiter.reset()


@contextmanager
def rolled_back(app):
    """Bind `db.session` to one connection inside a transaction that is rolled back at
    the end: what the test and its requests write, commits included, is gone after."""
    connection = db.engine.connect()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # pysqlite's own transaction handling breaks SAVEPOINTs: take it over
        driver = connection.connection.driver_connection
        driver.isolation_level = None
    transaction = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    original = db.session
    db.session = orm.scoped_session(
        orm.sessionmaker(bind=connection, join_transaction_mode="create_savepoint"), scopefunc=_app_ctx_id)
    try:
        yield
    finally:
        db.session.remove()
        db.session = original
        transaction.rollback()
        if sqlite:
            driver.rollback()
            driver.isolation_level = ""
        connection.close()


@pytest.fixture
def app(request, databases, signing_keys):
    if request.node.get_closest_marker("committed"):
        url = request.getfixturevalue("database_url")
        app = create_app(test_config(url, signing_keys))
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
        return
    kind = "samples" if "ledger" in request.fixturenames else "empty"
    app = request.getfixturevalue("shared_apps")(kind)
    config = dict(app.config)
    _reset_limits(app)
    try:
        with app.app_context(), rolled_back(app):
            yield app
    finally:
        app.config.clear()
        app.config.update(config)


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
        db.session.commit()  # what the test made is there before the request, as in life
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
        self.app = app
        self.session = db.session
        if self.session.scalar(sa.select(State.id).where(State.code == "TN")) is None:
            load_samples(self.session)  # a committed test's own database
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
        from ledger.educators.service import create_educator

        n = kw.pop("n", None) or uuid.uuid4().hex[:8]
        licenses = licenses if licenses is not None else [
            {"type": "professional", "cycle_start": date(2020, 7, 1), "cycle_end": date(2025, 6, 30)}]
        first, later = {}, []  # one license per state and type; its other cycles are recorded after
        for lic in licenses:
            key = (lic.get("state") or state, lic["type"])
            if key in first:
                later.append(lic)
            else:
                first[key] = lic
        data = {
            "license_number": license_number or f"{state}-{n}",
            "state": state,
            "first_name": kw.pop("first_name", "Ada"),
            "last_name": kw.pop("last_name", f"Teacher{n}"),
            "email": kw.pop("email", None),
            "district": district,
            "employed_since": kw.pop("employed_since", None),
            "licenses": list(first.values()),
        }
        educator = create_educator(db.session, ACTOR, data)
        for lic in later:  # as a state office would: cycles after the first (renewals, reinstatements)
            from ledger.licenses.service import record_cycle

            home = db.session.scalar(sa.select(State.id).where(State.code == (lic.get("state") or state)))
            record_cycle(db.session, ACTOR, None, educator.id, home, lic["type"], lic["cycle_start"],
                         lic["cycle_end"], "an earlier or later cycle")
        db.session.commit()
        db.session.refresh(educator)
        return educator

    def record(self, educator, credential=None, earned_on=date(2022, 3, 1), **kw):
        from ledger.entries.service import record_entry

        if credential is not None:
            data = {"kind": "microcredential", "credential": credential, "earned_on": earned_on, **kw}
        else:
            data = {"kind": "activity", "earned_on": earned_on, **kw}
        entry, _ = record_entry(db.session, ACTOR, educator.id, data, today=date(2026, 11, 25))
        db.session.commit()
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
    from ledger.access.users import create_user

    def go(role, state=None, district=None, educator=None, email=None, password="correct-horse-battery"):
        email = email or f"{role}-{uuid.uuid4().hex[:6]}@example.org"
        create_user(db.session, "test", email, password, role, state, district, educator)
        db.session.commit()
        r = client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "email": email,
                                        "password": password})
        assert r.status_code == 302, r.get_data(as_text=True)[:500]
        return client
    return go
