"""Audits in a real browser, on the demo: the Tennessee office opens its demo audit, opens
an open case, disallows an entry with a reason and records the finding; the case then
shows the finding and the entry void with the audit's reason."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_the_office_opens_a_case_and_records_a_finding(sign_in, page, live_server):
    sign_in("state_office")
    page.get_by_role("link", name="Audits").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tennessee renewal audits")
    page.get_by_test_id("audit").last.get_by_role("link").click()  # the demo's audit, the oldest
    audit_url = page.url
    open_cases = [row.get_by_role("link").get_attribute("href")
                  for row in page.get_by_test_id("case").all() if "open" in row.inner_text()]
    assert open_cases, "the demo audit has open cases"
    for href in reversed(open_cases):  # the last open case with an entry (another test reads the first)
        page.goto(live_server.url + href)
        if page.get_by_test_id("case-entry").count():
            break
    entry = page.get_by_test_id("case-entry").first
    entry_id = re.search(r"entry-(\d+)", entry.get_attribute("id")).group(1)
    expect(page.locator("#what-voids-mean")).to_contain_text("not re-judged")
    entry.get_by_label("Disallow this entry").check()
    page.get_by_role("button", name="Record the outcome").click()  # findings not chosen: named, nothing kept
    expect(page.get_by_role("alert")).to_contain_text("The outcome was not recorded")
    expect(page.get_by_test_id("case-status")).to_contain_text("open")
    page.get_by_label("Findings: void the entries ticked above").check()
    page.locator(f"#entry-{entry_id}").get_by_label("Reason").fill("The certificate is for another course")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_role("status")).to_contain_text("Findings recorded: 1 entry disallowed and voided")
    expect(page.get_by_test_id("case-status")).to_contain_text("findings")
    decided = page.locator(f"#entry-{entry_id}")
    expect(decided.get_by_test_id("finding")).to_contain_text("The certificate is for another course")
    expect(decided.get_by_test_id("void")).to_be_visible()
    expect(decided).to_contain_text(re.compile(r"Audit \d+: The certificate is for another course"))
    expect(page.get_by_role("button", name="Record the outcome")).to_have_count(0)  # decided once
    page.goto(audit_url)
    assert page.get_by_test_id("case").filter(has_text="findings").count() >= 1
