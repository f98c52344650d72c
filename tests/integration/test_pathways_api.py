"""Role cards, maintenance and salary through the API, on both engines (CONTRACT.md
section 2, "Pathway award" to "Salary credits", and the standing answer's `pathways` and
`salary`)."""

from copy import deepcopy

import pytest

from tests import samples

MC = "microcredential"

# A state card (no effects, a 2-year window, by tag) and a district card with a 5% raise,
# a salary lane and a tapering 2-then-1 maintenance over two 3-year periods.
UT_CARDS = deepcopy(samples.UT)
UT_CARDS["pathways"] = [{
    "code": "UT-LEAD", "name": "Utah Teacher Leader", "designation": "State Teacher Leader",
    "window_years": 2, "electives": [{"choose": 2, "tags": ["leadership"]}], "cite": "UT-LEAD-RULE",
}]
UT_CARDS["districts"][0]["pathways"] = [{
    "code": "JUAB-TL", "name": "Teacher Leader", "designation": "Teacher Leader",
    "core": ["DP-FA-01", "DP-FA-02"],
    "electives": [{"choose": 2, "from": ["DP-LIT-01", "DP-LIT-02", "BB-CM-01"]}],
    "effects": {"base_salary_pct": 5, "salary_lane": "BA+15"},
    "maintenance": [{"years": 3, "required_count": 2}, {"years": 3, "required_count": 1}],
    "cite": "JUAB-TL-RULE",
}]

CONTRACT_PATHWAY_KEYS = {"code", "status", "awarded_on", "counted", "required_count", "missing_core",
                         "maintenance", "lapsed_on"}
CONTRACT_PERIOD_KEYS = {"period", "period_start", "period_end", "counted", "required_count"}


@pytest.fixture
def juab(ledger, client):
    """Rulebook with cards loaded through the API, and a Juab teacher whose Teacher
    Leader card was completed on 2021-03-01 with maintenance period 1 ending on
    29 February 2024."""
    r = client.post("/api/v1/rulebooks", json=UT_CARDS, headers=ledger.headers())
    assert r.status_code == 201, r.json
    e = ledger.educator(state="UT", district="JUAB")
    ids = {}
    for credential, day in [
        ("DP-FA-01", "2020-01-10"), ("DP-FA-02", "2020-02-29"), ("DP-LIT-01", "2020-05-01"),
        ("DP-LIT-02", "2021-03-01"),   # completes the card: the award date
        ("BB-CM-01", "2021-03-01"),    # eligible, on the award day: counted toward the award
        ("BB-LD-01", "2022-06-01"),    # period 1
        ("NEA-SE-01", "2024-02-29"),   # period 1's last day
        ("NEA-TL-01", "2025-01-15"),   # period 2
    ]:
        r = client.post(f"/api/v1/educators/{e.id}/entries", headers=ledger.headers(),
                        json={"kind": MC, "credential": credential, "earned_on": day})
        assert r.status_code == 201, r.json
        ids[credential] = r.json["id"]
    return e, ids


def standing(client, ledger, e, **query):
    r = client.get(f"/api/v1/educators/{e.id}/standing", query_string=query, headers=ledger.headers())
    assert r.status_code == 200, r.json
    return r.json


def card(s, code):
    (p,) = [p for p in s["pathways"] if p["code"] == code]
    return p


def test_the_award_maintenance_and_salary_of_a_district_card(juab, ledger, client):
    e, ids = juab
    s = standing(client, ledger, e, as_of="2026-11-25")
    assert [p["code"] for p in s["pathways"]] == ["UT-LEAD", "JUAB-TL"]  # the state's, then the district's
    p = card(s, "JUAB-TL")
    assert CONTRACT_PATHWAY_KEYS <= set(p)
    assert (p["status"], p["awarded_on"], p["counted"], p["required_count"], p["missing_core"], p["lapsed_on"]) == (
        "active", "2021-03-01", 5, 4, [], None)
    # the award-day elective beyond the group's two is counted toward the award, as an extra
    roles = {c["credential"]: (c["role"], c["group"], c["extra"]) for c in p["counted_entries"]}
    assert roles == {"DP-FA-01": ("core", None, False), "DP-FA-02": ("core", None, False),
                     "DP-LIT-01": ("elective", 0, False), "DP-LIT-02": ("elective", 0, False),
                     "BB-CM-01": ("elective", 0, True)}
    assert CONTRACT_PERIOD_KEYS <= set(p["maintenance"])
    assert p["maintenance"] | {"counted_entries": None} == {
        "period": 2, "period_start": "2024-03-01", "period_end": "2027-02-28", "counted": 1,
        "required_count": 1, "remaining": 0, "status": "met", "counted_entries": None}
    assert [(x["period"], x["period_start"], x["period_end"], x["counted"], x["status"]) for x in p["periods"]] == [
        (1, "2021-03-01", "2024-02-29", 2, "met"), (2, "2024-03-01", "2027-02-28", 1, "met")]
    assert p["forecast"] is None and p["effects_hold"] and p["rule"] == "JUAB-TL-RULE"
    # 8 micro-credentials at 0.5: 4 credits, lane BA by credits; the card's BA+15 ranks higher
    assert s["salary"] | {"designations": None, "next_lane": None} == {
        "district": "JUAB", "credits": 4.0, "lane": "BA+15", "base_salary_pct": 5.0, "credits_per_mc": 0.5,
        "microcredentials": 8, "lane_by_credits": "BA", "lane_by_designation": "JUAB-TL",
        "designations": None, "next_lane": None}
    assert s["salary"]["designations"] == ["JUAB-TL"]


