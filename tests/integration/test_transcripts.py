"""Official transcripts through the API, the CLI and the public verify page, on both
engines (CONTRACT.md: POST /educators/{id}/transcripts and GET /verify/{serial})."""

from __future__ import annotations

import hashlib
import re
import subprocess
from copy import deepcopy
from datetime import date

import jwt
import pytest
import sqlalchemy as sa

from ledger.models import Transcript
from ledger.transcripts import clr as clr_module
from tests import samples

from .test_pathways_api import UT_CARDS

MC = "microcredential"
VERIFY_KEYS = {"valid", "serial", "issued_at", "state", "educator", "sha256", "revoked"}


def text_of(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode()


def pages_of(pdf: bytes) -> int:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Pages:\s+(\d+)", out).group(1))


@pytest.fixture
def tn(ledger):
    """A TN educator with micro-credentials valued by three different rules."""
    e = ledger.educator("TN", first_name="Grace", last_name="Hopper", license_number="TN-0042",
                        email="grace@example.org",
                        licenses=[{"type": "professional", "cycle_start": date(2020, 7, 1), "cycle_end": date(2025, 6, 30)}])
    ledger.record(e, "DP-FA-01", date(2021, 3, 1))          # TN-FA01-10: 10 PDP
    ledger.record(e, "BB-CM-01", date(2022, 1, 15))         # TN-BB-8
    ledger.record(e, "DP-LIT-01", date(2024, 2, 29))        # TN-GENERAL-6
    ledger.record(e, title="Summer institute", hours=12, earned_on=date(2023, 6, 1))
    ledger.session.commit()
    return e


def issue(client, ledger, e, role="state_office", state="TN", **body):
    scope = {"state": state} if role == "state_office" else {}
    return client.post(f"/api/v1/educators/{e.id}/transcripts", json={"state": state, **body},
                       headers=ledger.headers(role, **scope))


def test_an_issued_transcript_is_recorded_sealed_and_served_byte_for_byte(client, ledger, tn, session):
    r = issue(client, ledger, tn, as_of="2025-01-31")
    assert r.status_code == 201, r.json
    body = r.json
    assert re.fullmatch(r"TN-\d{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", body["serial"])
    assert body["pdf"] == f"https://ledger.example/api/v1/transcripts/{body['serial']}.pdf"

    pdf = client.get(body["pdf"].removeprefix("https://ledger.example"), headers=ledger.headers("state_office", state="TN"))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert hashlib.sha256(pdf.data).hexdigest() == body["sha256"]
    again = client.get(f"/api/v1/transcripts/{body['serial']}.pdf", headers=ledger.headers())
    assert again.data == pdf.data  # served again byte for byte, never re-rendered

    row = session.scalar(sa.select(Transcript).where(Transcript.serial == body["serial"]))
    assert (row.educator_id, row.state.code, row.as_of, row.sha256) == (tn.id, "TN", date(2025, 1, 31), body["sha256"])
    assert row.issued_by.startswith("token:")
    # the standing it shows is the standing every reader gets for that day
    standing = client.get(f"/api/v1/educators/{tn.id}/standing", query_string={"as_of": "2025-01-31"},
                          headers=ledger.headers()).json
    assert row.standing == standing


def test_the_pdf_shows_what_a_state_would_sign(client, ledger, tn):
    body = issue(client, ledger, tn, as_of="2025-01-31").json
    pdf = client.get(f"/api/v1/transcripts/{body['serial']}.pdf", headers=ledger.headers()).data
    text = text_of(pdf)
    flat = " ".join(text.split())
    for expected in [
        "Tennessee Educator Licensure Office", "Official Transcript", "Grace Hopper", "TN-0042", body["serial"],
        "professional", "2020-07-01 to 2025-06-30", "60 PDP",  # the license, its cycle, required in the unit
        "DP-FA-01", "Formative Assessment: Checking for Understanding", "Digital Promise", "10.00",
        "BB-CM-01", "BloomBoard", "8.00", "2024-02-29", "6.00", "Summer institute", "12.00",
        "TN-FA01-10", "TN-BB-8", "TN-GENERAL-6",              # every rule's cite
        "Total: 3 micro-credentials, 1 other activity", "36.00",
        f"https://ledger.example/verify/{body['serial']}",
    ]:
        assert expected in flat, expected
    n = pages_of(pdf)
    assert all(f"Page {i} of {n}" in flat for i in range(1, n + 1))
    assert "grace@example.org" not in flat


def test_forty_entries_print_on_two_pages_with_the_serial_and_page_count_on_each(client, ledger):
    e = ledger.educator("TN", licenses=[{"type": "professional", "cycle_start": date(2020, 7, 1), "cycle_end": date(2025, 6, 30)}])
    for i in range(40):
        ledger.record(e, title=f"Workshop {i + 1}", hours=1, earned_on=date(2021, 1, 1 + i % 28))
    ledger.session.commit()
    body = issue(client, ledger, e).json
    pdf = client.get(f"/api/v1/transcripts/{body['serial']}.pdf", headers=ledger.headers()).data
    pages = text_of(pdf).split("\f")[:-1]
    assert len(pages) == pages_of(pdf) >= 2
    for i, page in enumerate(pages, 1):
        assert f"Page {i} of {len(pages)}" in page and body["serial"] in page


def test_fonts_ship_with_the_project_and_are_embedded(client, ledger, tn):
    body = issue(client, ledger, tn).json
    pdf = client.get(f"/api/v1/transcripts/{body['serial']}.pdf", headers=ledger.headers()).data
    fonts = subprocess.run(["pdffonts", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert re.search(r"Source-?Serif-?4", fonts) and re.search(r"Source-?Sans-?3", fonts)
    assert "DejaVu" not in fonts  # nothing fell back to the machine's own fonts


def test_verify_tells_anyone_valid_with_name_and_license_number_only(client, ledger, tn):
    body = issue(client, ledger, tn).json
    r = client.get(f"/api/v1/verify/{body['serial']}")  # no token
    assert r.status_code == 200
    v = r.json
    assert VERIFY_KEYS <= set(v)
    assert v["valid"] is True and v["revoked"] is False and v["serial"] == body["serial"]
    assert v["state"] == "TN" and v["sha256"] == body["sha256"]
    assert v["educator"] == {"name": "Grace Hopper", "license_number": "TN-0042"}
    assert "grace@example.org" not in r.text and "educator_id" not in v
    assert client.get(f"/api/v1/verify/{body['serial'].lower()}").json["valid"] is True


@pytest.mark.parametrize("serial", ["TN-2026-0000-0000-0000", "nonsense", "x" * 300, "%00"])
def test_a_serial_never_issued_is_not_valid(client, ledger, serial):
    r = client.get(f"/api/v1/verify/{serial}")
    assert r.status_code == 404
    assert r.json["valid"] is False and r.json["educator"] is None and r.json["sha256"] is None


def test_a_revoked_transcript_verifies_as_revoked_and_cannot_be_revoked_twice(client, ledger, tn):
    serial = issue(client, ledger, tn).json["serial"]
    office = ledger.headers("state_office", state="TN")
    r = client.post(f"/api/v1/transcripts/{serial}/revoke", json={"reason": "issued in error"}, headers=office)
    assert r.status_code == 200 and r.json["revoked"] is True and r.json["revoked_reason"] == "issued in error"
    v = client.get(f"/api/v1/verify/{serial}").json
    assert v["valid"] is False and v["revoked"] is True and "issued in error" not in str(v)
    again = client.post(f"/api/v1/transcripts/{serial}/revoke", json={"reason": "again"}, headers=office)
    assert again.status_code == 409
    assert client.post(f"/api/v1/transcripts/{serial}/revoke", json={}, headers=office).status_code == 422


def test_issued_transcripts_and_revocations_never_change(app, client, ledger, tn, session):
    serial = issue(client, ledger, tn).json["serial"]
    for statement in ("UPDATE transcripts SET sha256 = 'x'", "DELETE FROM transcripts"):
        with pytest.raises(sa.exc.DatabaseError):
            session.execute(sa.text(statement))
        session.rollback()
    client.post(f"/api/v1/transcripts/{serial}/revoke", json={"reason": "r"}, headers=ledger.headers())
    with pytest.raises(sa.exc.DatabaseError):
        session.execute(sa.text("DELETE FROM transcript_revocations"))
    session.rollback()


def test_who_may_issue_read_and_revoke(client, ledger, tn):
    ut = ledger.educator("UT", district="JUAB", licenses=[
        {"type": "professional", "cycle_start": date(2022, 7, 1), "cycle_end": date(2027, 6, 30)}])
    ledger.session.commit()
    # HR may not issue for its own employee (403); out of scope answers 404
    hr = ledger.headers("district_hr", district="JUAB")
    r = client.post(f"/api/v1/educators/{ut.id}/transcripts", json={"state": "UT"}, headers=hr)
    assert r.status_code == 403
    r = client.post(f"/api/v1/educators/{tn.id}/transcripts", json={"state": "TN"}, headers=hr)
    assert r.status_code == 404
    # a state office: its own state's educators only
    assert issue(client, ledger, ut, state="TN").status_code == 404
    assert client.post(f"/api/v1/educators/{ut.id}/transcripts", json={"state": "UT"},
                       headers=ledger.headers("state_office", state="UT")).status_code == 201
    # the educator: not an issuer; another educator does not exist
    me = ledger.headers("educator", educator=tn.id)
    assert client.post(f"/api/v1/educators/{tn.id}/transcripts", json={"state": "TN"}, headers=me).status_code == 403
    assert client.post(f"/api/v1/educators/{ut.id}/transcripts", json={"state": "UT"}, headers=me).status_code == 404
    assert client.post("/api/v1/educators/999999/transcripts", json={"state": "TN"},
                       headers=ledger.headers()).status_code == 404

    serial = issue(client, ledger, tn).json["serial"]
    assert client.get(f"/api/v1/transcripts/{serial}.pdf", headers=me).status_code == 200   # their own
    assert client.get(f"/api/v1/transcripts/{serial}.pdf", headers=hr).status_code == 404
    assert client.get(f"/api/v1/transcripts/{serial}.pdf",
                      headers=ledger.headers("state_office", state="UT")).status_code == 404
    assert client.post(f"/api/v1/transcripts/{serial}/revoke", json={"reason": "x"}, headers=me).status_code == 403
    assert client.post(f"/api/v1/transcripts/{serial}/revoke", json={"reason": "x"}, headers=hr).status_code == 404
    listed = client.get(f"/api/v1/educators/{tn.id}/transcripts", headers=me).json
    assert [t["serial"] for t in listed] == [serial]
    assert client.get(f"/api/v1/transcripts/{serial}.pdf").status_code == 401


def test_a_state_office_issues_for_its_own_state_only(client, ledger):
    both = ledger.educator("TN", licenses=[
        {"type": "professional", "cycle_start": date(2020, 7, 1), "cycle_end": date(2025, 6, 30)},
        {"type": "professional", "state": "UT", "cycle_start": date(2022, 7, 1), "cycle_end": date(2027, 6, 30)}])
    ledger.session.commit()
    r = client.post(f"/api/v1/educators/{both.id}/transcripts", json={"state": "UT"},
                    headers=ledger.headers("state_office", state="TN"))  # a TN office asking for a UT transcript
    assert r.status_code == 403
    r = client.post(f"/api/v1/educators/{both.id}/transcripts", json={"state": "UT"},
                    headers=ledger.headers("state_office", state="UT"))
    assert r.status_code == 201


@pytest.mark.parametrize("body, field", [
    ({"state": "ZZ"}, "state"),                       # no rulebook
    ({"state": "UT"}, "state"),                       # no UT license
    ({"state": "TN", "as_of": "2999-01-01"}, "as_of"),  # beyond the allowed dates
    ({"state": "TN", "as_of": "2099-01-01"}, "as_of"),  # after today: a forecast, not a record
    ({"state": "TN", "as_of": "2024-02-30"}, "as_of"),
    ({"state": "Tennessee"}, "state"),
    ({}, "state"),
])
def test_bad_requests_name_the_field_and_issue_nothing(client, ledger, tn, session, body, field):
    r = client.post(f"/api/v1/educators/{tn.id}/transcripts", json=body, headers=ledger.headers())
    assert r.status_code == 422 and field in r.json["errors"], r.json
    assert session.scalar(sa.select(sa.func.count()).select_from(Transcript)) == 0


def test_a_transcript_on_29_february_shows_that_days_standing(client, ledger, tn, session):
    r = issue(client, ledger, tn, as_of="2024-02-29")
    row = session.scalar(sa.select(Transcript).where(Transcript.serial == r.json["serial"]))
    assert [e["earned_on"] for e in row.standing["entries"]][-1] == "2024-02-29"  # earned that day: counted
    day_before = issue(client, ledger, tn, as_of="2024-02-28")
    row2 = session.scalar(sa.select(Transcript).where(Transcript.serial == day_before.json["serial"]))
    assert "2024-02-29" not in [e["earned_on"] for e in row2.standing["entries"]]
    text = " ".join(text_of(row.pdf).split())
    assert "February 29, 2024" in text and "DP-LIT-01" in text
    assert "DP-LIT-01" not in " ".join(text_of(row2.pdf).split())


def test_a_voided_entry_is_not_on_the_transcript(client, ledger, tn):
    held = client.get(f"/api/v1/educators/{tn.id}/entries", headers=ledger.headers()).json
    (bb,) = [e for e in held if e.get("credential") == "BB-CM-01"]
    client.post(f"/api/v1/entries/{bb['id']}/void", json={"reason": "wrong person"}, headers=ledger.headers())
    serial = issue(client, ledger, tn).json["serial"]
    text = text_of(client.get(f"/api/v1/transcripts/{serial}.pdf", headers=ledger.headers()).data)
    assert "BB-CM-01" not in text and "DP-FA-01" in text


def test_names_print_as_text_never_as_markup(client, ledger):
    e = ledger.educator("TN", first_name='<img src="http://evil.example/x.png">', last_name="<b>O'Neil & Co</b>")
    ledger.session.commit()
    serial = issue(client, ledger, e).json["serial"]
    text = " ".join(text_of(client.get(f"/api/v1/transcripts/{serial}.pdf", headers=ledger.headers()).data).split())
    assert "<b>O'Neil & Co</b>" in text and '<img src="http://evil.example/x.png">' in text
    page = client.get(f"/verify/{serial}").get_data(as_text=True)
    assert "&lt;b&gt;O&#39;Neil &amp; Co&lt;/b&gt;" in page and "<b>O'Neil" not in page


def test_the_machine_readable_transcript_is_a_signed_clr_anyone_can_check(client, ledger):
    r = client.post("/api/v1/rulebooks", json=UT_CARDS, headers=ledger.headers())
    assert r.status_code == 201
    e = ledger.educator("UT", district="JUAB", licenses=[
        {"type": "professional", "cycle_start": date(2022, 7, 1), "cycle_end": date(2027, 6, 30)}])
    for code, day in [("DP-FA-01", date(2023, 1, 10)), ("DP-FA-02", date(2023, 2, 1)),
                      ("DP-LIT-01", date(2023, 3, 1)), ("DP-LIT-02", date(2023, 4, 1)),  # awarded 2023-04-01
                      ("NEA-SE-01", date(2023, 5, 1)), ("BB-LD-01", date(2024, 1, 1)),   # period 1: 2 of 2
                      ("NEA-TL-01", date(2026, 5, 1))]:                                   # period 2: 1 of 1
        ledger.record(e, code, day)
    ledger.session.commit()
    body = client.post(f"/api/v1/educators/{e.id}/transcripts", json={"state": "UT"}, headers=ledger.headers()).json
    got = client.get(body["clr"].removeprefix("https://ledger.example"), headers=ledger.headers()).json

    key = client.get("/api/v1/keys/UT").json  # public: no token
    assert key["kty"] == "OKP" and key["crv"] == "Ed25519" and key["kid"] == got["kid"]
    assert key in client.get("/api/v1/keys").json["keys"]
    vc = clr_module.verify(got["jwt"], key)   # offline, with the public key alone
    assert jwt.get_unverified_header(got["jwt"])["alg"] == "EdDSA"
    assert vc["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = vc["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    badges = subject["verifiableCredential"]
    assert len(badges) == 7 and all(b["type"] == ["VerifiableCredential", "OpenBadgeCredential"] for b in badges)
    assert {b["credentialSubject"]["achievement"]["humanCode"] for b in badges} == {
        "DP-FA-01", "DP-FA-02", "DP-LIT-01", "DP-LIT-02", "NEA-SE-01", "BB-LD-01", "NEA-TL-01"}
    assert all(b["credentialSubject"]["licenseNumber"] == e.license_number for b in badges)
    (teacher_leader,) = [a for a in subject["achievement"] if a["humanCode"] == "JUAB-TL"]
    children = {a["sourceId"] for a in subject["association"]
                if a["associationType"] == "isChildOf" and a["targetId"] == teacher_leader["id"]}
    fa01 = "https://example.org/badges/fa-01"  # the catalog's badge id is the achievement id
    assert fa01 in children and len(children) == 4   # core 2 + electives 2 that counted
    assert body["sha256"] in str(vc["evidence"])

    # a changed payload or another state's key fails
    head, payload, sig = got["jwt"].split(".")
    forged = ".".join([head, payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB"), sig])
    with pytest.raises(jwt.InvalidTokenError):
        clr_module.verify(forged, key)
    client.post("/api/v1/rulebooks", json=deepcopy(samples.TN), headers=ledger.headers())
    tn_educator = ledger.educator("TN")
    ledger.session.commit()
    client.post(f"/api/v1/educators/{tn_educator.id}/transcripts", json={"state": "TN"}, headers=ledger.headers())
    with pytest.raises(jwt.InvalidSignatureError):
        clr_module.verify(got["jwt"], client.get("/api/v1/keys/TN").json)


def test_keys_of_unknown_states_are_not_found(client, ledger):
    for state in ("ZZ", "T1", "TNN", "%00"):
        r = client.get(f"/api/v1/keys/{state}")
        assert r.status_code == 404 and r.is_json


def test_the_unofficial_transcript_is_marked_and_recorded_nowhere(client, ledger, tn, session):
    me = ledger.headers("educator", educator=tn.id)
    r = client.get(f"/api/v1/educators/{tn.id}/transcript.pdf", headers=me)
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = " ".join(text_of(r.data).split())
    assert "Unofficial Transcript" in text and "not valid for verification" in text and "Grace Hopper" in text
    assert "Serial" not in text and "/verify/" not in text
    assert session.scalar(sa.select(sa.func.count()).select_from(Transcript)) == 0
    other = ledger.educator("TN")
    ledger.session.commit()
    assert client.get(f"/api/v1/educators/{other.id}/transcript.pdf", headers=me).status_code == 404
    hr = client.get(f"/api/v1/educators/{tn.id}/transcript.pdf", headers=ledger.headers(), query_string={"state": "ZZ"})
    assert hr.status_code == 422 and "state" in hr.json["errors"]


def test_the_verify_api_tells_whether_a_file_is_the_one_issued(client, ledger, tn):
    body = issue(client, ledger, tn).json
    pdf = client.get(f"/api/v1/transcripts/{body['serial']}.pdf", headers=ledger.headers()).data
    same = client.post(f"/api/v1/verify/{body['serial']}", data=pdf, content_type="application/pdf")
    assert same.status_code == 200 and same.json["matches"] is True and same.json["valid"] is True
    altered = pdf + b"%"
    other = client.post(f"/api/v1/verify/{body['serial']}", data=altered, content_type="application/pdf")
    assert other.json["matches"] is False and other.json["file_sha256"] != body["sha256"]
    none = client.post("/api/v1/verify/TN-2026-0000-0000-0000", data=pdf, content_type="application/pdf")
    assert none.status_code == 404 and none.json["matches"] is False


def _csrf(client, path):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_verify_page_answers_anyone_and_checks_a_dropped_pdf(client, ledger, tn):
    import io

    body = issue(client, ledger, tn).json
    pdf = client.get(f"/api/v1/transcripts/{body['serial']}.pdf", headers=ledger.headers()).data
    page = client.get(f"/verify/{body['serial']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Valid" in html and "Grace Hopper" in html and "TN-0042" in html
    assert body["sha256"] in html and "grace@example.org" not in html

    token = _csrf(client, f"/verify/{body['serial']}")
    same = client.post(f"/verify/{body['serial']}", data={"csrf_token": token, "pdf": (io.BytesIO(pdf), "mine.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "is exactly the PDF that was issued" in same
    changed = client.post(f"/verify/{body['serial']}", content_type="multipart/form-data",
                          data={"csrf_token": token, "pdf": (io.BytesIO(pdf + b"\n"), "edited.pdf")}).get_data(as_text=True)
    assert "is not the PDF that was issued" in changed

    # no serial at hand: the file alone finds its transcript
    token = _csrf(client, "/verify")
    found = client.post("/verify", data={"csrf_token": token, "pdf": (io.BytesIO(pdf), "t.pdf")},
                        content_type="multipart/form-data")
    assert found.status_code == 200 and body["serial"] in found.get_data(as_text=True)
    assert client.post("/verify", data={"pdf": (io.BytesIO(pdf), "t.pdf")},
                       content_type="multipart/form-data").status_code == 400  # no CSRF token

    missing = client.get("/verify/TN-2026-0000-0000-0000")
    assert missing.status_code == 404 and "Not valid" in missing.get_data(as_text=True)
    client.post(f"/api/v1/transcripts/{body['serial']}/revoke", json={"reason": "r"}, headers=ledger.headers())
    assert "Revoked" in client.get(f"/verify/{body['serial']}").get_data(as_text=True)
    assert client.get("/verify", query_string={"serial": body["serial"]}).status_code == 200


def test_the_cli_prints_and_revokes(runner, ledger, tn, tmp_path, session):
    out = tmp_path / "t.pdf"
    r = runner.invoke(args=["ledger", "print-transcript", "TN-0042", "--state", "TN", "--as-of", "2025-01-31",
                            "--out", str(out)])
    assert r.exit_code == 0, r.output
    serial = re.search(r"issued (\S+)", r.output).group(1)
    digest = re.search(r"sha256 ([0-9a-f]{64})", r.output).group(1)
    assert hashlib.sha256(out.read_bytes()).hexdigest() == digest
    row = session.scalar(sa.select(Transcript).where(Transcript.serial == serial))
    assert row.issued_by.startswith("cli:") and row.as_of == date(2025, 1, 31)
    r = runner.invoke(args=["ledger", "revoke-transcript", serial, "--reason", "reprinted"])
    assert r.exit_code == 0 and f"revoked {serial}" in r.output
    r = runner.invoke(args=["ledger", "print-transcript", "NOBODY"])
    assert r.exit_code == 1 and "no single educator" in r.output and "Traceback" not in r.output
    unofficial = tmp_path / "u.pdf"
    r = runner.invoke(args=["ledger", "print-transcript", str(tn.id), "--unofficial", "--out", str(unofficial)])
    assert r.exit_code == 0 and "Unofficial Transcript" in text_of(unofficial.read_bytes())
