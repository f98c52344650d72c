"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium, headless; never
`playwright install`) against the app served on a free local port in a thread, with the
demo loaded, once per engine (SQLite and PostgreSQL). A failing test keeps a screenshot
under `test-results/` (the path is printed)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ledger.app import create_app
from ledger.models import db

from ..conftest import create_pg_database, drop_pg_database, migrate_database

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
LOGINS = {
    "admin": ("admin@demo.example", "demo-admin-2024"),
    "state_office": ("state.tn@demo.example", "demo-state-2024"),
    "district_hr": ("hr.juab@demo.example", "demo-hr-2024"),
    "educator": ("lindsey.ostler@juab.k12.ut.example", "demo-educator-2024"),
}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/install installs Debian's chromium package")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]}


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def live_server(request, tmp_path_factory, signing_keys):
    """The app with the demo, served at `live_server.url` until the session ends."""
    admin = name = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('browser')}/ledger.sqlite"
    else:
        admin, name, url = create_pg_database("ledger_browser")
    migrate_database(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "browser-tests",
                      "SIGNING_KEY_DIR": str(signing_keys), "WTF_CSRF_TIME_LIMIT": None,
                      "EVIDENCE_DIR": str(tmp_path_factory.mktemp("evidence")),
                      "LOGIN_RATE_LIMIT": "1000 per minute"})
    with app.app_context():
        from datetime import date

        from ledger.access.principals import ADMIN, Principal
        from ledger.demo import load_demo

        load_demo(db.session, Principal(ADMIN, "browser-tests"), educators=240, seed=2024,
                  today=date.today(), echo=lambda message: None)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = app.config["PUBLIC_URL"]
    server.app = app
    server.engine_name = request.param
    try:
        yield server
    finally:
        server.shutdown()
        with app.app_context():
            db.engine.dispose()
        if admin is not None:
            drop_pg_database(admin, name)


@pytest.fixture
def sign_in(page, live_server):
    """sign_in(role) opens /login, signs in with that role's demo login and returns the page."""
    def go(role: str):
        email, password = LOGINS[role]
        page.goto(f"{live_server.url}/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page
    return go


def pytest_collection_modifyitems(items):
    """Under pytest-xdist (--dist loadgroup) every browser test runs on one worker, so the
    demo is loaded and served once per engine, not once per worker."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed and "page" in item.funcargs:
        RESULTS.mkdir(exist_ok=True)
        path = RESULTS / f"{item.name.replace('/', '_')}.png"
        try:
            item.funcargs["page"].screenshot(path=str(path), full_page=True)
            report.sections.append(("screenshot", str(path)))
            print(f"\nscreenshot kept: {path}")
        except Exception as exc:  # the page may be gone
            report.sections.append(("screenshot", f"none: {exc}"))
