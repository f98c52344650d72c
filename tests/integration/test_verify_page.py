"""The public verify page as people use it (issue 16, item 3): a serial typed from paper
(no hyphens, spaces, lower case, the letters serials never use) finds its transcript, and
a dropped PDF that is not the one issued leads the page with "Does not match"."""

from __future__ import annotations

import io
import re

import pytest

from ledger.transcripts.service import CROCKFORD, normalize_serial

from .test_transcripts import issue, tn  # noqa: F401  (the fixture)

SERIAL = "TN-2026-5NDY-1SVM-N8SP"


@pytest.mark.parametrize("typed", [
    "TN-2026-5NDY-1SVM-N8SP",
    "TN20265NDY1SVMN8SP",            # no hyphens
    "tn-2026-5ndy-1svm-n8sp",        # lower case
    "TN 2026 5NDY 1SVM N8SP",        # spaces for hyphens
    "  TN - 2026 - 5NDY - 1SVM - N8SP  ",
    "TN–2026—5NDY‐1SVM−N8SP",        # the dashes a word processor puts in
    "TN-2026-5NDY-ISVM-N8SP",        # I for 1
    "tn-2026-5ndy-lsvm-n8sp",        # l for 1
    "TN-2O26-5NDY-1SVM-N8SP",        # O for 0 in the year
])
def test_a_serial_typed_from_paper_reads_as_the_one_issued(typed):
    assert normalize_serial(typed) == SERIAL


def test_the_letters_serials_never_use_read_as_the_ones_they_pass_for():
    assert set("ILOU").isdisjoint(CROCKFORD)  # why they can be read as something else
    assert normalize_serial("tn-2026-oooo-iiii-uuuu") == "TN-2026-0000-1111-VVVV"
    assert normalize_serial("TN-2026-LLLL-0000-1111") == "TN-2026-1111-0000-1111"


def test_a_state_code_is_never_read_as_digits():
    # Louisiana's and Illinois' codes hold letters that pass for digits elsewhere
    assert normalize_serial("la 2026 o1o1 abcd efgh") == "LA-2026-0101-ABCD-EFGH"
    assert normalize_serial("IL-2026-ABCD-EFGH-JKMN") == "IL-2026-ABCD-EFGH-JKMN"


@pytest.mark.parametrize("text", ["TN-2026-ABCD", "TN-2026-ABCD-EFGH-JKMN-PQRS", "hello", "", "x" * 5000,
                                  "TN-20261-ABCD-EFGH-JKMN"])
def test_text_that_is_no_serial_is_left_as_typed(text):
    assert normalize_serial(text) == text.strip().upper()[:40]


def _csrf(client, path):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _messy(serial: str) -> list[str]:
    compact = serial.replace("-", "")
    return [compact.lower(), " ".join(serial.split("-")), serial.replace("1", "I").replace("0", "O"),
            f"  {serial.lower().replace('1', 'l')} "]


