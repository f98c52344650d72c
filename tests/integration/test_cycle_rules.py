"""Rules bound to cycles and grace, end to end (CONTRACT.md section 2b): a state that
publishes stricter rules for later cycles does not re-judge the cycles its earlier rule
still judges, and a rule's grace days show in the standing answer and on the teacher's
page."""

from copy import deepcopy
from datetime import date

from .. import samples

LATER = {"license": "professional", "required_units": 90, "cycles_ending_from": "2025-07-01",
         "grace_days": 61, "cycle_years": 5, "cite": "TN-PROFESSIONAL-2025"}


def version_two(client, ledger, old_rule_ends="2025-06-30"):
    doc = deepcopy(samples.TN)
    pro = next(r for r in doc["renewal"] if r["license"] == "professional")
    pro["cycles_ending_to"] = old_rule_ends
    doc["renewal"].append(dict(LATER))
    r = client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers())
    assert r.status_code == 201, r.json
    return r.json


def renewal(client, ledger, educator, as_of):
    answer = client.get(f"/api/v1/educators/{educator.id}/standing?as_of={as_of}", headers=ledger.headers())
    assert answer.status_code == 200, answer.json
    return answer.json["renewal"]


def test_a_new_version_with_stricter_rules_for_later_cycles_leaves_an_ended_cycle_as_it_was_judged(ledger, client):
    e = ledger.educator("TN")  # the sample cycle: 2020-07-01 .. 2025-06-30
    ledger.record(e, title="Institute", hours=60, earned_on=date(2023, 6, 1))
    [before] = renewal(client, ledger, e, "2025-08-01")
    assert (before["status"], before["rule"], before["rulebook_version"]) == ("complete", "TN-PROFESSIONAL", 1)
    version_two(client, ledger)
    [after] = renewal(client, ledger, e, "2025-08-01")
    assert (after["status"], after["rule"], after["rulebook_version"]) == ("complete", "TN-PROFESSIONAL", 2)
    assert after["required_units"] == 60 and after["grace_ends"] is None


def test_a_cycle_the_later_rule_judges_gets_its_grace(ledger, client):
    e = ledger.educator("TN", licenses=[{"type": "professional", "cycle_start": date(2021, 7, 1),
                                         "cycle_end": date(2026, 6, 30)}])
    ledger.record(e, title="Institute", hours=80, earned_on=date(2024, 6, 1))
    version_two(client, ledger)
    [ren] = renewal(client, ledger, e, "2026-08-30")  # the 61st day after cycle_end: the last of grace
    assert (ren["rule"], ren["required_units"], ren["grace_ends"]) == ("TN-PROFESSIONAL-2025", 90, "2026-08-30")
    assert ren["status"] == "in_progress"
    assert renewal(client, ledger, e, "2026-08-31")[0]["status"] == "lapsed"
    ledger.record(e, title="Summer course", hours=10, earned_on=date(2026, 8, 30))
    [done] = renewal(client, ledger, e, "2026-12-01")
    assert (done["status"], done["earned_units"]) == ("complete", 90)


def test_the_teacher_sees_the_days_of_grace_left(ledger, client, web_user, monkeypatch):
    from ledger import clock

    e = ledger.educator("TN", licenses=[{"type": "professional", "cycle_start": date(2021, 7, 1),
                                         "cycle_end": date(2026, 6, 30)}])
    ledger.record(e, title="Institute", hours=20, earned_on=date(2024, 6, 1))
    version_two(client, ledger)
    monkeypatch.setattr(clock, "today", lambda: date(2026, 7, 15))
    page = web_user("educator", educator=e.id)
    html = page.get("/me", follow_redirects=True).get_data(as_text=True)
    assert "In grace until 30 August 2026" in html
