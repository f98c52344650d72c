"""District HR in a real browser, on the demo (Juab, Utah): recording an MC through the
roster and the educator page moves the renewal bar; an import with a bad row is reported
and records nothing. Each test uses its own teacher or data, so order does not matter."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect


def earned(page) -> float:
    return float(page.get_by_test_id("renewal-earned").first.inner_text().split()[0])


def test_hr_records_an_mc_and_the_renewal_bar_moves(sign_in, live_server):
    page = sign_in("district_hr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Juab School District")
    # a teacher whose renewal is in progress and behind pace (so not complete), found by filter
    page.get_by_label("Renewal").select_option("behind")
    page.get_by_role("button", name="Filter").click()
    rows = page.get_by_test_id("roster-row")
    expect(rows.first).to_be_visible()
    for pill in page.get_by_test_id("renewal-pill").all_inner_texts():
        assert pill == "Behind pace"
    # the last one on the list: other tests take teachers from elsewhere
    row = rows.last
    name = row.get_by_role("link").inner_text()
    license_number = row.locator("td").nth(1).inner_text().strip()
    row.get_by_role("link").click()
    expect(page.get_by_test_id("renewal-earned").first).to_be_visible()
    before = earned(page)
    held = set(page.locator("[data-testid=entry] strong").all_inner_texts())
    codes = page.locator("#credential-codes option").evaluate_all("options => options.map(o => o.value)")
    code = next(c for c in codes if c not in held and not c.startswith(("OB-", "JUAB-TLM-")))
    form = page.get_by_role("form", name="A micro-credential")
    form.get_by_label("Credential code").fill(code)
    form.get_by_label("Earned on").fill(date.today().isoformat())
    form.get_by_role("button", name="Record micro-credential").click()
    expect(page.get_by_role("status").filter(has_text=f"Recorded {code}")).to_be_visible()
    after = earned(page)
    assert after == before + 7.5, (name, code, before, after)  # Utah: an MC is 7.5 hours

    # and the roster says so too
    page.get_by_role("link", name="Roster").click()
    page.get_by_label("Name or license number").fill(license_number)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("roster-row")).to_have_count(1)
    expect(page.get_by_test_id("renewal").first).to_contain_text(f"{after:g} of 100 hours")


def test_hr_uploads_a_csv_with_a_bad_row_and_reads_the_report(sign_in, live_server):
    page = sign_in("district_hr")
    page.get_by_role("link", name="Imports").click()
    expect(page.get_by_role("heading", name="CSV columns")).to_be_visible()
    csv = (b"license_number,state,credential,earned_on\n"
           b"1000311,UT,DP-FA-01,2020-01-05\n"           # fine (or already held): not the point
           b"1000311,UT,NOT-A-CREDENTIAL,2020-01-06\n"   # the bad row
           )
    page.get_by_label("File (CSV; Open Badges as JSON, JSON Lines, a VC-JWT or a baked PNG or SVG; up to 16 MiB)").set_input_files(
        files=[{"name": "staff-mcs.csv", "mimeType": "text/csv", "buffer": csv}])
    page.get_by_label("Format").select_option("csv")
    page.get_by_role("button", name="Upload and import").click()
    report = page.get_by_test_id("import-report")
    expect(report).to_contain_text("staff-mcs.csv")
    expect(page.get_by_test_id("import-verdict")).to_contain_text("Nothing was recorded")
    expect(page.get_by_test_id("import-recorded")).to_have_text("No")
    errors = page.get_by_test_id("import-errors").locator("tbody tr")
    bad = errors.filter(has_text="NOT-A-CREDENTIAL")
    expect(bad).to_have_count(1)
    expect(bad.locator("td").nth(0)).to_have_text("2")
    expect(bad.locator("td").nth(1)).to_have_text("credential")
    expect(bad.locator("td").nth(2)).to_contain_text(re.compile("not in the catalog"))
    # the form is there again for the corrected file, with its choices
    expect(page.get_by_label("Keep the good rows")).not_to_be_checked()


def test_hr_adds_a_new_hire_and_errors_take_the_focus_beside_the_form(sign_in, live_server):
    import uuid

    page = sign_in("district_hr")
    page.get_by_test_id("new-hire-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Add a new hire")
    form = page.get_by_test_id("new-educator-form")
    number = str(uuid.uuid4().int)[:9]
    form.get_by_label("First name").fill("Grace")
    form.get_by_label("Last name").fill("Newhire")
    form.get_by_label("License number").fill(number)
    form.get_by_label("Cycle starts").fill("2026-07-01")
    form.get_by_label("Cycle ends").fill("2025-06-30")                  # before the start
    form.get_by_role("button", name="Add to Juab School District").click()
    summary = page.get_by_test_id("hire-errors")
    expect(summary).to_be_focused()                                   # beside the form, not at the top
    expect(summary).to_contain_text("Cycle ends: is before cycle_start")
    expect(page.get_by_test_id("error-cycle_end")).to_be_visible()
    assert page.evaluate("document.getElementById('hire-errors').getBoundingClientRect().top") >= 0
    page.get_by_label("Cycle ends").fill("2031-06-30")
    page.get_by_role("button", name="Add to Juab School District").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Grace Newhire")
    expect(page.get_by_role("status").filter(has_text="Added Grace Newhire")).to_be_visible()
    page.get_by_role("link", name="Roster").click()
    page.get_by_label("Name or license number").fill(number)
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_test_id("roster-row")).to_have_count(1)


def test_a_refused_record_is_focused_beside_its_form(sign_in, live_server):
    page = sign_in("district_hr")
    rows = page.get_by_test_id("roster-row")
    rows.nth(1).get_by_role("link").click()
    held = page.locator("[data-testid=entry] strong").first.inner_text()   # a credential already held
    form = page.get_by_role("form", name="A micro-credential")
    form.get_by_label("Credential code").fill(held)
    form.get_by_label("Earned on").fill(date.today().isoformat())
    form.get_by_role("button", name="Record micro-credential").click()
    error = page.get_by_test_id("record-error")
    expect(error).to_be_focused()
    expect(error).to_contain_text("Credential code")
    expect(page.get_by_role("form", name="A micro-credential").get_by_test_id("record-error")).to_have_count(1)
    top, height = page.evaluate("[document.activeElement.getBoundingClientRect().top, window.innerHeight]")
    assert 0 <= top < height                                          # in view where the clerk is looking