def test_the_page_and_the_api_find_a_transcript_however_its_serial_was_typed(client, ledger, tn):  # noqa: F811
    serial = issue(client, ledger, tn).json["serial"]
    for typed in _messy(serial):
        page = client.get(f"/verify/{typed}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "Valid" in html and serial in html, typed
        if typed.strip() != serial:
            assert 'data-testid="read-as"' in html
        assert client.get("/verify", query_string={"serial": typed}).status_code == 200
        api = client.get(f"/api/v1/verify/{typed}")
        assert api.status_code == 200 and api.json["valid"] is True and api.json["serial"] == serial
    token = _csrf(client, "/verify")
    typed = serial.replace("-", " ").lower()
    found = client.post("/verify", data={"csrf_token": token, "serial": typed})
    assert found.status_code == 200 and "Valid" in found.get_data(as_text=True)
    # a serial one character off is still no serial
    other = serial[:-1] + ("A" if serial[-1] != "A" else "B")
    assert client.get(f"/verify/{other.replace('-', '')}").status_code == 404


def _lead(html: str) -> str:
    """The first verdict on the page: what a reader sees first."""
    first = re.search(r'<section class="verdict[^"]*"[^>]*>\s*<p[^>]*>(.*?)</p>', html, re.S).group(1)
    return re.sub(r"<[^>]+>", "", first).strip()


def test_a_dropped_pdf_that_is_not_the_one_issued_leads_with_does_not_match(client, ledger, tn):  # noqa: F811
    body = issue(client, ledger, tn).json
    pdf = client.get(f"/api/v1/transcripts/{body['serial']}.pdf", headers=ledger.headers()).data
    token = _csrf(client, f"/verify/{body['serial']}")
    r = client.post(f"/verify/{body['serial']}", content_type="multipart/form-data",
                    data={"csrf_token": token, "pdf": (io.BytesIO(pdf + b"\n"), "edited.pdf")})
    html = r.get_data(as_text=True)
    assert "Does not match" in _lead(html)
    assert "edited.pdf</strong> is not the PDF that was issued" in html
    assert '<p class="big">Valid</p>' not in html  # the serial's own verdict no longer shouts
    assert html.index("Does not match") < html.index("itself is valid")
    # from the lookup form, serial typed loosely and the file dropped with it
    token = _csrf(client, "/verify")
    r = client.post("/verify", content_type="multipart/form-data",
                    data={"csrf_token": token, "serial": body["serial"].replace("-", "").lower(),
                          "pdf": (io.BytesIO(b"%PDF-1.7 not it %%EOF"), "other.pdf")})
    assert "Does not match" in _lead(r.get_data(as_text=True))
    # the same file is still exactly the one issued
    r = client.post(f"/verify/{body['serial']}", content_type="multipart/form-data",
                    data={"csrf_token": token, "pdf": (io.BytesIO(pdf), "mine.pdf")})
    assert _lead(r.get_data(as_text=True)) == "Valid" and "Does not match" not in r.get_data(as_text=True)


def test_a_genuine_pdf_checked_against_another_serial_is_named_as_its_own_transcript(client, ledger, tn):  # noqa: F811
    a = issue(client, ledger, tn).json
    b = issue(client, ledger, tn).json
    pdf_b = client.get(f"/api/v1/transcripts/{b['serial']}.pdf", headers=ledger.headers()).data
    token = _csrf(client, f"/verify/{a['serial']}")
    r = client.post(f"/verify/{a['serial']}", content_type="multipart/form-data",
                    data={"csrf_token": token, "pdf": (io.BytesIO(pdf_b), "b.pdf")})
    html = r.get_data(as_text=True)
    assert "Does not match" in _lead(html) and f"/verify/{b['serial']}" in html


def test_a_file_with_no_serial_and_unknown_contents_does_not_match(client, ledger):
    token = _csrf(client, "/verify")
    r = client.post("/verify", content_type="multipart/form-data",
                    data={"csrf_token": token, "pdf": (io.BytesIO(b"%PDF-1.4 forged %%EOF"), "forged.pdf")})
    html = r.get_data(as_text=True)
    assert r.status_code == 404 and "Does not match" in _lead(html)
    assert "no transcript this ledger issued has these contents" in html


def test_a_revoked_transcript_leads_with_revoked_even_for_its_own_file(client, ledger, tn):  # noqa: F811
    body = issue(client, ledger, tn).json
    pdf = client.get(f"/api/v1/transcripts/{body['serial']}.pdf", headers=ledger.headers()).data
    client.post(f"/api/v1/transcripts/{body['serial']}/revoke", json={"reason": "r"}, headers=ledger.headers())
    token = _csrf(client, f"/verify/{body['serial']}")
    r = client.post(f"/verify/{body['serial']}", content_type="multipart/form-data",
                    data={"csrf_token": token, "pdf": (io.BytesIO(pdf), "mine.pdf")})
    html = r.get_data(as_text=True)
    assert _lead(html) == "Revoked" and 'class="verdict good"' not in html


def test_sending_neither_a_serial_nor_a_file_says_what_to_give(client, ledger):
    token = _csrf(client, "/verify")
    r = client.post("/verify", data={"csrf_token": token, "serial": "  "})
    assert r.status_code == 422 and "Type a serial number, or choose" in r.get_data(as_text=True)


def test_a_serial_not_found_offers_the_serial_box_again_with_what_was_typed(client, ledger):
    html = client.get("/verify/tn-2026-aaaa-bbbb-cccc").get_data(as_text=True)
    assert 'name="serial"' in html and 'value="tn-2026-aaaa-bbbb-cccc"' in html
    assert "Check a PDF file against this transcript" not in html
