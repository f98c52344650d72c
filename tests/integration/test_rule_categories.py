"""Categories and satisfied_by over the API (CONTRACT.md section 2b): a rulebook with them
loads, a mistake in one is a 422 naming its field path, and the standing answer shows each
category and the credential that completed a cycle on its own."""

from copy import deepcopy
from datetime import date

from .. import samples

AREAS = [{"name": "learning", "tags": ["course", "microcredential"], "max_units": 40},
         {"name": "collaboration", "tags": ["collaboration"], "max_units": 30}]


def tn_with(client, ledger, **rule):
    doc = deepcopy(samples.TN)
    next(r for r in doc["renewal"] if r["license"] == "professional").update(rule)
    return client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers())


def test_a_category_mistake_is_refused_naming_its_path_and_nothing_changes(ledger, client):
    r = tn_with(client, ledger, categories=[*AREAS, {"name": "late", "tags": ["course"]}])
    assert r.status_code == 422 and "renewal[0].categories[2].tags" in r.json["errors"], r.json
    r = tn_with(client, ledger, categories=AREAS, min_categories=3)
    assert r.status_code == 422 and "renewal[0].min_categories" in r.json["errors"], r.json
    versions = client.get("/api/v1/rulebooks/TN/versions", headers=ledger.headers()).json
    assert len(versions) == 1


def test_the_answer_shows_each_category_and_what_completed_a_cycle_on_its_own(ledger, client):
    assert tn_with(client, ledger, categories=AREAS, min_categories=2, satisfied_by=["NBPTS-NBC"]).status_code == 201
    e = ledger.educator("TN")  # the sample cycle: 2020-07-01 .. 2025-06-30
    ledger.record(e, title="Course", hours=50, earned_on=date(2022, 1, 1), tags=["course"])
    ledger.record(e, title="PLC", hours=5, earned_on=date(2022, 2, 1), tags=["collaboration"])
    [r] = client.get(f"/api/v1/educators/{e.id}/standing?as_of=2024-01-01", headers=ledger.headers()).json["renewal"]
    assert r["categories"] == [
        {"name": "learning", "units": 50.0, "cap": 40.0, "counted": 40.0, "full": True},
        {"name": "collaboration", "units": 5.0, "cap": 30.0, "counted": 5.0, "full": False}]
    assert (r["earned_units"], r["status"], r["satisfied_by"]) == (45.0, "in_progress", None)


def test_exclusive_minimums_over_the_api_name_the_entries_that_fed_each(ledger, client):
    r = tn_with(client, ledger, exclusive_minimums=True, minimums=[
        {"tag": "content", "units": 3}, {"tag": "literacy", "units": 3}, {"tag": "ethics", "count": 1}])
    assert r.status_code == 201, r.json
    e = ledger.educator("TN")
    course = ledger.record(e, title="Course", hours=4, earned_on=date(2022, 1, 1), tags=["content", "literacy"])
    [r] = client.get(f"/api/v1/educators/{e.id}/standing?as_of=2024-01-01", headers=ledger.headers()).json["renewal"]
    assert [(m["tag"], m["earned_units"], m["earned_count"], m["met"]) for m in r["minimums"]] == [
        ("content", 3.0, None, True), ("literacy", 1.0, None, False), ("ethics", None, 0, False)]
    assert r["minimums"][0]["fed"] == [{"entry_id": course.id, "units": 3.0}]
    bad = tn_with(client, ledger, minimums=[{"tag": "ethics", "count": 1, "units": 2}])
    assert bad.status_code == 422 and "renewal[0].minimums[0].units" in bad.json["errors"], bad.json


def test_a_certificate_held_current_completes_the_cycle_in_the_answer_and_on_the_page(ledger, client, web_user):
    held = [{"credential": "NEA-TL-01", "valid_years": 10}]
    assert tn_with(client, ledger, satisfied_by=held).status_code == 201
    e = ledger.educator("TN")  # the sample cycle: 2020-07-01 .. 2025-06-30
    cert = ledger.record(e, "NEA-TL-01", earned_on=date(2016, 3, 1))  # before the cycle, current through 2026-02-28
    [r] = client.get(f"/api/v1/educators/{e.id}/standing?as_of=2024-01-01", headers=ledger.headers()).json["renewal"]
    assert (r["status"], r["satisfied_by"], r["satisfied_entry"], r["satisfied_until"]) == (
        "complete", "NEA-TL-01", cert.id, "2026-02-28")
    assert r["earned_units"] == 0 and r["counted_entries"] == []
    web_user("state_office", state="TN")
    page = client.get(f"/educators/{e.id}?as_of=2024-01-01").get_data(as_text=True)
    assert "NEA-TL-01, current through 28 February 2026, completes this cycle on its own" in page
    bad = tn_with(client, ledger, satisfied_by=[{"credential": "NEA-TL-01", "valid_years": "ten"}])
    assert bad.status_code == 422 and "renewal[0].satisfied_by[0].valid_years" in bad.json["errors"], bad.json