def test_permanent_the_day_after_the_last_period(juab, ledger, client):
    e, _ = juab
    assert card(standing(client, ledger, e, as_of="2027-02-28"), "JUAB-TL")["status"] == "active"
    p = card(standing(client, ledger, e, as_of="2027-03-01"), "JUAB-TL")
    assert (p["status"], p["permanent_on"], p["maintenance"], p["lapsed_on"]) == ("permanent", "2027-03-01", None, None)


@pytest.mark.parametrize("as_of, status, counted, forecast", [
    ("2021-02-28", "in_progress", 3, None),          # the day before the award
    ("2021-03-01", "active", 0, (2, "2024-02-29")),  # the award day: nothing new yet
    ("2024-02-28", "active", 1, (1, "2024-02-29")),  # the last MC is a day away
    ("2024-02-29", "active", 2, None),               # earned on the period's last day
])
def test_the_current_period_is_exact_to_the_day(juab, ledger, client, as_of, status, counted, forecast):
    e, _ = juab
    p = card(standing(client, ledger, e, as_of=as_of), "JUAB-TL")
    assert p["status"] == status
    if status == "in_progress":
        assert p["awarded_on"] is None and p["counted"] == counted and p["missing_total"] == 1
        assert p["forecast"]["needed"] == 1 and p["forecast"]["by"] is None  # no window
        return
    assert p["maintenance"]["period"] == 1 and p["maintenance"]["counted"] == counted
    got = None if p["forecast"] is None else (p["forecast"]["needed"], p["forecast"]["by"])
    assert got == forecast


def test_a_void_lapses_the_designation_the_day_after_the_period_and_ends_its_raise(juab, ledger, client):
    e, ids = juab
    r = client.post(f"/api/v1/entries/{ids['NEA-SE-01']}/void", json={"reason": "recorded for the wrong teacher"},
                    headers=ledger.headers())
    assert r.status_code == 200, r.json
    assert card(standing(client, ledger, e, as_of="2024-02-29"), "JUAB-TL")["status"] == "active"
    s = standing(client, ledger, e, as_of="2024-03-01")
    p = card(s, "JUAB-TL")
    assert (p["status"], p["lapsed_on"]) == ("lapsed", "2024-03-01")
    assert (p["maintenance"]["period"], p["maintenance"]["counted"], p["maintenance"]["status"]) == (1, 1, "lapsed")
    assert p["effects_hold"] is False and p["forecast"] is None
    assert (s["salary"]["base_salary_pct"], s["salary"]["lane"], s["salary"]["credits"]) == (0.0, "BA", 3.0)
    # period 2 is never reached, and a lapsed designation is not awarded again
    later = card(standing(client, ledger, e, as_of="2026-11-25"), "JUAB-TL")
    assert (later["status"], later["lapsed_on"], later["maintenance"]["period"]) == ("lapsed", "2024-03-01", 1)


