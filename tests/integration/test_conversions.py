"""Activities in CEUs, semester hours or any measure the state converts, over the API
(CONTRACT.md section 2b, "Activity units"): recorded with amount and measure, valued by
the conversion in force on earned_on, refused naming the field when hours and amount are
both given or the measure is missing, and kept apart from the same amount in clock hours."""

from copy import deepcopy

from .. import samples

CONVERSIONS = [{"measure": "ceu", "units": 5, "effective_from": "2017-01-01", "cite": "TN PDP FAQ: 1 CEU = 5 PDPs"},
               {"measure": "semester_hour", "units": 15, "effective_from": "2017-01-01"}]


def post(client, ledger, educator, **body):
    return client.post(f"/api/v1/educators/{educator.id}/entries", headers=ledger.headers(),
                       json={"kind": "activity", "title": "Graduate course", "earned_on": "2023-03-01", **body})


def test_an_amount_in_ceus_is_valued_by_the_states_conversion(ledger, client):
    doc = deepcopy(samples.TN)
    doc["conversions"] = CONVERSIONS
    assert client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers()).status_code == 201
    e = ledger.educator("TN")
    r = post(client, ledger, e, amount=1.5, measure="ceu")
    assert r.status_code == 201, r.json
    assert (r.json["amount"], r.json["measure"], r.json["hours"]) == (1.5, "ceu", None)
    same_in_hours = post(client, ledger, e, hours=1.5)  # not the same activity: another measure
    assert same_in_hours.status_code == 201 and same_in_hours.json["id"] != r.json["id"]
    assert same_in_hours.json["measure"] == "clock_hour"
    again = post(client, ledger, e, amount=1.5, measure="ceu")
    assert again.status_code == 200 and again.json["id"] == r.json["id"]  # the same activity, recorded once
    quarter = post(client, ledger, e, amount=2, measure="quarter_hour", title="Other")
    s = client.get(f"/api/v1/educators/{e.id}/standing?as_of=2024-01-01", headers=ledger.headers()).json
    valued = {x["id"]: (x["units"], x["rule"], x["reason"]) for x in s["entries"]}
    assert valued[r.json["id"]] == (7.5, "TN PDP FAQ: 1 CEU = 5 PDPs", None)
    assert valued[same_in_hours.json["id"]][0] == 1.5
    assert valued[quarter.json["id"]] == (0, None, "no_conversion")


def test_hours_and_amount_together_or_an_amount_without_its_measure_are_refused(ledger, client):
    e = ledger.educator("TN")
    both = post(client, ledger, e, hours=3, amount=1, measure="ceu")
    assert both.status_code == 422 and "amount" in both.json["errors"]
    bare = post(client, ledger, e, amount=1)
    assert bare.status_code == 422 and "measure" in bare.json["errors"]
    shouting = post(client, ledger, e, amount=1, measure="CEU")
    assert shouting.status_code == 422 and "measure" in shouting.json["errors"]
    mc = client.post(f"/api/v1/educators/{e.id}/entries", headers=ledger.headers(), json={
        "kind": "microcredential", "credential": "DP-FA-01", "earned_on": "2023-03-01", "measure": "ceu"})
    assert mc.status_code == 422 and "measure" in mc.json["errors"]
    entries = client.get(f"/api/v1/educators/{e.id}/entries", headers=ledger.headers()).json
    assert entries == []


def test_the_record_form_takes_an_amount_in_a_measure_the_state_converts(ledger, client, web_user):
    from ..conftest import csrf_token

    doc = deepcopy(samples.UT)
    doc["conversions"] = [{"measure": "semester_hour", "units": 15, "effective_from": "2017-01-01"}]
    assert client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers()).status_code == 201
    e = ledger.educator("UT", district="JUAB")
    hr = web_user("district_hr", district="JUAB")
    page = hr.get(f"/educators/{e.id}").get_data(as_text=True)
    assert '<option value="semester_hour"' in page and "semester hours" in page
    r = hr.post(f"/educators/{e.id}/entries", data={
        "csrf_token": csrf_token(hr, f"/educators/{e.id}"), "kind": "activity", "title": "Summer session",
        "hours": "2", "measure": "semester_hour", "earned_on": "2023-07-01"}, follow_redirects=True)
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    [entry] = client.get(f"/api/v1/educators/{e.id}/entries", headers=ledger.headers()).json
    assert (entry["amount"], entry["measure"]) == (2.0, "semester_hour")
