"""Every page passes axe-core's WCAG 2 A and AA checks (labels, names, contrast, landmarks,
headings, ARIA) in a real browser, for every role, at desktop and phone widths; and the
main forms work from the keyboard alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import LOGINS

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
PAGES = {
    None: ["/", "/login", "/verify"],
    "educator": ["/me"],
    "district_hr": ["/district", "/district/new-hire", "/district/imports", "/district/salary-runs"],
    "state_office": ["/state", "/state/educators", "/state/rulebooks", "/state/catalog", "/state/transcripts",
                     "/state/audits", "/state/audits/1", "/state/audits/1/cases/1", "/state/audits/1/cases/2"],
    "admin": ["/admin/users", "/admin/tokens"],
}


def violations(page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in result]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_passes_axe(browser, live_server, role, width):
    # axe is injected as an inline script, which the app's CSP (rightly) refuses
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    try:
        if role:
            email, password = LOGINS[role]
            page.goto(f"{live_server.url}/login")
            page.get_by_label("E-mail").fill(email)
            page.get_by_label("Password").fill(password)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_load_state()
        found = {}
        for path in PAGES[role]:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state()
            problems = violations(page)
            if problems:
                found[path] = problems
        assert not found, found
    finally:
        context.close()


def test_signing_in_and_recording_work_from_the_keyboard(page, live_server):
    email, password = LOGINS["district_hr"]
    page.goto(f"{live_server.url}/verify")
    page.keyboard.press("Tab")                      # the skip link comes first
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.goto(f"{live_server.url}/login")
    expect(page.get_by_label("E-mail")).to_be_focused()   # the form is ready to type into
    page.get_by_label("E-mail").focus()
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/district$"))
    # the focused control is always visible: a 3px outline
    page.get_by_role("button", name="Sign out").focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("none", "")
