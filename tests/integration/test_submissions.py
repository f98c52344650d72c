"""Section 7 rule by rule: who submits, who decides, what a pending or rejected
submission counts (nothing), what approving records, and the evidence files kept with
them (checked by content, served only in scope)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import struct
import zlib

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from ledger.models import ReceivedCredential, db

API = "/api/v1"
MC = {"kind": "microcredential", "credential": "DP-FA-01", "earned_on": "2022-03-01"}


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(extra: bytes = b"", width: int = 4, height: int = 4) -> bytes:
    raw = b"".join(b"\x00" + b"\x20\x60\xc0" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + extra
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def baked_png(text: str) -> bytes:
    """A PNG baked as Open Badges does it: an iTXt chunk keyed `openbadges`, uncompressed."""
    return png(chunk(b"iTXt", b"openbadges\x00\x00\x00\x00\x00" + text.encode()))


def pdf(body: bytes = b"") -> bytes:
    return b"%PDF-1.4\n" + body + b"1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def assertion(recipient: str | None = None, badge_id="https://example.org/badges/fa-01", name="Formative Assessment"):
    doc = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "urn:uuid:assert-1",
           "issuedOn": "2022-05-02T10:00:00Z",
           "badge": {"id": badge_id, "type": "BadgeClass", "name": name,
                     "issuer": {"id": "https://issuer.example", "name": "Issuer"}}}
    if recipient:
        doc["recipient"] = {"type": "email", "hashed": False, "identity": recipient}
    return doc


def submit(client, headers, educator_id, data=None, **files):
    if not files:
        return client.post(f"{API}/educators/{educator_id}/submissions", json=data, headers=headers)
    form = {k: FileStorage(io.BytesIO(v[0]), filename=v[1]) for k, v in files.items()}
    if data is not None:
        form["data"] = json.dumps(data)
    # encoded here, in memory: the test client would spool a large body to a file it never closes
    boundary, body = encode_multipart(form)
    return client.post(f"{API}/educators/{educator_id}/submissions", data=body, headers=headers,
                       content_type=f"multipart/form-data; boundary={boundary}")


def earned(client, headers, educator_id) -> float:
    r = client.get(f"{API}/educators/{educator_id}/standing?as_of=2024-01-01", headers=headers)
    assert r.status_code == 200, r.json
    return r.json["renewal"][0]["earned_units"]


@pytest.fixture
def juab(ledger):
    """A Utah teacher employed by Juab, with tokens for them, Juab HR and the Utah office."""
    class World:
        teacher = ledger.educator("UT", district="JUAB", email="ada@juab.example")
        other = ledger.educator("UT", district="JUAB")
        me = ledger.headers("educator", educator=teacher.id)
        hr = ledger.headers("district_hr", district="JUAB")
        state = ledger.headers("state_office", state="UT")
        tn_office = ledger.headers("state_office", state="TN")
        admin = ledger.headers()
    return World


def test_an_educator_submits_for_themselves_and_it_counts_nowhere_until_approved(client, juab):
    before = earned(client, juab.admin, juab.teacher.id)
    r = submit(client, juab.me, juab.teacher.id, MC)
    assert r.status_code == 201, r.json
    assert (r.json["status"], r.json["credential"], r.json["entry_id"]) == ("pending", "DP-FA-01", None)
    assert earned(client, juab.admin, juab.teacher.id) == before  # pending: no units
    salary = client.get(f"{API}/educators/{juab.teacher.id}/standing", headers=juab.admin).json["salary"]
    assert salary["microcredentials"] == 0
    approved = client.post(f"{API}/submissions/{r.json['id']}/approve", json={}, headers=juab.hr)
    assert approved.status_code == 201, approved.json
    assert approved.json["credential"] == "DP-FA-01" and approved.json["recorded_by"].startswith("token:")
    assert earned(client, juab.admin, juab.teacher.id) == before + 7.5  # the bar moves
    got = client.get(f"{API}/submissions/{r.json['id']}", headers=juab.me).json
    assert (got["status"], got["entry_id"]) == ("approved", approved.json["id"])
    assert got["decided_by"].startswith("token:") and got["decided_at"]


def test_an_educator_cannot_submit_for_another_nor_decide_their_own(client, juab):
    assert submit(client, juab.me, juab.other.id, MC).status_code == 404
    sid = submit(client, juab.me, juab.teacher.id, MC).json["id"]
    assert client.post(f"{API}/submissions/{sid}/approve", json={}, headers=juab.me).status_code == 403
    assert client.post(f"{API}/submissions/{sid}/reject", json={"reason": "no"}, headers=juab.me).status_code == 403
    assert client.get(f"{API}/submissions/{sid}", headers=juab.me).json["status"] == "pending"


def test_hr_and_the_state_office_submit_for_anyone_in_their_scope_only(client, juab, ledger):
    assert submit(client, juab.hr, juab.other.id, MC).status_code == 201
    assert submit(client, juab.state, juab.other.id, {**MC, "credential": "DP-FA-02"}).status_code == 201
    tn = ledger.educator("TN")
    assert submit(client, juab.hr, tn.id, MC).status_code == 404
    assert submit(client, juab.state, tn.id, MC).status_code == 404


def test_hr_cannot_decide_outside_its_district_nor_another_states_office(client, juab, ledger, session):
    from ledger.models import District, State

    ut = session.scalar(sa.select(State.id).where(State.code == "UT"))
    session.add(District(code="ALPINE", name="Alpine", state_id=ut))
    session.commit()
    alpine = ledger.headers("district_hr", district="ALPINE")
    sid = submit(client, juab.me, juab.teacher.id, MC).json["id"]
    assert client.post(f"{API}/submissions/{sid}/approve", json={}, headers=alpine).status_code == 404
    assert client.post(f"{API}/submissions/{sid}/reject", json={"reason": "x"}, headers=juab.tn_office).status_code == 404
    assert client.get(f"{API}/submissions", headers=alpine).json == []
    assert client.post(f"{API}/submissions/{sid}/approve", json={}, headers=juab.state).status_code == 201


def test_deciding_twice_is_a_conflict(client, juab):
    a = submit(client, juab.me, juab.teacher.id, MC).json["id"]
    b = submit(client, juab.me, juab.teacher.id, {**MC, "credential": "DP-FA-02"}).json["id"]
    assert client.post(f"{API}/submissions/{a}/approve", json={}, headers=juab.hr).status_code == 201
    again = client.post(f"{API}/submissions/{a}/approve", json={}, headers=juab.state)
    assert again.status_code == 409 and "already approved" in again.json["message"]
    assert client.post(f"{API}/submissions/{a}/reject", json={"reason": "x"}, headers=juab.hr).status_code == 409
    assert client.post(f"{API}/submissions/{b}/reject", json={"reason": "no certificate"}, headers=juab.hr).status_code == 200
    assert client.post(f"{API}/submissions/{b}/approve", json={}, headers=juab.hr).status_code == 409


def test_a_rejected_submission_counts_nowhere_and_its_reason_is_the_educators_to_read(client, juab, session):
    from ledger.models import AuditEvent

    before = earned(client, juab.admin, juab.teacher.id)
    sid = submit(client, juab.me, juab.teacher.id, {"kind": "activity", "title": "Summer institute",
                                                    "hours": 12, "earned_on": "2022-06-01"}).json["id"]
    r = client.post(f"{API}/submissions/{sid}/reject", json={"reason": "The certificate is unsigned."},
                    headers=juab.hr)
    assert (r.status_code, r.json["status"], r.json["reason"]) == (200, "rejected", "The certificate is unsigned.")
    mine = client.get(f"{API}/submissions?status=rejected", headers=juab.me).json
    assert [(s["id"], s["reason"]) for s in mine] == [(sid, "The certificate is unsigned.")]
    assert earned(client, juab.admin, juab.teacher.id) == before
    actions = session.scalars(sa.select(AuditEvent.action).where(AuditEvent.record_type == "submission",
                                                                  AuditEvent.record_id == str(sid))).all()
    assert sorted(actions) == ["reject_submission", "submit"]
    assert client.post(f"{API}/submissions/{sid}/reject", json={"reason": "  "}, headers=juab.hr).status_code == 422


@pytest.mark.parametrize("reason", ["  ", "\f\u000b\t\n\f \n\u001f", "\u3000\u00a0", "two\nlines", "a\u202eb"])
def test_a_rejection_reason_blank_or_unprintable_is_refused_before_anything_is_decided(client, juab, reason):
    import re

    from ledger.fields import WORDS

    sid = submit(client, juab.me, juab.teacher.id, MC).json["id"]
    r = client.post(f"{API}/submissions/{sid}/reject", json={"reason": reason}, headers=juab.hr)
    assert r.status_code == 422 and "reason" in r.json["errors"], r.json
    assert client.get(f"{API}/submissions/{sid}", headers=juab.hr).json["status"] == "pending"
    # the document states the same rule (the long fuzz found a reason it called valid refused)
    doc = client.get("/api/v1/openapi.json").json
    stated = doc["components"]["schemas"]["RejectIn"]["properties"]["reason"]["pattern"]
    assert stated == WORDS and re.search(stated, reason) is None


def test_approving_answers_409_as_recording_would_and_leaves_the_submission_pending(client, juab, ledger):
    ledger.record(juab.teacher, "DP-FA-01")
    sid = submit(client, juab.me, juab.teacher.id, MC).json["id"]
    r = client.post(f"{API}/submissions/{sid}/approve", json={}, headers=juab.hr)
    assert r.status_code == 409 and r.json["errors"]["credential"][0].startswith("already held")
    assert client.get(f"{API}/submissions/{sid}", headers=juab.hr).json["status"] == "pending"


def test_an_activity_in_a_measure_is_recorded_in_it(client, juab, ledger):
    tn = ledger.educator("TN")
    office = ledger.headers("state_office", state="TN")
    sid = submit(client, office, tn.id, {"kind": "activity", "title": "Graduate course", "amount": 3,
                                         "measure": "semester_hour", "earned_on": "2022-01-10"}).json["id"]
    entry = client.post(f"{API}/submissions/{sid}/approve", json={}, headers=office).json
    assert (entry["amount"], entry["measure"], entry["hours"]) == (3.0, "semester_hour", None)


def test_the_queue_is_in_scope_oldest_first_and_paginated(client, juab):
    ids = [submit(client, juab.me, juab.teacher.id, {**MC, "credential": c}).json["id"]
           for c in ("DP-FA-01", "DP-FA-02", "DP-LIT-01")]
    r = client.get(f"{API}/submissions?status=pending&page_size=2", headers=juab.hr)
    assert [s["id"] for s in r.json] == ids[:2] and r.headers["X-Total-Count"] == "3"
    assert [s["id"] for s in client.get(f"{API}/submissions?status=pending&page=2&page_size=2",
                                        headers=juab.hr).json] == ids[2:]
    assert client.get(f"{API}/submissions?status=maybe", headers=juab.hr).status_code == 422


def test_evidence_is_kept_with_its_sha256_and_size_and_served_only_in_scope(client, juab, ledger):
    data = pdf(b"% a certificate\n")
    r = submit(client, juab.me, juab.teacher.id, MC, evidence=(data, "certificate.pdf"))
    assert r.status_code == 201, r.json
    sid = r.json["id"]
    got = client.get(f"{API}/submissions/{sid}", headers=juab.hr).json["evidence"]
    assert (got["sha256"], got["size"], got["content_type"]) == (hashlib.sha256(data).hexdigest(), len(data),
                                                                 "application/pdf")
    f = client.get(f"{API}/submissions/{sid}/evidence", headers=juab.hr)
    assert f.status_code == 200 and f.data == data and f.mimetype == "application/pdf"
    assert f.headers["X-Content-Type-Options"] == "nosniff"
    assert f.headers["Content-Disposition"].startswith("inline") and "certificate.pdf" in f.headers["Content-Disposition"]
    assert "default-src 'none'" in f.headers["Content-Security-Policy"]
    assert client.get(f"{API}/submissions/{sid}/evidence", headers=ledger.headers("state_office", state="TN")
                      ).status_code == 404
    entry = client.post(f"{API}/submissions/{sid}/approve", json={}, headers=juab.hr).json
    kept = client.get(f"{API}/entries/{entry['id']}/evidence", headers=juab.me)
    assert kept.status_code == 200 and kept.data == data  # the entry keeps its evidence


@pytest.mark.parametrize("name, data, why", [
    ("certificate.png", pdf(), "is a PDF but its name ends in .png"),
    ("big.pdf", pdf(b"%" + b"x" * (10 * 1024 * 1024 - len(pdf()) - 1) + b"\n"), "larger than the 10 MB"),
    ("polyglot.png", png() + b"<html><script>alert(1)</script></html>", "bytes after its end"),
    ("inside.png", png(chunk(b"tEXt", b"Comment\x00<script>alert(1)</script>")), "also holds HTML or script"),
    ("html-first.pdf", b"<html><body>hi</body></html>\n" + pdf(), "is an HTML page"),
    ("page.html", b"<!doctype html><html><script>alert(1)</script></html>", "is an HTML page, not a PDF, PNG or JPEG"),
    ("script.pdf", pdf(b"2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n"), "actions a viewer would run"),
])
def test_evidence_files_are_judged_by_their_content_and_refused_naming_why(client, juab, session, name, data, why):
    from ledger.models import Submission

    r = submit(client, juab.me, juab.teacher.id, MC, evidence=(data, name))
    assert r.status_code == 422, r.json
    assert why in r.json["errors"]["evidence"][0] and name in r.json["message"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Submission)) == 0


def test_exactly_10_mb_is_taken(client, juab):
    filler = 10 * 1024 * 1024 - len(pdf()) - 2
    r = submit(client, juab.me, juab.teacher.id, MC, evidence=(pdf(b"%" + b"x" * filler + b"\n"), "big.pdf"))
    assert r.status_code == 201 and r.json["evidence"]["size"] == 10 * 1024 * 1024


def test_a_baked_png_badge_says_what_and_when_and_is_its_own_evidence(client, juab):
    badge = baked_png(json.dumps(assertion("ada@juab.example")))
    r = submit(client, juab.me, juab.teacher.id, badge=(badge, "badge.png"))
    assert r.status_code == 201, r.json
    assert (r.json["credential"], r.json["earned_on"], r.json["external_id"]) == ("DP-FA-01", "2022-05-02",
                                                                                 "urn:uuid:assert-1")
    assert r.json["badge"]["signature"] == "unverifiable"  # no key registered for its issuer, nothing fetched
    assert r.json["evidence"]["sha256"] == hashlib.sha256(badge).hexdigest()
    entry = client.post(f"{API}/submissions/{r.json['id']}/approve", json={}, headers=juab.hr).json
    assert (entry["credential"], entry["external_id"]) == ("DP-FA-01", "urn:uuid:assert-1")
    # the approved entry keeps the credential as received and how it was verified, as an import does
    assert (entry["verification"], entry["verification_detail"]) == ("unverifiable", r.json["badge"]["signature_detail"])
    kept = db.session.scalar(sa.select(ReceivedCredential).where(ReceivedCredential.entry_id == entry["id"]))
    assert (kept.format, json.loads(kept.original)) == ("ob2-json", assertion("ada@juab.example"))


def test_a_badge_new_to_the_catalog_joins_it_unreviewed_on_approval(client, juab):
    doc = assertion("ada@juab.example", badge_id="https://new.example/badge/9", name="Brand new")
    r = submit(client, juab.me, juab.teacher.id, badge=(json.dumps(doc).encode(), "badge.json"))
    assert r.status_code == 201 and r.json["credential"] is None and r.json["badge"]["name"] == "Brand new"
    entry = client.post(f"{API}/submissions/{r.json['id']}/approve", json={}, headers=juab.hr).json
    code = "OB-" + hashlib.sha256(b"https://new.example/badge/9").hexdigest()[:12].upper()
    assert entry["credential"] == code
    assert client.get(f"{API}/educators/{juab.teacher.id}/standing?as_of=2024-01-01", headers=juab.hr
                      ).json["entries"][0]["reason"] == "not_reviewed"


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_a_vc_jwt_and_a_baked_svg_are_read_too(client, juab):
    credential = {"type": ["VerifiableCredential", "OpenBadgeCredential"], "id": "urn:uuid:cred-7",
                  "@context": ["https://www.w3.org/2018/credentials/v1",
                               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                  "issuer": {"id": "https://issuer.example", "type": ["Profile"]},
                  "validFrom": "2023-01-05T00:00:00Z",
                  "credentialSubject": {"type": ["AchievementSubject"], "licenseNumber": juab.teacher.license_number,
                                        "achievement": {"id": "https://example.org/badges/fa-01", "name": "FA",
                                                        "type": ["Achievement"],
                                                        "creator": {"id": "https://issuer.example",
                                                                    "type": ["Profile"]}}}}
    jwt = f"{b64({'alg': 'EdDSA'})}.{b64({'vc': credential, 'iss': 'https://issuer.example'})}.c2ln"
    r = submit(client, juab.me, juab.teacher.id, badge=(jwt.encode(), "badge.jwt"))
    assert (r.status_code, r.json["credential"], r.json["earned_on"]) == (201, "DP-FA-01", "2023-01-05"), r.json
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
           f'<openbadges:credential><![CDATA[{json.dumps({**credential, "id": "urn:uuid:cred-8"})}]]>'
           '</openbadges:credential><circle r="4"/></svg>')
    r = submit(client, juab.me, juab.teacher.id, badge=(svg.encode(), "badge.svg"))
    assert (r.status_code, r.json["external_id"], r.json["evidence"]) == (201, "urn:uuid:cred-8", None), r.json


def test_a_badge_issued_to_someone_else_or_unreadable_is_refused_naming_why(client, juab):
    r = submit(client, juab.me, juab.teacher.id, badge=(baked_png(json.dumps(assertion("bob@x.example"))), "b.png"))
    assert r.status_code == 422 and "issued to someone else" in r.json["errors"]["badge"][0]
    r = submit(client, juab.me, juab.teacher.id, badge=(png(), "plain.png"))
    assert r.status_code == 422 and "without an Open Badges bake" in r.json["errors"]["badge"][0]
    r = submit(client, juab.me, juab.teacher.id, badge=(baked_png("https://issuer.example/a/1"), "hosted.png"))
    assert r.status_code == 422 and "hosted badge" in r.json["errors"]["badge"][0]
    r = submit(client, juab.me, juab.teacher.id, {**MC}, badge=(baked_png(json.dumps(assertion())), "b.png"))
    assert r.status_code == 422 and r.json["errors"]["credential"] == ["not with a badge file (the badge says it)"]


def test_bad_bodies_name_the_field_and_change_nothing(client, juab):
    r = client.post(f"{API}/educators/{juab.teacher.id}/submissions", data="x", headers={**juab.me,
                                                                                         "Content-Type": "text/plain"})
    assert r.status_code == 400
    assert submit(client, juab.me, juab.teacher.id, {**MC, "credential": "NOPE-1"}).json["errors"] == {
        "credential": ["'NOPE-1' is not in the catalog"]}
    assert "external_id" in submit(client, juab.me, juab.teacher.id, {**MC, "external_id": "x"}).json["errors"]
    r = client.post(f"{API}/educators/{juab.teacher.id}/submissions", data={"data": "{not json"},
                    headers=juab.me, content_type="multipart/form-data")
    assert (r.status_code, r.json["errors"]) == (422, {"data": ["not valid JSON"]})
    r = client.post(f"{API}/educators/{juab.teacher.id}/submissions", data={"data": json.dumps(MC),
                    "other": (io.BytesIO(b"x"), "x.pdf")}, headers=juab.me, content_type="multipart/form-data")
    assert r.status_code == 422 and "other" in r.json["errors"]
    # found by the fuzz: parts with no name and a name werkzeug reads as None (a 500 once)
    boundary = "46d2ebf2cb2518e0dffeb839f2f1972c"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name=""\r\n\r\nnull\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="\\"\r\n\r\nnull\r\n--{boundary}--\r\n')
    r = client.post(f"{API}/educators/{juab.teacher.id}/submissions", data=body.encode(), headers=juab.me,
                    content_type=f"multipart/form-data; boundary={boundary}")
    assert r.status_code == 422, r.get_data(as_text=True)
    assert "not a part this call takes" in r.json["message"]
    r = client.post(f"{API}/educators/{juab.teacher.id}/submissions", data={"\x00bad": "x"}, headers=juab.me,
                    content_type="multipart/form-data")
    assert r.status_code in (400, 422) and "\x00" not in json.dumps(r.json)


def test_pending_lists_what_waits_in_a_scope_for_the_reminders(app, client, juab, ledger):
    from ledger.access.principals import DISTRICT_HR, Principal
    from ledger.models import District, db
    from ledger.submissions import service

    sid = submit(client, juab.me, juab.teacher.id, MC).json["id"]
    juab_id = db.session.scalar(sa.select(District.id).where(District.code == "JUAB"))
    hr = Principal(DISTRICT_HR, "reminders", district_id=juab_id)
    assert [s.id for s in service.pending(db.session, hr)] == [sid]
    seen = []
    service.ON_DECIDED.append(lambda session, sub: seen.append((sub.id, sub.status)))
    try:
        client.post(f"{API}/submissions/{sid}/reject", json={"reason": "x"}, headers=juab.hr)
    finally:
        service.ON_DECIDED.pop()
    assert seen == [(sid, "rejected")] and service.pending(db.session, hr) == []


def test_an_approved_entry_links_its_evidence_on_the_educators_page_in_scope(client, juab, ledger, web_user):
    import re
    from datetime import date

    from tests.conftest import csrf_token

    data = {"kind": "activity", "title": "Lesson study", "hours": 3, "earned_on": "2023-02-01"}
    sid = submit(client, juab.me, juab.teacher.id, data, evidence=(pdf(), "certificate.pdf")).json["id"]
    assert client.post(f"{API}/submissions/{sid}/approve", json={}, headers=juab.hr).status_code == 201
    linked = ledger.record(juab.teacher, title="Webinar", hours=1, earned_on=date(2023, 3, 1),
                           evidence_url="https://example.org/webinar-certificate")
    web_user("district_hr", district="JUAB")
    page = client.get(f"/educators/{juab.teacher.id}").get_data(as_text=True)
    links = re.findall(r'<a class="small" href="([^"]+)" rel="noopener noreferrer" data-testid="entry-evidence">([^<]+)</a>',
                       page)
    assert (f"/submissions/{sid}/evidence", "evidence file") in links
    assert ("https://example.org/webinar-certificate", "evidence link") in links and linked
    served = client.get(f"/submissions/{sid}/evidence")
    assert served.status_code == 200 and served.data.startswith(b"%PDF")
    client.post("/logout", data={"csrf_token": csrf_token(client, f"/educators/{juab.teacher.id}")})
    web_user("state_office", state="TN")
    assert client.get(f"/submissions/{sid}/evidence").status_code == 404  # another state's office: out of scope
