"""Refusals that cannot be hidden leave a trace (F-17, F-18): license numbers are unique
in a state and external_ids across the ledger, so a write naming one held outside the
caller's scope must be refused; the refusal names nothing outside the scope, and the
audit trail keeps who asked about what, a dry run included."""

from __future__ import annotations

import sqlalchemy as sa


def refusals(session) -> list:
    from ledger.models import AuditEvent

    return session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "out_of_scope_refusal")
                           .order_by(AuditEvent.id)).all()


def new_hire(number: str) -> dict:
    return {"license_number": number, "state": "UT", "district": "JUAB", "first_name": "P", "last_name": "Q",
            "licenses": []}


def test_hr_adding_a_license_number_held_outside_its_district_is_told_only_what_to_do(ledger, client, session):
    elsewhere = ledger.educator("UT", license_number="6027303")  # no district: outside JUAB's scope
    hr = ledger.headers("district_hr", district="JUAB")
    r = client.post("/api/v1/educators", json=new_hire("6027303"), headers=hr)
    assert r.status_code == 409
    assert "ask the state office to move them" in r.json["message"]
    assert str(elsewhere.id) not in r.get_data(as_text=True) and "educator_id" not in r.json
    [kept] = refusals(session)
    assert (kept.record_type, kept.record_id, kept.detail["action"]) == ("educator", "UT 6027303", "create_educator")
    assert kept.actor.startswith("token:")  # the HR token that asked


def test_a_license_number_already_in_scope_names_the_educator_and_is_no_probe(ledger, client, session):
    hr = ledger.headers("district_hr", district="JUAB")
    first = client.post("/api/v1/educators", json=new_hire("7000001"), headers=hr)
    assert first.status_code == 201
    again = client.post("/api/v1/educators", json=new_hire("7000001"), headers=hr)
    assert again.status_code == 409 and again.json["educator_id"] == first.json["id"]
    assert refusals(session) == []


def test_an_external_id_held_outside_the_scope_is_refused_and_kept(ledger, client, session):
    tn = ledger.educator("TN")
    ledger.record(tn, "DP-FA-01", external_id="pd-tn:b6155c9894b8c658")
    mine = ledger.educator("UT", district="JUAB")
    hr = ledger.headers("district_hr", district="JUAB")
    r = client.post(f"/api/v1/educators/{mine.id}/entries", headers=hr, json={
        "kind": "activity", "title": "Institute", "hours": 3, "earned_on": "2023-01-01",
        "external_id": "pd-tn:b6155c9894b8c658"})
    assert r.status_code == 409 and r.json["message"].endswith("was already recorded for another educator")
    assert "entry_id" not in r.json
    [kept] = refusals(session)
    assert (kept.record_type, kept.record_id) == ("entry", "pd-tn:b6155c9894b8c658")


def test_a_dry_run_meeting_an_external_id_outside_the_scope_is_no_free_probe(ledger, client, session):
    from ledger.models import Entry

    tn = ledger.educator("TN")
    ledger.record(tn, "DP-FA-01", external_id="pd-tn:probe")
    mine = ledger.educator("UT", district="JUAB")
    csv = ("license_number,state,earned_on,title,hours,external_id\n"
           f"{mine.license_number},UT,2023-02-01,Institute,3,pd-tn:probe\n")
    r = client.post("/api/v1/imports?format=csv&dry_run=true", data=csv, headers={
        **ledger.headers("district_hr", district="JUAB"), "Content-Type": "text/csv"})
    assert r.status_code == 422 and "already recorded" in r.json["errors"][0]["message"]
    assert "entry" not in r.json["errors"][0]["message"].split("recorded")[1].split("with")[0]
    [kept] = refusals(session)
    assert kept.detail == {"action": "import", "external_ids": ["pd-tn:probe"], "dry_run": True}
    assert session.scalar(sa.select(sa.func.count()).select_from(Entry).where(Entry.educator_id == mine.id)) == 0


def test_an_external_id_of_the_callers_own_scope_is_named_and_no_probe(ledger, client, session):
    mine = ledger.educator("UT", district="JUAB")
    entry = ledger.record(mine, title="Institute", hours=3, external_id="own:1")
    csv = ("license_number,state,earned_on,title,hours,external_id\n"
           f"{mine.license_number},UT,2023-02-01,Other,4,own:1\n")
    r = client.post("/api/v1/imports?format=csv&dry_run=true", data=csv, headers={
        **ledger.headers("district_hr", district="JUAB"), "Content-Type": "text/csv"})
    assert f"(entry {entry.id})" in r.json["errors"][0]["message"]
    assert refusals(session) == []


def test_a_probe_with_an_external_id_longer_than_the_audit_column_is_kept_whole(ledger, client, session):
    """Found by the long fuzz on PostgreSQL: a 500-character external_id held outside the
    scope made the refusal's audit row overflow audit_events.record_id (100): a 500."""
    long_id = "0" * 500
    ledger.record(ledger.educator("TN"), "DP-FA-01", external_id=long_id)
    mine = ledger.educator("UT", district="JUAB")
    r = client.post(f"/api/v1/educators/{mine.id}/entries", headers=ledger.headers("district_hr", district="JUAB"),
                    json={"kind": "activity", "title": "Institute", "hours": 3, "earned_on": "2023-01-01",
                          "external_id": long_id})
    assert r.status_code == 409
    [kept] = refusals(session)
    assert kept.record_id.startswith("sha256:") and kept.detail["record_id"] == long_id[:200]  # as asked, cut
