"""Imports: POST /api/v1/imports and `flask --app wsgi ledger import FILE`
(CONTRACT.md section 4, "Imports"; section 5 for who may import whom).

CSV and Open Badges (2.0 assertions, 3.0 credentials; one, a list or JSON Lines), all or
nothing by default, `partial=1` keeping the good rows, `dry_run=1` writing nothing; an
`external_id` recorded at most once; every bad row reported with its number (from 1),
its field and a message a clerk understands.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from ledger.models import AuditEvent, Credential, Entry, Holding, Issuer, db

API = "/api/v1/imports"
ROOT = Path(__file__).resolve().parents[2]

LICENSE = "TN-1001"
EMAIL = "ada.teacher@example.org"
FA01_BADGE = "https://example.org/badges/fa-01"  # DP-FA-01 in the sample catalog
HEADER = "license_number,state,earned_on,credential,title,hours,tags,external_id"


# -- helpers

def csv_of(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def post_csv(client, headers, body, **query):
    data = body.encode() if isinstance(body, str) else body
    return client.post(API, query_string={"format": "csv", **query}, data=data,
                       headers={**headers, "Content-Type": "text/csv"})


def post_badges(client, headers, docs, **query):
    data = docs if isinstance(docs, (str, bytes)) else json.dumps(docs)
    return client.post(API, query_string={"format": "openbadges", **query}, data=data,
                       headers={**headers, "Content-Type": "application/json"})


def count(model, *where) -> int:
    db.session.rollback()  # see what is committed now, not an older snapshot
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def ledger_counts() -> dict[str, int]:
    return {m.__tablename__: count(m) for m in (Entry, Holding, AuditEvent, Credential, Issuer)}


def entries() -> list[Entry]:
    db.session.rollback()
    return db.session.scalars(sa.select(Entry).order_by(Entry.id)).all()


def code_of(credential_id: int) -> str:
    return db.session.scalar(sa.select(Credential.code).where(Credential.id == credential_id))


def hashed(email: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((email + salt).encode()).hexdigest()


def assertion(id_="https://badges.example.org/assertions/1", email=EMAIL, salt="abc", issued="2024-03-01T00:00:00Z",
              badge_id=FA01_BADGE, badge_name="Formative Assessment", **extra) -> dict:
    recipient = ({"type": "email", "hashed": True, "salt": salt, "identity": hashed(email, salt)} if salt is not None
                 else {"type": "email", "hashed": False, "identity": email})
    return {
        "@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": id_,
        "recipient": recipient, "issuedOn": issued,
        "badge": {"type": "BadgeClass", "id": badge_id, "name": badge_name,
                  "issuer": {"id": "https://issuer.example.org", "name": "Example Issuer"}},
        **extra,
    }


def credential(id_="urn:uuid:7f1c2a52-0000-4000-8000-000000000001", license_number=LICENSE,
               valid_from="2024-03-01T00:00:00Z", achievement_id=FA01_BADGE, identifier=None) -> dict:
    subject = {"type": ["AchievementSubject"],
               "achievement": {"id": achievement_id, "name": "Formative Assessment", "type": ["Achievement"]}}
    if identifier is not None:
        subject["identifier"] = identifier
    else:
        subject["licenseNumber"] = license_number
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"], "id": id_,
        "issuer": {"id": "https://issuer.example.org", "type": ["Profile"], "name": "Example Issuer"},
        "validFrom": valid_from, "credentialSubject": subject,
    }


@pytest.fixture
def admin(ledger):
    return ledger.headers()


@pytest.fixture
def teacher(ledger):
    return ledger.educator("TN", license_number=LICENSE, email=EMAIL)


# -- CSV

def test_a_csv_records_microcredentials_and_activities_with_every_field(client, admin, teacher):
    body = csv_of(
        f"DP-FA-01,{LICENSE},tn,2023-03-01,https://ev.example.org/1,,,,,ext-1",
        f",{LICENSE},TN,2023-04-02,,Summer literacy institute,12.5,Literacy; reading ,activity,ext-2",
        header="credential,license_number,state,earned_on,evidence_url,title,hours,tags,kind,external_id",
    )
    r = post_csv(client, admin, body)
    assert r.status_code == 200, r.json
    assert (r.json["accepted"], r.json["duplicates"], r.json["rejected"], r.json["errors"]) == (2, 0, 0, [])
    assert r.json["recorded"] is True
    mc, act = entries()
    assert (mc.educator_id, mc.kind, code_of(mc.credential_id), mc.earned_on, mc.evidence_url, mc.external_id) == (
        teacher.id, "microcredential", "DP-FA-01", date(2023, 3, 1), "https://ev.example.org/1", "ext-1")
    assert (act.kind, act.title, float(act.hours), act.tags, act.earned_on, act.external_id) == (
        "activity", "Summer literacy institute", 12.5, ["literacy", "reading"], date(2023, 4, 2), "ext-2")
    assert count(Holding) == 1
    assert count(AuditEvent, AuditEvent.action == "import") == 1


def test_rows_are_numbered_from_one_and_every_bad_row_is_named_with_its_field(client, admin, teacher):
    body = csv_of(
        f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,",
        f"{LICENSE},TN,2023-02-30,DP-FA-02,,,,",
        f"{LICENSE},TN,2023-03-01,DP-NOPE-99,,,,",
        "TN-0000,TN,2023-03-01,DP-LIT-01,,,,",
        f"{LICENSE},TN,2023-03-01,,Workshop,-3,,",
    )
    r = post_csv(client, admin, body)
    assert r.status_code == 422
    assert (r.json["accepted"], r.json["rejected"], r.json["recorded"]) == (1, 4, False)
    assert [(e["row"], e["field"]) for e in r.json["errors"]] == [
        (2, "earned_on"), (3, "credential"), (4, "license_number"), (5, "hours")]
    messages = [e["message"] for e in r.json["errors"]]
    assert "'2023-02-30' is not a date" in messages[0]
    assert "'DP-NOPE-99' is not in the catalog" in messages[1]
    assert "license number TN-0000 in TN matches no educator" in messages[2]
    assert "more than 0" in messages[3]


def test_a_blank_line_keeps_its_number_so_rows_match_the_spreadsheet(client, admin, teacher):
    body = csv_of(f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,", ",,,,,,,", f"{LICENSE},TN,2023-02-30,DP-FA-02,,,,")
    r = post_csv(client, admin, body)
    assert r.status_code == 422 and r.json["rows"] == 2
    assert [(e["row"], e["field"]) for e in r.json["errors"]] == [(3, "earned_on")]


def test_one_bad_row_records_nothing_by_default(client, admin, teacher):
    before = ledger_counts()
    body = csv_of(f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,a", f"{LICENSE},XX1,2023-03-01,DP-FA-02,,,,b")
    r = post_csv(client, admin, body)
    assert r.status_code == 422
    assert r.json["errors"] == [{"row": 2, "field": "state", "message": "'XX1' is not a two-letter state code"}]
    assert ledger_counts() == before


def test_partial_keeps_the_good_rows_and_reports_the_bad_ones(client, admin, teacher):
    body = csv_of(f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,a", f"{LICENSE},TN,someday,DP-FA-02,,,,b",
                  f"{LICENSE},TN,2023-03-05,DP-LIT-01,,,,c")
    r = post_csv(client, admin, body, partial=1)
    assert r.status_code == 200
    assert (r.json["accepted"], r.json["rejected"], r.json["recorded"]) == (2, 1, True)
    assert [(e["row"], e["field"]) for e in r.json["errors"]] == [(2, "earned_on")]
    assert [e.external_id for e in entries()] == ["a", "c"]


def test_a_dry_run_checks_every_row_as_the_real_run_would_and_writes_nothing(client, admin, teacher):
    body = csv_of(f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,a", f"{LICENSE},TN,2023-03-01,,Institute,6,,b",
                  f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,c")  # the same credential again: row 3 is a duplicate
    before = ledger_counts()
    dry = post_csv(client, admin, body, dry_run=1)
    assert dry.status_code == 200
    assert (dry.json["accepted"], dry.json["duplicates"], dry.json["recorded"]) == (2, 1, False)
    assert ledger_counts() == before
    real = post_csv(client, admin, body)
    assert (real.json["accepted"], real.json["duplicates"], real.json["recorded"]) == (2, 1, True)
    assert count(Entry) == 2
    again = post_csv(client, admin, body)  # every row already there: nothing written, and it says so
    assert (again.status_code, again.json["accepted"], again.json["duplicates"], again.json["recorded"]) == (
        200, 0, 3, False)
    assert count(Entry) == 2


def test_a_dry_run_with_bad_rows_answers_422_with_the_report(client, admin, teacher):
    r = post_csv(client, admin, csv_of(f"{LICENSE},TN,2023-03-01,DP-NOPE,,,,"), dry_run=1)
    assert r.status_code == 422 and [e["row"] for e in r.json["errors"]] == [1]
    assert count(Entry) == 0


def test_a_csv_saved_by_excel_with_a_byte_order_mark_and_crlf_reads_the_same(client, admin, teacher):
    body = "\ufeff" + csv_of(f"{LICENSE},TN,3/1/2023,DP-FA-01,,,,x").replace("\n", "\r\n")
    r = post_csv(client, admin, body)
    assert (r.status_code, r.json["accepted"]) == (200, 1), r.json
    assert [(e.external_id, e.earned_on) for e in entries()] == [("x", date(2023, 3, 1))]


def test_a_credential_row_with_a_title_or_hours_is_rejected_even_without_a_kind_column(client, admin, teacher):
    r = post_csv(client, admin, csv_of(f"{LICENSE},TN,2023-03-01,DP-FA-01,Formative assessment,6,,"))
    assert r.status_code == 422
    assert r.json["errors"] == [{"row": 1, "field": "title", "message": (
        "a micro-credential takes its title from the catalog: leave title and hours empty")}]


def test_a_tag_with_a_control_character_is_rejected_not_stored(client, admin, teacher):
    r = post_csv(client, admin, csv_of(f"{LICENSE},TN,2023-03-01,,Institute,6,read\x00ing,"))
    assert r.status_code == 422
    assert r.json["errors"] == [{"row": 1, "field": "tags", "message": "a tag contains control characters"}]
    assert count(Entry) == 0


# -- idempotency

def test_importing_the_same_file_twice_records_nothing_new_the_second_time(client, admin, teacher):
    body = csv_of(
        f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,ext-1",
        f"{LICENSE},TN,2023-03-02,DP-FA-02,,,,",                 # no external_id: the holding decides
        f"{LICENSE},TN,2023-03-03,,Literacy institute,6,literacy,ext-3",
        f"{LICENSE},TN,2023-03-04,,Math circle,2,,",              # no external_id: the content decides
    )
    first = post_csv(client, admin, body)
    assert (first.status_code, first.json["accepted"], first.json["duplicates"]) == (200, 4, 0)
    before = ledger_counts()
    again = post_csv(client, admin, body)
    assert (again.status_code, again.json["accepted"], again.json["duplicates"], again.json["errors"]) == (
        200, 0, 4, [])
    after = ledger_counts()
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"}


def test_the_same_external_id_with_the_same_content_is_a_duplicate_of_the_entry_already_recorded(
        client, admin, teacher, ledger):
    existing = ledger.record(teacher, "DP-FA-01", earned_on=date(2023, 3, 1), external_id="bb:1")
    r = post_csv(client, admin, csv_of(f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,bb:1",
                                       f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,bb:1"))
    assert (r.status_code, r.json["accepted"], r.json["duplicates"], r.json["rejected"]) == (200, 0, 2, 0)
    assert [e.id for e in entries()] == [existing.id]


def test_the_same_external_id_with_different_content_is_a_conflict_named_in_the_report_never_merged(
        client, admin, teacher, ledger):
    existing = ledger.record(teacher, "DP-FA-01", earned_on=date(2023, 3, 1), external_id="bb:1")
    body = csv_of(f"{LICENSE},TN,2023-03-09,DP-FA-01,,,,bb:1", f"{LICENSE},TN,2023-03-01,DP-FA-02,,,,new")
    for query in ({}, {"partial": 1}):
        r = post_csv(client, admin, body, **query)
        assert r.json["rejected"] == 1 and r.json["duplicates"] == 0
        (error,) = r.json["errors"]
        assert (error["row"], error["field"]) == (1, "external_id")
        assert f"'bb:1' was already recorded (entry {existing.id}) with different content" in error["message"]
    assert r.status_code == 200 and r.json["accepted"] == 1  # partial: the other row is kept
    kept = db.session.get(Entry, existing.id)
    assert kept.earned_on == date(2023, 3, 1)
    assert sorted(e.external_id for e in entries()) == ["bb:1", "new"]


def test_an_external_id_repeated_in_one_file_with_other_content_is_a_conflict(client, admin, teacher):
    body = csv_of(f"{LICENSE},TN,2023-03-01,,Institute,6,,x-1", f"{LICENSE},TN,2023-03-01,,Institute,7,,x-1")
    r = post_csv(client, admin, body, partial=1)
    assert [(e["row"], e["field"]) for e in r.json["errors"]] == [(2, "external_id")]
    assert [float(e.hours) for e in entries()] == [6.0]


def test_a_credential_already_held_under_another_date_is_rejected_not_merged(client, admin, teacher, ledger):
    ledger.record(teacher, "DP-FA-01", earned_on=date(2023, 3, 1))
    r = post_csv(client, admin, csv_of(f"{LICENSE},TN,2023-05-05,DP-FA-01,,,,"))
    assert r.status_code == 422
    (error,) = r.json["errors"]
    assert (error["row"], error["field"]) == (1, "credential") and "already held" in error["message"]
    assert count(Entry) == 1


@pytest.mark.committed
@pytest.mark.parametrize("fmt", ["csv", "openbadges"])
def test_twenty_identical_imports_at_once_leave_exactly_one_entry_per_external_id(app, ledger, admin, teacher, fmt):
    other = ledger.educator("TN", email="bo@example.org")
    if fmt == "csv":
        ids = ["par-1", "par-2", "par-3"]
        body = csv_of(f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,par-1", f"{LICENSE},TN,2023-03-01,,Institute,6,,par-2",
                      f"{other.license_number},TN,2023-03-01,DP-FA-01,,,,par-3")
    else:  # a badge new to the catalog too: it must join it once
        ids = ["https://b.example.org/a/par-1", "https://b.example.org/a/par-2"]
        body = json.dumps([assertion(ids[0]),
                           assertion(ids[1], email="bo@example.org", badge_id="https://new.example.org/b/9")])
    post = post_csv if fmt == "csv" else post_badges
    barrier = threading.Barrier(20)
    answers: list = []

    def clerk():
        with app.test_client() as c:
            barrier.wait()
            r = post(c, admin, body)
            answers.append((r.status_code, r.json.get("accepted"), r.json.get("duplicates")))

    threads = [threading.Thread(target=clerk) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 20 and {a[0] for a in answers} == {200}, answers
    assert all(accepted + duplicates == len(ids) for _, accepted, duplicates in answers), answers
    assert sum(accepted for _, accepted, _ in answers) == len(ids)
    assert sorted(e.external_id for e in entries()) == ids
    assert count(Credential, Credential.badge_id == "https://new.example.org/b/9") == (fmt == "openbadges")


# -- Open Badges

def test_an_open_badges_2_assertion_with_a_hashed_email_records_the_catalog_credential(client, admin, teacher):
    r = post_badges(client, admin, assertion(salt="s4lty"))
    assert (r.status_code, r.json["accepted"], r.json["credentials_added"]) == (200, 1, [])
    (entry,) = entries()
    assert (entry.educator_id, code_of(entry.credential_id), entry.earned_on, entry.external_id) == (
        teacher.id, "DP-FA-01", date(2024, 3, 1), "https://badges.example.org/assertions/1")


def test_an_assertion_hashed_with_another_salt_or_email_matches_no_educator(client, admin, teacher):
    doc = assertion()
    doc["recipient"]["salt"] = "other"
    r = post_badges(client, admin, doc)
    assert r.status_code == 422
    assert r.json["errors"] == [{"row": 1, "field": "recipient", "message": "the hashed recipient email matches no educator"}]


def test_an_assertion_with_a_plain_email_matches_regardless_of_case(client, admin, teacher):
    r = post_badges(client, admin, assertion(email="Ada.Teacher@Example.ORG", salt=None))
    assert r.status_code == 200 and [e.educator_id for e in entries()] == [teacher.id]


def test_an_open_badges_3_credential_matches_by_license_number(client, admin, teacher):
    r = post_badges(client, admin, credential(valid_from="2024-02-29T10:00:00Z"))
    assert r.status_code == 200, r.json
    (entry,) = entries()
    assert (entry.educator_id, code_of(entry.credential_id), entry.earned_on, entry.external_id) == (
        teacher.id, "DP-FA-01", date(2024, 2, 29), "urn:uuid:7f1c2a52-0000-4000-8000-000000000001")


def test_an_open_badges_3_credential_matches_by_a_hashed_email_identifier(client, admin, teacher):
    identifier = [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": True, "salt": "pepper",
                   "identityHash": hashed(EMAIL, "pepper")}]
    r = post_badges(client, admin, credential(identifier=identifier))
    assert r.status_code == 200, r.json
    assert [e.educator_id for e in entries()] == [teacher.id]


def test_a_list_of_badges_is_numbered_from_one(client, admin, teacher):
    docs = [assertion("https://b.example.org/a/1"), credential(license_number="TN-0000"),
            credential("urn:uuid:3", achievement_id="https://example.org/badges/new")]
    r = post_badges(client, admin, docs, partial=1)
    assert (r.status_code, r.json["accepted"], r.json["rejected"]) == (200, 2, 1)
    assert [(e["row"], e["field"]) for e in r.json["errors"]] == [(2, "license_number")]


def test_json_lines_are_numbered_by_line(client, admin, teacher):
    lines = [json.dumps(assertion("https://b.example.org/a/1")), "", "{not json",
             json.dumps(credential("urn:uuid:2", achievement_id="https://example.org/badges/new"))]
    r = post_badges(client, admin, "\n".join(lines) + "\n", partial=1)
    assert (r.status_code, r.json["accepted"], r.json["rejected"]) == (200, 2, 1)
    assert [(e["row"], e["field"]) for e in r.json["errors"]] == [(3, "row")]
    assert r.json["errors"][0]["message"].startswith("not JSON")


def test_an_unknown_badge_joins_the_catalog_once_with_the_same_code_marked_not_reviewed(
        client, admin, teacher, ledger):
    other = ledger.educator("TN", email="bo@example.org")
    badge = "https://new.example.org/badges/coaching"
    first = [assertion("https://b.example.org/a/1", badge_id=badge, badge_name="Instructional Coaching")]
    dry = post_badges(client, admin, first, dry_run=1)
    assert count(Credential, Credential.badge_id == badge) == 0  # a dry run adds nothing to the catalog
    r1 = post_badges(client, admin, first)
    r2 = post_badges(client, admin, [assertion("https://b.example.org/a/2", email="bo@example.org",
                                               badge_id=badge, badge_name="Instructional Coaching")])
    assert r1.status_code == r2.status_code == 200
    (code,) = dry.json["credentials_added"]
    assert r1.json["credentials_added"] == [code] and r2.json["credentials_added"] == []
    added = db.session.scalars(sa.select(Credential).where(Credential.badge_id == badge)).all()
    assert [(c.code, c.title, c.reviewed) for c in added] == [(code, "Instructional Coaching", False)]
    assert {e.credential_id for e in entries()} == {added[0].id}
    assert {e.educator_id for e in entries()} == {teacher.id, other.id}
    office = ledger.headers("state_office", state="TN")
    catalog = {c["code"]: c for c in client.get("/api/v1/catalog", headers=office).json}
    assert catalog[code]["reviewed"] is False and catalog["DP-FA-01"]["reviewed"] is True


@pytest.mark.parametrize("recipient", [None, {"type": "email", "hashed": False, "identity": ""}],
                         ids=["no recipient", "an empty identity"])
def test_a_badge_with_no_recipient_is_rejected_and_changes_nothing(client, admin, teacher, recipient):
    doc = assertion(badge_id="https://new.example.org/badges/x")
    doc["recipient"] = recipient
    before = ledger_counts()
    r = post_badges(client, admin, [assertion("https://b.example.org/a/ok"), doc])
    assert r.status_code == 422
    assert r.json["errors"] == [{"row": 2, "field": "recipient", "message": "the badge names no recipient"}]
    assert ledger_counts() == before


def test_a_credential_with_no_subject_is_rejected_naming_its_field(client, admin, teacher):
    doc = credential()
    del doc["credentialSubject"]
    r = post_badges(client, admin, doc)
    assert r.status_code == 422
    assert [(e["row"], e["field"]) for e in r.json["errors"]] == [(1, "credentialSubject")]


@pytest.mark.parametrize("where, value, field, message", [
    ("badge name", "Coaching\x00", "badge.name", "contains a NUL character"),
    ("badge name", "Coaching \ud800", "badge.name", "is not valid Unicode text"),
    ("issuer name", "Issuer\x00", "badge.issuer.name", "contains a NUL character"),
    ("salt", "\udc80", "recipient.salt", "is not valid Unicode text"),
    ("id", "urn:\ud800", "id", "is not valid Unicode text"),
], ids=["NUL in the badge name", "a lone surrogate in the badge name", "NUL in the issuer name",
        "a lone surrogate in the salt", "a lone surrogate in the id"])
def test_text_no_database_can_store_rejects_the_badge_naming_the_field(client, admin, teacher, where, value, field,
                                                                      message):
    doc = assertion(badge_id="https://new.example.org/badges/odd")
    target = {"badge name": (doc["badge"], "name"), "issuer name": (doc["badge"]["issuer"], "name"),
              "salt": (doc["recipient"], "salt"), "id": (doc, "id")}[where]
    target[0][target[1]] = value
    before = ledger_counts()
    r = post_badges(client, admin, [assertion("https://b.example.org/a/ok"), doc], partial=1)
    assert (r.status_code, r.json["accepted"], r.json["rejected"]) == (200, 1, 1), r.json
    assert r.json["errors"] == [{"row": 2, "field": field, "message": message}]
    assert r.json["credentials_added"] == []
    assert ledger_counts()["entries"] == before["entries"] + 1
    assert ledger_counts()["credentials"] == before["credentials"]


def test_an_open_badges_3_license_state_that_is_not_a_state_code_is_rejected(client, admin, teacher):
    doc = credential()
    doc["credentialSubject"]["licenseState"] = "Tennessee"
    r = post_badges(client, admin, doc)
    assert r.json["errors"] == [{"row": 1, "field": "licenseState", "message": "'TENNESSEE' is not a two-letter state code"}]
    doc["credentialSubject"]["licenseState"] = "tn"
    assert post_badges(client, admin, doc).json["accepted"] == 1


# -- who may import whom

def test_district_hr_imports_only_its_own_employees_and_others_look_like_unknown_numbers(client, ledger):
    own = ledger.educator("UT", district="JUAB", license_number="UT-1", email="own@example.org")
    ledger.educator("UT", license_number="UT-2", email="elsewhere@example.org")  # no district
    hr = ledger.headers("district_hr", district="JUAB")
    body = csv_of("UT-1,UT,2023-03-01,DP-FA-01,,,,a", "UT-2,UT,2023-03-01,DP-FA-01,,,,b",
                  "UT-3,UT,2023-03-01,DP-FA-01,,,,c")
    r = post_csv(client, hr, body, partial=1)
    assert (r.status_code, r.json["accepted"], r.json["rejected"]) == (200, 1, 2)
    outside, missing = r.json["errors"]
    assert (outside["row"], outside["field"], missing["row"], missing["field"]) == (2, "license_number", 3,
                                                                                   "license_number")
    assert outside["message"].replace("UT-2", "#") == missing["message"].replace("UT-3", "#")
    assert [e.educator_id for e in entries()] == [own.id]

    badges = [assertion("https://b.example.org/x/1", email="elsewhere@example.org"),
              assertion("https://b.example.org/x/2", email="nobody@example.org")]
    r = post_badges(client, hr, badges, partial=1)
    outside, missing = r.json["errors"]
    assert outside["message"] == missing["message"] == "the hashed recipient email matches no educator"


def test_a_conflict_with_an_entry_outside_the_callers_scope_does_not_name_that_entry(client, ledger):
    ledger.educator("UT", district="JUAB", license_number="UT-1")
    elsewhere = ledger.educator("UT", license_number="UT-2")
    ledger.record(elsewhere, "DP-FA-01", external_id="shared-1")
    r = post_csv(client, ledger.headers("district_hr", district="JUAB"),
                 csv_of("UT-1,UT,2023-03-01,DP-FA-01,,,,shared-1"))
    assert r.status_code == 422
    (error,) = r.json["errors"]
    assert error == {"row": 1, "field": "external_id",
                     "message": "'shared-1' was already recorded with different content; it is not changed"}
    assert count(Entry) == 1


def test_a_state_office_imports_only_educators_licensed_in_its_state(client, ledger, teacher):
    ledger.educator("UT", license_number="UT-1")
    office = ledger.headers("state_office", state="TN")
    r = post_csv(client, office, csv_of(f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,a", "UT-1,UT,2023-03-01,DP-FA-01,,,,b"),
                 partial=1)
    assert [(e["row"], e["message"]) for e in r.json["errors"]] == [(2, "license number UT-1 in UT matches no educator")]
    assert count(Entry) == 1


def test_an_educator_may_not_import(client, ledger, teacher):
    r = post_csv(client, ledger.headers("educator", educator=teacher.id), csv_of(f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,"))
    assert r.status_code == 403 and r.json["code"] == 403
    assert count(Entry) == 0


def test_an_import_without_a_token_answers_401(client, ledger):
    assert client.post(API, data=csv_of(), headers={"Content-Type": "text/csv"}).status_code == 401


# -- limits and bad files

def test_an_upload_over_the_size_limit_answers_413_as_json_and_records_nothing(app, client, admin, teacher):
    app.config["MAX_CONTENT_LENGTH"] = 2048
    before = ledger_counts()
    rows = [f"{LICENSE},TN,2023-03-01,,Workshop {n},1,,big-{n}" for n in range(100)]
    r = post_csv(client, admin, csv_of(*rows))
    assert r.status_code == 413 and r.mimetype == "application/json"
    assert r.json["code"] == 413 and r.json["message"]
    assert ledger_counts() == before
    small = post_csv(client, admin, csv_of(*rows[:5]))
    assert small.status_code == 200 and small.json["accepted"] == 5


def file_problem(response) -> dict:
    """The one report for a file that cannot be read at all: 422, no rows counted, its
    problems on row 0."""
    assert response.status_code == 422, response.json
    body = response.json
    assert (body["accepted"], body["duplicates"], body["rejected"], body["recorded"]) == (0, 0, 0, False)
    assert body["errors"] and all(e["row"] == 0 for e in body["errors"])
    return body


BAD_FILES = {
    "Latin-1 bytes": (
        f"{LICENSE},TN,2023-03-01,,Atelier caf\u00e9,3,,\n".encode("latin-1"),
        [("file", "the file is not UTF-8 text (byte 0xe9 cannot be read); save it as CSV UTF-8 and send it again")],
    ),
    "a missing column": (
        "license_number,earned_on,credential\nTN-1001,2023-03-01,DP-FA-01\n",
        [("state", "the 'state' column is missing")],
    ),
    "a header typo": (
        "licence_number,state,earned_on,credential\nTN-1001,TN,2023-03-01,DP-FA-01\n",
        [("licence_number", "unknown column 'licence_number': did you mean 'license_number'?"),
         ("license_number", "the 'license_number' column is missing")],
    ),
    "neither credential nor title and hours": (
        "license_number,state,earned_on,title\nTN-1001,TN,2023-03-01,Workshop\n",
        [("credential", "the file needs a 'credential' column, or 'title' and 'hours' columns "
                        "(or 'title', 'amount' and 'measure')")],
    ),
    "semicolons between columns": (
        "license_number;state;earned_on;credential\nTN-1001;TN;2023-03-01;DP-FA-01\n",
        [("header", "the columns are separated by semicolons, not commas: save the file as CSV (comma delimited) "
                    "and send it again")],
    ),
    "one column": (
        "license_number\nTN-1001\n",
        [("state", "the 'state' column is missing"), ("earned_on", "the 'earned_on' column is missing"),
         ("credential", "the file needs a 'credential' column, or 'title' and 'hours' columns "
                        "(or 'title', 'amount' and 'measure')")],
    ),
    "an empty file": (b"", [("file", "the file is empty: it needs a header row and at least one row")]),
    "a header and no rows": (HEADER + "\n", [("file", "the file has a header but no rows")]),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_file_that_cannot_be_read_gets_a_precise_report_and_changes_nothing(client, admin, teacher, name):
    body, expected = BAD_FILES[name]
    before = ledger_counts()
    for partial in (0, 1):  # partial or not: a file that cannot be read records nothing
        report = file_problem(post_csv(client, admin, body, partial=partial))
        assert [(e["field"], e["message"]) for e in report["errors"]] == expected
    assert ledger_counts() == before


def test_latin_1_bytes_deep_in_a_long_file_still_record_nothing(client, admin, teacher):
    good = [f"{LICENSE},TN,2023-03-01,,Workshop {n},1,,w-{n}" for n in range(5000)]
    body = csv_of(*good).encode() + f"{LICENSE},TN,2023-03-01,,caf\u00e9,1,,late\n".encode("latin-1")
    report = file_problem(post_csv(client, admin, body, partial=1))
    assert "not UTF-8" in report["errors"][0]["message"]
    assert count(Entry) == 0


@pytest.mark.parametrize("body, message", [
    ("", "the file is empty"),
    ("[]", "the list holds no assertions"),
    ("{\"type\": \"Assertion\",", "the file is not valid JSON (Expecting property name enclosed in double quotes at line 1"),
    ("caf\u00e9".encode("latin-1"), "the file is neither Open Badges JSON or a JWT (text) nor a baked PNG or SVG"),
], ids=["empty", "an empty list", "broken JSON", "Latin-1 bytes"])
def test_a_badge_file_that_cannot_be_read_gets_a_precise_report(client, admin, teacher, body, message):
    report = file_problem(post_badges(client, admin, body))
    assert [(e["field"], e["message"][:len(message)]) for e in report["errors"]] == [("file", message)]


def test_ten_thousand_bad_rows_are_each_reported_and_change_nothing(client, admin, teacher):
    before = ledger_counts()
    body = csv_of(*(f"{LICENSE},TN,2023-13-{n % 28 + 1:02},DP-FA-01,,,,bad-{n}" for n in range(10_000)))
    r = post_csv(client, admin, body)
    assert r.status_code == 422
    assert (r.json["rows"], r.json["accepted"], r.json["rejected"]) == (10_000, 0, 10_000)
    assert [e["row"] for e in r.json["errors"]] == list(range(1, 10_001))
    assert {e["field"] for e in r.json["errors"]} == {"earned_on"}
    assert r.json["errors"][41]["message"] == "'2023-13-14' is not a date (use YYYY-MM-DD)"
    assert ledger_counts() == before


# -- the command line

def test_the_command_imports_a_file_with_a_progress_bar_and_a_second_run_records_nothing_new(
        runner, ledger, teacher, tmp_path):
    path = tmp_path / "provider.csv"
    path.write_text(csv_of(f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,c-1", f"{LICENSE},TN,2023-03-01,,Institute,6,,c-2"))
    first = runner.invoke(args=["ledger", "import", str(path)])
    assert first.exit_code == 0, first.output
    assert "importing provider.csv" in first.stderr
    assert "recorded 2 accepted, 0 duplicates, 0 rejected of 2 rows" in first.stdout
    again = runner.invoke(args=["ledger", "import", str(path)])
    assert again.exit_code == 0 and "recorded 0 accepted, 2 duplicates, 0 rejected" in again.stdout
    assert count(Entry) == 2


def test_the_command_refuses_a_file_with_a_bad_row_and_records_nothing(runner, ledger, teacher, tmp_path):
    path = tmp_path / "provider.csv"
    path.write_text(csv_of(f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,c-1", f"{LICENSE},TN,2023-03-01,DP-NOPE,,,,c-2"))
    report = tmp_path / "report.json"
    r = runner.invoke(args=["ledger", "import", str(path), "--report", str(report)])
    assert r.exit_code == 1
    assert "row 2 credential: 'DP-NOPE' is not in the catalog" in r.stderr
    assert json.loads(report.read_text())["errors"] == [
        {"row": 2, "field": "credential", "message": "'DP-NOPE' is not in the catalog"}]
    assert count(Entry) == 0


def test_the_command_reads_open_badges_json_lines(runner, ledger, teacher, tmp_path):
    path = tmp_path / "badges.jsonl"
    path.write_text("\n".join(json.dumps(d) for d in (assertion("https://b.example.org/a/1"),
                                                     credential(achievement_id="https://example.org/badges/new"))))
    r = runner.invoke(args=["ledger", "import", str(path)])
    assert r.exit_code == 0, r.output
    assert "new badges in the catalog: OB-" in r.stdout
    assert count(Entry) == 2


def test_the_command_reports_a_badge_file_in_another_encoding_and_records_nothing(runner, ledger, teacher, tmp_path):
    path = tmp_path / "badges.json"
    path.write_bytes(json.dumps(assertion(badge_name="Caf\u00e9"), ensure_ascii=False).encode("latin-1"))
    r = runner.invoke(args=["ledger", "import", str(path)])
    assert r.exit_code == 1
    assert "row 0 file: the file is not UTF-8 text (byte 0xe9 cannot be read)" in r.stderr
    assert count(Entry) == 0


# -- a killed import

def _writing(url: str, path: Path | None) -> bool:
    """Whether the importer holds a write transaction open."""
    if path is not None:
        return Path(f"{path}-journal").exists()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return bool(conn.scalar(sa.text(
                "SELECT count(*) FROM pg_locks l JOIN pg_class c ON l.relation = c.oid "
                "WHERE c.relname = 'entries' AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()")))
    finally:
        engine.dispose()


@pytest.mark.committed
def test_a_killed_import_leaves_all_of_it_or_none_of_it_and_a_usable_database(
        database_url, client, admin, teacher, tmp_path):
    rows = 60_000
    path = tmp_path / "BIG.csv"
    with path.open("w") as f:
        f.write(HEADER + "\n")
        for n in range(rows):
            f.write(f"{LICENSE},TN,2023-03-01,,Workshop {n},1,,kill-{n}\n")
    sqlite = Path(database_url.removeprefix("sqlite:///")) if database_url.startswith("sqlite") else None
    before = count(Entry)
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test"}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "ledger", "import", str(path)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while not _writing(database_url, sqlite):
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            assert time.monotonic() < deadline, "the importer never started writing"
            time.sleep(0.02)
        time.sleep(0.5)
        assert proc.poll() is None, "the import finished before it could be killed: make BIG.csv bigger"
        proc.send_signal(signal.SIGKILL)
        assert proc.wait(timeout=10) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stderr.close()
    assert count(Entry) in (before, before + rows)
    r = post_csv(client, admin, csv_of(f"{LICENSE},TN,2023-03-01,DP-FA-01,,,,after-kill"))
    assert (r.status_code, r.json["accepted"]) == (200, 1)
    assert count(Entry) in (before + 1, before + rows + 1)


def test_a_csv_activity_in_a_measure_is_recorded_once_and_bad_measures_are_named(client, admin, teacher):
    """CONTRACT.md section 2b: `amount` and `measure` in place of `hours`."""
    header = "license_number,state,earned_on,title,hours,amount,measure"
    body = csv_of(f"{LICENSE},TN,2023-03-01,Graduate course,,1.5,CEU",
                  f"{LICENSE},TN,2023-03-01,Graduate course,1.5,,",        # the same amount in hours: another
                  f"{LICENSE},TN,2023-03-02,Workshop,,3,clock_hour", header=header)
    first = post_csv(client, admin, body)
    assert (first.status_code, first.json["accepted"], first.json["errors"]) == (200, 3, []), first.json
    got = sorted(((e.title, float(e.hours), e.measure) for e in entries()), key=lambda t: (t[0], t[2] or ""))
    assert got == [("Graduate course", 1.5, None), ("Graduate course", 1.5, "ceu"), ("Workshop", 3.0, None)]
    again = post_csv(client, admin, body)
    assert (again.json["accepted"], again.json["duplicates"]) == (0, 3)
    bad = post_csv(client, admin, csv_of(f"{LICENSE},TN,2023-03-05,Course,2,1,ceu",
                                         f"{LICENSE},TN,2023-03-05,Course,,1,",
                                         f"{LICENSE},TN,2023-03-05,Course,,1,c e u", header=header))
    assert bad.status_code == 422
    assert [(e["row"], e["field"]) for e in bad.json["errors"]] == [(1, "amount"), (2, "measure"), (3, "measure")]


def test_an_unknown_column_with_control_characters_is_named_escaped_in_the_report(client, admin, teacher):
    """Found by the long fuzz: a header cell holding NUL and a C1 control was echoed raw as
    the error's field, which no text field of the report may hold."""
    r = post_csv(client, admin, "\x8aa\x00,license_number,state,earned_on,title,hours\n1,TN-1001,TN,2023-03-01,W,1\n")
    assert r.status_code == 422
    [unknown] = [e for e in r.json["errors"] if "unknown column" in e["message"]]
    assert unknown["field"] == "\\x8aa\\x00" and "\x00" not in unknown["field"]
