"""Season printing in a real browser, on the demo: the Tennessee office goes from its
overview to the seasons page, is told by field what is wrong with a backwards range,
starts a small season, watches the page follow it (it reloads itself, no script) until
all are printed, downloads the manifest, and a transcript it printed is verified with its
serial typed loosely; an edited copy of its PDF leads with "Does not match"."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ledger.models import db
from ledger.transcripts.season import select_educators

from .conftest import LOGINS
from .test_accessibility import violations


def _smallest_season(app) -> date:
    """The day after the earliest cycle end the demo's season would print: a season of
    the few educators whose cycles end that day (the demo moves with today)."""
    with app.app_context():
        chosen = select_educators(db.session, "TN", date(2200, 1, 1))
        db.session.remove()
    return min(row[2] for row in chosen) + timedelta(days=1)


def test_the_office_prints_a_season_and_follows_it_to_the_manifest(sign_in, page, live_server):
    before = _smallest_season(live_server.app)
    sign_in("state_office")
    page.goto(f"{live_server.url}/state")
    page.get_by_test_id("seasons-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tennessee renewal seasons")

    page.get_by_label("Cycles ending before").fill(before.isoformat())
    page.get_by_label("and on or after").fill(before.isoformat())
    page.get_by_role("button", name="Start printing").click()
    expect(page.get_by_role("alert")).to_contain_text("No season was started")
    expect(page.locator("#expiring_after-error")).to_contain_text(f"must be before {before.isoformat()}")

    page.get_by_label("and on or after").fill("")
    page.get_by_role("button", name="Start printing").click()
    expect(page.get_by_role("status").filter(has_text="Season started")).to_be_visible()
    # the page reloads itself while it prints (a meta refresh), then says all printed
    expect(page.get_by_test_id("progress")).to_contain_text("All printed", timeout=90_000)
    total = int(page.get_by_test_id("count-total").inner_text())
    assert total >= 1 and page.get_by_test_id("count-printed").inner_text() == str(total)
    expect(page.get_by_test_id("count-failed")).to_have_text("0")
    expect(page.get_by_test_id("no-failures")).to_be_visible()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the manifest (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) == total and {r["status"] for r in rows} <= {"printed", "already printed"}

    serial = rows[0]["serial"]
    pdf = page.request.get(f"{live_server.url}/transcripts/{serial}.pdf").body()
    page.goto(f"{live_server.url}/verify")
    page.get_by_label("Serial number").fill(serial.replace("-", " ").lower())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Valid", exact=True)).to_be_visible()
    expect(page.get_by_test_id("read-as")).to_contain_text(serial)
    page.get_by_label("Check a PDF file against this transcript").set_input_files(
        files=[{"name": "edited.pdf", "mimeType": "application/pdf", "buffer": pdf + b"\n"}])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_test_id("mismatch")).to_contain_text("Does not match")
    expect(page.get_by_text("Valid", exact=True)).to_have_count(0)


@pytest.mark.parametrize("width", [1280, 390])
def test_the_season_pages_pass_axe(browser, live_server, width):
    """As test_accessibility.py checks every page: the list (with its form's errors shown)
    and a run's page, at desktop and phone widths."""
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        email, password = LOGINS["state_office"]
        page.goto(f"{live_server.url}/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        found = {}
        page.goto(f"{live_server.url}/state/seasons")
        found["list"] = violations(page)
        page.get_by_label("Cycles ending before").fill("2030-01-01")
        page.get_by_label("and on or after").fill("2031-01-01")
        page.get_by_role("button", name="Start printing").click()
        found["errors"] = violations(page)
        run = page.get_by_test_id("season-run").first
        if run.count():
            run.get_by_role("link").click()
            found["run"] = violations(page)
        assert not {k: v for k, v in found.items() if v}, found
        # the overflow a phone shows when a table does not fold
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    finally:
        context.close()