def test_voiding_the_completing_entry_moves_the_award_to_the_next_that_completes(juab, ledger, client):
    e, ids = juab
    client.post(f"/api/v1/entries/{ids['DP-LIT-02']}/void", json={"reason": "duplicate"}, headers=ledger.headers())
    client.post(f"/api/v1/entries/{ids['BB-CM-01']}/void", json={"reason": "duplicate"}, headers=ledger.headers())
    p = card(standing(client, ledger, e, as_of="2026-11-25"), "JUAB-TL")
    assert p["status"] == "in_progress" and p["awarded_on"] is None
    assert [(g["choose"], g["counted"], g["missing"]) for g in p["electives"]] == [(2, 1, 1)]
    client.post(f"/api/v1/educators/{e.id}/entries", headers=ledger.headers(),
                json={"kind": MC, "credential": "DP-LIT-02", "earned_on": "2023-04-05"})
    p = card(standing(client, ledger, e, as_of="2026-11-25"), "JUAB-TL")
    # BB-LD-01 (2022) was earned before the new award date: no period holds it
    assert (p["status"], p["awarded_on"]) == ("active", "2023-04-05")
    assert [(x["period"], x["counted"]) for x in p["periods"]][:1] == [(1, 2)]  # NEA-SE-01, NEA-TL-01


def test_an_in_progress_state_card_forecasts_the_day_its_window_closes(juab, ledger, client):
    e, _ = juab
    p = card(standing(client, ledger, e, as_of="2026-11-25"), "UT-LEAD")
    assert (p["status"], p["counted"], p["missing_total"], p["window_opens"]) == ("in_progress", 1, 1, "2024-11-26")
    assert p["owner"] == "UT" and p["effects_hold"] is False
    f = p["forecast"]
    assert (f["needed"], f["by"], f["falls_out"]) == (1, "2027-01-14", ["NEA-TL-01"])
    assert "2027-01-14" in f["summary"] and "NEA-TL-01" in f["summary"]


def test_no_district_sees_the_state_cards_and_no_salary(ledger, client):
    client.post("/api/v1/rulebooks", json=UT_CARDS, headers=ledger.headers())
    e = ledger.educator(state="UT")
    s = standing(client, ledger, e, as_of="2026-11-25")
    assert [p["code"] for p in s["pathways"]] == ["UT-LEAD"] and s["salary"] is None


def test_another_states_standing_leaves_the_district_out(juab, ledger, client):
    e, _ = juab
    s = standing(client, ledger, e, as_of="2026-11-25", state="TN")
    assert s["state"] == "TN" and s["pathways"] == [] and s["salary"] is None


def test_the_educator_reads_their_own_pathways(juab, ledger, client):
    e, _ = juab
    r = client.get(f"/api/v1/educators/{e.id}/standing?as_of=2026-11-25",
                   headers=ledger.headers("educator", educator=e.id))
    assert r.status_code == 200 and card(r.json, "JUAB-TL")["status"] == "active"


def test_the_openapi_document_describes_pathways_and_salary(client):
    schemas = client.get("/api/v1/openapi.json").json["components"]["schemas"]
    assert {"maintenance", "lapsed_on", "forecast"} <= set(schemas["PathwayOut"]["properties"])
    assert {"district", "credits", "lane", "base_salary_pct"} <= set(schemas["SalaryOut"]["properties"])


def rulebook_with(**changes):
    doc = deepcopy(UT_CARDS)
    for path, value in changes.items():
        target = doc
        *parents, last = path.split("__")
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[last] = value
    return doc


@pytest.mark.parametrize("doc, field", [
    (rulebook_with(districts__0__pathways__0__electives=[{"choose": 3, "from": ["DP-LIT-01", "DP-FA-01", "DP-LIT-02"]}]),
     "districts[0].pathways[0].electives[0].choose"),   # DP-FA-01 is core: only 2 can fill it
    (rulebook_with(districts__0__pathways__0__required_count=3), "districts[0].pathways[0].required_count"),
    (rulebook_with(districts__0__pathways__0__required_count=6), "districts[0].pathways[0].required_count"),
    (rulebook_with(districts__0__pathways__0__maintenance=[{"required_count": 2}]),
     "districts[0].pathways[0].maintenance[0].years"),
    (rulebook_with(districts__0__pathways__0__maintenance=[{"years": 3, "required_count": 2, "from": ["DP-LIT-01"]}]),
     "districts[0].pathways[0].maintenance[0].required_count"),
    (rulebook_with(districts__0__pathways__0__effects={"salary_lane": "PhD"}),
     "districts[0].pathways[0].effects.salary_lane"),
    (rulebook_with(pathways__0__electives=[{"choose": 2}]), "pathways[0].electives[0].from"),
])
def test_a_card_that_can_never_be_earned_is_refused_naming_the_field(ledger, client, doc, field):
    before = client.get("/api/v1/rulebooks/UT", headers=ledger.headers()).json
    r = client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers())
    assert r.status_code == 422, r.json
    assert field in r.json["errors"], r.json["errors"]
    assert client.get("/api/v1/rulebooks/UT", headers=ledger.headers()).json == before
