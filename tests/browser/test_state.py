"""The state office in a browser (Tennessee's demo login): preview a rulebook version,
publish it and see the change side by side, issue an official transcript by license number, check it on its
public verify page, and drop the PDF on that page. The database is shared with other
browser tests: nothing here depends on what ran before, and the rulebook figures are put
back as they were."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

TN_YAML = Path(__file__).resolve().parents[2] / "ledger" / "demo" / "rulebooks" / "TN.yaml"


def test_the_state_office_loads_a_rulebook_version_and_compares_it(sign_in, live_server, tmp_path):
    page = sign_in("state_office")
    page.goto(f"{live_server.url}/state/rulebooks")
    expect(page.get_by_role("heading", name="Tennessee rulebooks")).to_be_visible()
    before = page.locator('[data-testid="version"]').count()

    original = TN_YAML.read_text(encoding="utf-8")
    changed = original.replace("required_units: 30\n", "required_units: 36\n", 1)
    assert changed != original
    path = tmp_path / "TN-new.yaml"
    path.write_text(changed, encoding="utf-8")
    page.get_by_label("Rulebook file (YAML or JSON)").set_input_files(str(path))
    page.get_by_role("button", name="Check and preview").click()
    # previewed, not loaded: the figures it would change, then publish
    expect(page.get_by_role("heading", name="Preview of TN-new.yaml")).to_be_visible()
    expect(page.get_by_test_id("diff").locator("td.ins")).to_contain_text(["required_units: 36"])
    page.get_by_role("button", name="Publish this version").click()
    expect(page.get_by_role("status").filter(has_text="TN rulebook version")).to_be_visible()
    expect(page.locator('[data-testid="version"]')).to_have_count(before + 1)

    # the newest version against the one before it: the changed figure is marked on each side
    diff = page.get_by_test_id("diff")
    expect(diff.locator("td.del")).to_contain_text(["required_units: 30"])
    expect(diff.locator("td.ins")).to_contain_text(["required_units: 36"])

    # a bad field is named, and nothing is loaded
    page.get_by_label("or paste the rulebook").fill(original.replace("effective_from: 2019-07-01", "effective_from: 2019-13-01"))
    page.get_by_role("button", name="Check and preview").click()
    expect(page.get_by_role("alert")).to_contain_text("exchange_rates[1].effective_from")
    expect(page.locator('[data-testid="version"]')).to_have_count(before + 1)

    # put the published figures back for every other test sharing this database
    # a preview discarded leaves nothing
    page.get_by_label("Rulebook file (YAML or JSON)").set_input_files(str(path))
    page.get_by_role("button", name="Check and preview").click()
    page.get_by_role("button", name="Discard").click()
    expect(page.get_by_role("status").filter(has_text="nothing was loaded")).to_be_visible()
    expect(page.locator('[data-testid="version"]')).to_have_count(before + 1)

    # put the published figures back for every other test sharing this database
    path.write_text(original, encoding="utf-8")
    page.get_by_label("Rulebook file (YAML or JSON)").set_input_files(str(path))
    page.get_by_role("button", name="Check and preview").click()
    page.get_by_role("button", name="Publish this version").click()
    expect(page.locator('[data-testid="version"]')).to_have_count(before + 2)


def test_the_state_office_prints_a_transcript_and_anyone_can_verify_it(sign_in, live_server, tmp_path):
    page = sign_in("state_office")
    page.goto(f"{live_server.url}/state/educators")
    row = page.get_by_test_id("educator").filter(has=page.locator(".pill")).first
    number = row.locator('td[data-label="License number"]').inner_text().strip()
    name = row.get_by_role("link").inner_text().strip()

    page.get_by_role("link", name="Transcripts", exact=True).click()
    page.get_by_label("License number", exact=True).fill(number)
    page.get_by_role("button", name="Issue official TN transcript").click()
    flash = page.get_by_role("status").filter(has_text="Issued official transcript")
    expect(flash).to_be_visible()
    serial = re.search(r"TN-\d{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", flash.inner_text()).group(0)
    issued = page.get_by_test_id("transcript").filter(has_text=serial)
    expect(issued).to_contain_text(number)
    expect(issued).to_contain_text("Valid")
    last = name.split(", ", 1)[0]
    expect(issued).to_contain_text(last)

    # the PDF as the office downloads it
    pdf = page.request.get(f"{live_server.url}/transcripts/{serial}.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    saved = tmp_path / f"{serial}.pdf"
    saved.write_bytes(pdf.body())

    # the public verify page says Valid, and the dropped file is exactly the one issued
    issued.get_by_role("link", name="verify page").click()
    expect(page.get_by_text("Valid", exact=True)).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text(number)
    page.get_by_label("Check a PDF file against this transcript").set_input_files(str(saved))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("is exactly the PDF that was issued")).to_be_visible()


def test_the_state_pages_fit_a_phone(sign_in, live_server):
    page = sign_in("state_office")
    page.set_viewport_size({"width": 390, "height": 844})
    for path in ("/state", "/state/educators", "/state/rulebooks", "/state/catalog", "/state/transcripts"):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width}px wide on a 390px phone"
