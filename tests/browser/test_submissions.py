"""Section 7 in a real browser, on the demo: the educator reports a workshop with its
certificate (a PDF file), Juab HR sees it in the queue with the PDF shown inline,
approves it, and the teacher's renewal bar moves. The demo's own submissions wait in the
queues with a PDF and an image."""

from __future__ import annotations

import uuid
from datetime import date

from playwright.sync_api import expect

from ledger.demo.submissions import certificate_pdf


def earned(page) -> list[str]:
    return page.get_by_test_id("renewal-earned").all_inner_texts()


def test_an_educator_reports_with_a_file_and_hr_approves_it_and_the_bar_moves(sign_in, page, live_server):
    title = f"Browser workshop {uuid.uuid4().hex[:6]}"
    sign_in("educator")
    page.get_by_role("link", name="Report something").click()
    form = page.get_by_test_id("report-form")
    form.get_by_label("Other professional learning").check()
    form.locator("#sub-title").fill(title)
    form.locator("#sub-hours").fill("5")
    form.locator("#sub-earned").fill(date.today().isoformat())
    form.locator("#sub-evidence").set_input_files(
        files=[{"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": certificate_pdf([title])}])
    form.get_by_role("button", name="Send for approval").click()
    mine = page.get_by_test_id("my-submission").filter(has_text=title)
    expect(mine.get_by_test_id("submission-status")).to_have_text("waiting for approval")
    teacher_page = page.get_by_role("link", name="My progress").first.get_attribute("href")
    page.get_by_role("button", name="Sign out").click()

    sign_in("district_hr")
    page.goto(live_server.url + "/submissions")
    card = page.get_by_test_id("submission").filter(has_text=title)
    expect(card.get_by_test_id("evidence-pdf")).to_be_visible()  # the PDF, inline
    educator_url = card.get_by_role("link").first.get_attribute("href")
    page.goto(live_server.url + educator_url)
    before = earned(page)
    page.goto(live_server.url + "/submissions")
    page.get_by_test_id("submission").filter(has_text=title).get_by_role("button", name="Approve and record").click()
    expect(page.get_by_role("status")).to_contain_text("Approved and recorded")
    expect(page.get_by_test_id("submission").filter(has_text=title)).to_have_count(0)
    page.goto(live_server.url + educator_url)
    expect(page.get_by_test_id("entry").filter(has_text=title)).to_have_count(1)
    assert earned(page) != before, (before, earned(page))
    assert teacher_page


def test_the_demo_queues_show_pdf_and_image_evidence(sign_in, page, live_server):
    sign_in("district_hr")
    page.goto(live_server.url + "/submissions")
    expect(page.get_by_test_id("evidence-image").first).to_be_visible()
    image = page.get_by_test_id("evidence-image").first
    # served and drawn, not blocked: waited for, since a loaded machine draws it after it shows
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle(), timeout=15000)
    sign_in_state = page.get_by_role("button", name="Sign out")
    sign_in_state.click()
    sign_in("state_office")
    page.goto(live_server.url + "/submissions")
    expect(page.get_by_test_id("submission").filter(has_text="Assessment literacy")).to_be_visible()
