"""In a real browser: a teacher signs in and sees their progress; every demo login lands
on a page of its own; each role is refused another's pages; signing out ends the session."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import LOGINS


def test_a_teacher_signs_in_and_sees_their_progress(sign_in, live_server):
    page = sign_in("educator")
    expect(page).to_have_url(re.compile(r"/educators/\d+$"))
    expect(page.get_by_role("heading", name="Hello, Lindsey")).to_be_visible()
    renewal = page.get_by_test_id("renewal").first
    expect(renewal.get_by_role("progressbar")).to_be_visible()
    expect(renewal).to_contain_text("of 100 hours")
    pathway = page.get_by_test_id("pathway").first
    expect(pathway).to_contain_text("Teacher Leader: Mathematics")
    expect(pathway.get_by_role("list", name="Maintenance periods")).to_contain_text("Period 2")
    expect(page.get_by_test_id("salary")).to_contain_text("salary lane")
    assert page.get_by_test_id("entry").count() >= 12
    # what if I moved to Tennessee?
    page.get_by_label("What if I moved to", exact=True).select_option("TN")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("What if: valued under TN rules")).to_be_visible()
    # the unofficial transcript downloads as a PDF
    with page.expect_download() as info:
        page.get_by_role("link", name="Download unofficial transcript (PDF)").click()
    with open(info.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"


@pytest.mark.parametrize("role, lands, heading", [
    ("educator", r"/educators/\d+$", "Hello, Lindsey"),
    ("district_hr", r"/district$", None),
    ("state_office", r"/state$", None),
    ("admin", r"/state$", None),
])
def test_every_demo_login_lands_on_a_page_of_its_own(sign_in, role, lands, heading):
    page = sign_in(role)
    expect(page).to_have_url(re.compile(lands))
    expect(page.get_by_role("banner").get_by_text(LOGINS[role][0], exact=True)).to_be_visible()  # in the header
    if heading:
        expect(page.get_by_role("heading", name=heading)).to_be_visible()


@pytest.mark.parametrize("role, refused", [
    ("educator", ["/district", "/district/imports", "/state", "/state/rulebooks", "/admin/users"]),
    ("district_hr", ["/state", "/state/transcripts", "/admin/users"]),
    ("state_office", ["/district", "/district/salary-runs", "/admin/users"]),
])
def test_each_role_is_refused_anothers_pages(sign_in, live_server, role, refused):
    page = sign_in(role)
    for path in refused:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 403, path
        expect(page.get_by_role("heading", name="Not for this account")).to_be_visible()


def test_a_record_outside_the_scope_is_not_found(sign_in, live_server):
    page = sign_in("educator")
    mine = int(re.search(r"/educators/(\d+)", page.url).group(1))
    response = page.goto(f"{live_server.url}/educators/{mine + 1}")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Not found")).to_be_visible()


def test_a_wrong_password_is_refused_and_signing_out_ends_the_session(page, live_server, sign_in):
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill(LOGINS["district_hr"][0])
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("That e-mail and password do not match an account.")
    sign_in("district_hr")
    cookies = page.context.cookies()
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.context.add_cookies(cookies)  # the old cookie back: it no longer opens anything
    page.goto(f"{live_server.url}/district")
    expect(page).to_have_url(re.compile(r"/login\?next="))


def test_pages_work_on_a_phone(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    email, password = LOGINS["educator"]
    page.goto(f"{live_server.url}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hello, Lindsey")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    context.close()
