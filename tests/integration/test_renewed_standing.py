"""The standing answer follows a license's life (CONTRACT.md section 6, "Standing"): each
license's cycle holding `as_of` (else its latest begun), with its license id and number;
and a renewed cycle, from its renewal on, is what its renewal kept: no new rule, void or
grace rule moves it, nor what it took from the next cycle (grace entries, carry-over)."""

from __future__ import annotations

from copy import deepcopy
from datetime import date

import pytest

from .. import samples
from .test_licenses import CYCLE, licenses, renew

TODAY = date(2026, 12, 4)
NEXT = {**CYCLE, "cycle_start": date(2025, 7, 1), "cycle_end": date(2030, 6, 30)}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    from ledger import clock

    monkeypatch.setattr(clock, "today", lambda: TODAY)


def tn_version(client, ledger, **rule):
    """A new TN version whose professional rule (every cycle) is changed by `rule`."""
    doc = deepcopy(samples.TN)
    pro = next(r for r in doc["renewal"] if r["license"] == "professional")
    pro.update(cycle_years=5, **rule)
    r = client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers())
    assert r.status_code == 201, r.json


def renewal(client, ledger, educator, as_of):
    answer = client.get(f"/api/v1/educators/{educator.id}/standing?as_of={as_of}", headers=ledger.headers())
    assert answer.status_code == 200, answer.json
    return answer.json["renewal"]


def test_the_answer_holds_each_licenses_current_cycle_with_its_id_and_number(ledger, client):
    e = ledger.educator("TN", licenses=[CYCLE, NEXT])
    [lic] = licenses(client, ledger, e)
    assert [(r["cycle_number"], r["license_id"], r["cycle_start"]) for r in renewal(client, ledger, e, "2026-01-01")] \
        == [(2, lic["id"], "2025-07-01")]
    assert [(r["cycle_number"], r["cycle_end"]) for r in renewal(client, ledger, e, "2025-06-30")] \
        == [(1, "2025-06-30")]  # the first cycle's last day
    assert [r["cycle_number"] for r in renewal(client, ledger, e, "2025-07-01")] == [2]
    assert renewal(client, ledger, e, "2020-06-30") == []  # every cycle begins after as_of


def test_after_the_last_cycle_ends_the_answer_keeps_judging_it(ledger, client):
    e = ledger.educator("TN", licenses=[CYCLE])
    [r] = renewal(client, ledger, e, "2026-12-01")
    assert (r["cycle_number"], r["status"], r["renewed_on"]) == (1, "lapsed", None)


def test_a_renewed_cycle_is_not_rejudged_by_a_new_rule_or_a_void(ledger, client):
    tn_version(client, ledger)
    e = ledger.educator("TN", licenses=[CYCLE])
    entry = ledger.record(e, title="Summer institute", hours=60, earned_on=date(2023, 1, 10))
    [lic] = licenses(client, ledger, e)
    assert renew(client, ledger, lic["id"], renewed_on="2025-06-15").status_code == 201
    tn_version(client, ledger, required_units=100)  # stricter, for every cycle
    client.post(f"/api/v1/entries/{entry.id}/void", headers=ledger.headers(), json={"reason": "wrong teacher"})
    [kept] = renewal(client, ledger, e, "2025-06-20")  # inside cycle 1, after its renewal
    assert (kept["cycle_number"], kept["status"], kept["earned_units"], kept["renewed_on"]) == \
        (1, "complete", 60, "2025-06-15")
    assert kept["rulebook_version"] == 2 and kept["pace"] is None  # the version that judged it at renewal
    [before] = renewal(client, ledger, e, "2025-06-14")  # before its renewal: judged as it stood then
    assert (before["status"], before["renewed_on"]) == ("in_progress", None)
    [lic] = licenses(client, ledger, e)
    assert lic["cycles"][0]["status"] == "complete"


def test_the_grace_entries_a_renewal_counted_never_count_toward_the_next_cycle(ledger, client):
    tn_version(client, ledger, grace_days=61)
    e = ledger.educator("TN", licenses=[CYCLE])
    ledger.record(e, title="Institute", hours=50, earned_on=date(2023, 1, 1))
    ledger.record(e, title="Late course", hours=10, earned_on=date(2025, 8, 30))  # the last day of grace
    ledger.record(e, title="Next cycle's course", hours=5, earned_on=date(2025, 9, 10))
    [lic] = licenses(client, ledger, e)
    r = renew(client, ledger, lic["id"], renewed_on="2025-09-15")
    assert r.status_code == 201 and r.json["renewed_cycle"]["status"] == "complete"
    tn_version(client, ledger)  # no grace any more: re-judged, cycle 1 would lapse and free the late course
    [nxt] = renewal(client, ledger, e, "2026-01-01")
    assert (nxt["cycle_number"], nxt["earned_units"]) == (2, 5)
    [lic] = licenses(client, ledger, e)
    assert [c["status"] for c in lic["cycles"]] == ["complete", "in_progress"]


def test_what_a_renewal_carried_over_is_kept(ledger, client):
    tn_version(client, ledger, carry_over_max_units=10)
    e = ledger.educator("TN", licenses=[CYCLE])
    ledger.record(e, title="Institute", hours=75, earned_on=date(2023, 1, 1))
    [lic] = licenses(client, ledger, e)
    r = renew(client, ledger, lic["id"], renewed_on="2025-06-30")
    snapshot = next(ev for ev in r.json["renewed_cycle"]["events"] if ev["kind"] == "renewed")["snapshot"]
    assert snapshot["carry_out_units"] == "10"
    tn_version(client, ledger)  # carry-over withdrawn for every cycle
    [nxt] = renewal(client, ledger, e, "2026-01-01")
    assert (nxt["cycle_number"], nxt["carried_over_units"], nxt["earned_units"]) == (2, 10, 10)
