"""Educators and their licenses through the API."""

import sqlalchemy as sa

from ledger.models import AuditEvent, Educator, db

BODY = {"license_number": "TN-000123", "state": "TN", "first_name": "Maya", "last_name": "Okafor",
        "email": "maya.okafor@example.org",
        "licenses": [{"type": "professional", "cycle_start": "2020-07-01", "cycle_end": "2025-06-30"}]}


def test_creating_an_educator_answers_201_with_its_licenses(ledger, client):
    r = client.post("/api/v1/educators", json=BODY, headers=ledger.headers())
    assert r.status_code == 201
    body = r.json
    assert body["id"] > 0 and body["state"] == "TN" and body["district"] is None
    assert body["licenses"][0]["type"] == "professional" and body["licenses"][0]["state"] == "TN"
    assert client.get(f"/api/v1/educators/{body['id']}", headers=ledger.headers()).json == body
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.record_type == "educator")) == "create_educator"


def test_a_license_number_already_recorded_in_the_state_is_a_conflict(ledger, client):
    assert client.post("/api/v1/educators", json=BODY, headers=ledger.headers()).status_code == 201
    r = client.post("/api/v1/educators", json=BODY, headers=ledger.headers())
    assert r.status_code == 409 and "license_number" in r.json["errors"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Educator)) == 1


def test_district_hr_adds_educators_to_its_own_district_by_default(ledger, client):
    body = {**BODY, "state": "UT", "license_number": "UT-77", "licenses": [
        {"type": "professional", "cycle_start": "2021-07-01", "cycle_end": "2026-06-30"}]}
    r = client.post("/api/v1/educators", json=body, headers=ledger.headers("district_hr", district="JUAB"))
    assert r.status_code == 201 and r.json["district"] == "JUAB"


def test_the_educator_list_is_scoped_searchable_and_paginated(ledger, client):
    tn = ledger.educator(last_name="Alvarez")
    ut = ledger.educator(state="UT", district="JUAB", last_name="Baker")
    names = lambda r: [e["last_name"] for e in r.json]  # noqa: E731
    assert names(client.get("/api/v1/educators", headers=ledger.headers())) == ["Alvarez", "Baker"]
    assert names(client.get("/api/v1/educators", headers=ledger.headers("state_office", state="TN"))) == ["Alvarez"]
    assert names(client.get("/api/v1/educators", headers=ledger.headers("district_hr", district="JUAB"))) == ["Baker"]
    assert names(client.get("/api/v1/educators?q=bak", headers=ledger.headers())) == ["Baker"]
    r = client.get("/api/v1/educators?page=1&page_size=1", headers=ledger.headers())
    assert len(r.json) == 1 and r.headers["X-Total-Count"] == "2"
    assert tn.id != ut.id


def test_a_district_of_another_state_is_refused_naming_district(ledger, client):
    body = {**BODY, "district": "JUAB"}  # JUAB is in Utah; the educator is licensed in Tennessee
    r = client.post("/api/v1/educators", json=body, headers=ledger.headers())
    assert r.status_code == 422 and "district" in r.json["errors"]
    r = client.post("/api/v1/educators", json=BODY, headers=ledger.headers("district_hr", district="JUAB"))
    assert r.status_code == 422 and "district" in r.json["errors"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Educator)) == 0
