"""Licenses through their life over the API (CONTRACT.md section 6): add one, renew its
latest cycle (what it earned frozen), extend it, open a cycle after a gap; each change an
append-only event with who, when and why."""

from __future__ import annotations

from copy import deepcopy
from datetime import date

import pytest
import sqlalchemy as sa

from .. import samples
from .test_attacks import at_once

TODAY = date(2026, 12, 4)
CYCLE = {"type": "professional", "cycle_start": date(2020, 7, 1), "cycle_end": date(2025, 6, 30)}


@pytest.fixture
def today(monkeypatch):
    from ledger import clock

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def tn_with_cycle_years(ledger, session):
    """TN's version 2: its rules give 5-year cycles (loaded through the service, so that
    threads' clients are plain ones)."""
    from ledger.rulebooks.service import load_rulebook

    from ..conftest import ACTOR

    doc = deepcopy(samples.TN)
    for rule in doc["renewal"]:
        rule["cycle_years"] = 5
    load_rulebook(session, ACTOR, doc)
    session.commit()


def office(ledger, state="TN"):
    return ledger.headers("state_office", state=state)


def licenses(client, ledger, educator):
    r = client.get(f"/api/v1/educators/{educator.id}/licenses", headers=ledger.headers())
    assert r.status_code == 200, r.json
    return r.json


def renew(client, ledger, license_id, headers=None, **body):
    return client.post(f"/api/v1/licenses/{license_id}/renewals", json=body, headers=headers or office(ledger))


def complete(ledger, educator, on=date(2023, 1, 10)):
    ledger.record(educator, title="Summer institute", hours=60, earned_on=on)


# -- reading

def test_each_license_lists_its_cycles_numbered_with_status_and_events(ledger, client, today):
    e = ledger.educator("TN", licenses=[CYCLE, {**CYCLE, "cycle_start": date(2025, 7, 1),
                                                "cycle_end": date(2030, 6, 30)}])
    complete(ledger, e)
    [lic] = licenses(client, ledger, e)
    assert (lic["state"], lic["type"]) == ("TN", "professional")
    assert [(c["number"], c["cycle_start"], c["cycle_end"], c["status"]) for c in lic["cycles"]] == [
        (1, "2020-07-01", "2025-06-30", "complete"), (2, "2025-07-01", "2030-06-30", "in_progress")]
    assert [ev["kind"] for ev in lic["cycles"][0]["events"]] == ["opened"]
    assert lic["cycles"][0]["original_cycle_end"] == "2025-06-30" and lic["cycles"][0]["renewed_on"] is None


def test_hr_reads_its_employees_licenses_and_not_others(ledger, client, today):
    mine, other = ledger.educator("UT", district="JUAB"), ledger.educator("UT")
    hr = ledger.headers("district_hr", district="JUAB")
    assert client.get(f"/api/v1/educators/{mine.id}/licenses", headers=hr).status_code == 200
    assert client.get(f"/api/v1/educators/{other.id}/licenses", headers=hr).status_code == 404


# -- adding a license

def test_a_state_office_adds_a_license_once(ledger, client, today):
    e = ledger.educator("TN", licenses=[])
    body = {"state": "TN", "type": "practitioner", "cycle_start": "2024-07-01", "cycle_end": "2027-06-30"}
    r = client.post(f"/api/v1/educators/{e.id}/licenses", json=body, headers=office(ledger))
    assert r.status_code == 201 and r.json["cycles"][0]["number"] == 1
    again = client.post(f"/api/v1/educators/{e.id}/licenses", json=body, headers=office(ledger))
    assert again.status_code == 409 and "type" in again.json["errors"]
    unknown = client.post(f"/api/v1/educators/{e.id}/licenses", json={**body, "type": "wizard"},
                          headers=office(ledger))
    assert unknown.status_code == 422 and "type" in unknown.json["errors"]


@pytest.mark.parametrize("role,scope,status", [
    ("state_office", {"state": "UT"}, 404),      # does not see a TN-only educator
    ("district_hr", {"district": "JUAB"}, 404),
    ("admin", {}, 201),
])
def test_who_may_add_a_license(ledger, client, today, role, scope, status):
    e = ledger.educator("TN", licenses=[])
    body = {"state": "TN", "type": "practitioner", "cycle_start": "2024-07-01", "cycle_end": "2027-06-30"}
    r = client.post(f"/api/v1/educators/{e.id}/licenses", json=body, headers=ledger.headers(role, **scope))
    assert r.status_code == status


def test_another_states_office_may_read_but_not_write_a_license_of_an_educator_it_sees(ledger, client, today):
    e = ledger.educator("UT", licenses=[{**CYCLE, "state": "TN"}, {**CYCLE, "state": "UT"}])
    tn_license = next(lic for lic in licenses(client, ledger, e) if lic["state"] == "TN")
    r = renew(client, ledger, tn_license["id"], headers=office(ledger, "UT"), waive_reason="x",
              next_cycle_end="2030-06-30")
    assert r.status_code == 403


def test_the_same_type_twice_for_one_state_in_a_new_educator_is_refused(ledger, client):
    r = client.post("/api/v1/educators", headers=ledger.headers(), json={
        "license_number": "TWICE-1", "state": "TN", "first_name": "A", "last_name": "B",
        "licenses": [{"type": "professional", "cycle_start": "2015-07-01", "cycle_end": "2020-06-30"},
                     {"type": "professional", "cycle_start": "2020-07-01", "cycle_end": "2025-06-30"}]})
    assert r.status_code == 422 and "licenses[1].type" in r.json["errors"]


# -- renewal

def test_a_complete_cycle_renews_into_the_next_by_the_rules_cycle_years(ledger, client, today, tn_with_cycle_years):
    e = ledger.educator("TN", licenses=[CYCLE])
    complete(ledger, e)
    [lic] = licenses(client, ledger, e)
    r = renew(client, ledger, lic["id"], renewed_on="2025-06-15")
    assert r.status_code == 201, r.json
    renewed, nxt = r.json["renewed_cycle"], r.json["next_cycle"]
    assert (renewed["number"], renewed["renewed_on"], renewed["status"]) == (1, "2025-06-15", "complete")
    assert (nxt["number"], nxt["cycle_start"], nxt["cycle_end"]) == (2, "2025-07-01", "2030-06-30")
    snapshot = next(ev for ev in renewed["events"] if ev["kind"] == "renewed")["snapshot"]
    assert (snapshot["status"], snapshot["earned_units"], snapshot["required_units"]) == ("complete", "60", "60")
    assert snapshot["rule"] == "TN-PROFESSIONAL" and snapshot["rulebook_version"] == 2


def test_what_a_renewed_cycle_earned_is_frozen(ledger, client, today, tn_with_cycle_years):
    e = ledger.educator("TN", licenses=[CYCLE])
    entry = ledger.record(e, title="Summer institute", hours=60, earned_on=date(2023, 1, 10))
    [lic] = licenses(client, ledger, e)
    assert renew(client, ledger, lic["id"]).status_code == 201
    client.post(f"/api/v1/entries/{entry.id}/void", headers=ledger.headers(), json={"reason": "wrong teacher"})
    [lic] = licenses(client, ledger, e)
    assert lic["cycles"][0]["status"] == "complete"  # as renewed, not re-judged


def test_the_standing_follows_the_license_into_its_next_cycle(ledger, client, today, tn_with_cycle_years):
    e = ledger.educator("TN", licenses=[CYCLE])
    complete(ledger, e)
    ledger.record(e, title="New cycle course", hours=5, earned_on=date(2025, 9, 1))
    [lic] = licenses(client, ledger, e)
    renew(client, ledger, lic["id"], renewed_on="2025-06-30")
    s = client.get(f"/api/v1/educators/{e.id}/standing?as_of=2026-01-01", headers=ledger.headers()).json
    current = [r for r in s["renewal"] if r["cycle_start"] <= "2026-01-01" <= r["cycle_end"]]
    assert [(r["cycle_start"], r["earned_units"], r["status"]) for r in current] == [("2025-07-01", 5, "in_progress")]


def test_a_cycle_not_complete_is_renewed_only_with_a_waive_reason(ledger, client, today, tn_with_cycle_years):
    e = ledger.educator("TN", licenses=[CYCLE])
    [lic] = licenses(client, ledger, e)
    refused = renew(client, ledger, lic["id"])
    assert refused.status_code == 422 and "status" in refused.json["errors"]
    assert "lapsed" in refused.json["errors"]["status"][0]
    waived = renew(client, ledger, lic["id"], waive_reason="hardship approved by the board")
    assert waived.status_code == 201
    event = next(ev for ev in waived.json["renewed_cycle"]["events"] if ev["kind"] == "renewed")
    assert event["reason"] == "hardship approved by the board" and event["snapshot"]["status"] == "lapsed"


def test_without_cycle_years_the_next_end_must_be_given(ledger, client, today):
    e = ledger.educator("TN", licenses=[CYCLE])
    complete(ledger, e)
    [lic] = licenses(client, ledger, e)
    r = renew(client, ledger, lic["id"])
    assert r.status_code == 422 and "next_cycle_end" in r.json["errors"]
    early = renew(client, ledger, lic["id"], next_cycle_end="2025-06-30")
    assert early.status_code == 422 and "next_cycle_end" in early.json["errors"]
    r = renew(client, ledger, lic["id"], next_cycle_end="2031-06-30")
    assert r.status_code == 201 and r.json["next_cycle"]["cycle_end"] == "2031-06-30"


def test_a_cycle_is_renewed_once_and_only_the_latest(ledger, client, today, tn_with_cycle_years):
    e = ledger.educator("TN", licenses=[CYCLE])
    complete(ledger, e)
    [lic] = licenses(client, ledger, e)
    assert renew(client, ledger, lic["id"]).status_code == 201
    again = renew(client, ledger, lic["id"], cycle_number=1)
    assert again.status_code == 409 and "already renewed" in again.json["errors"]["cycle_number"][0]
    assert renew(client, ledger, lic["id"], cycle_number=7).status_code == 409


@pytest.mark.parametrize("renewed_on,field", [("2026-12-05", "renewed_on"), ("2020-06-30", "renewed_on")])
def test_renewed_on_is_neither_after_today_nor_before_the_cycle(ledger, client, today, tn_with_cycle_years,
                                                                  renewed_on, field):
    e = ledger.educator("TN", licenses=[CYCLE])
    complete(ledger, e)
    [lic] = licenses(client, ledger, e)
    r = renew(client, ledger, lic["id"], renewed_on=renewed_on)
    assert r.status_code == 422 and field in r.json["errors"]
    assert renew(client, ledger, lic["id"], renewed_on="2026-12-04").status_code == 201  # today itself


def test_a_renewal_into_29_february_ends_on_27_february(ledger, client, today, tn_with_cycle_years):
    e = ledger.educator("TN", licenses=[{"type": "professional", "cycle_start": date(2019, 3, 1),
                                         "cycle_end": date(2024, 2, 28)}])
    complete(ledger, e, on=date(2022, 1, 1))
    [lic] = licenses(client, ledger, e)
    nxt = renew(client, ledger, lic["id"]).json["next_cycle"]
    assert (nxt["cycle_start"], nxt["cycle_end"]) == ("2024-02-29", "2029-02-27")


def test_a_lapsed_cycle_completed_in_grace_can_be_renewed(ledger, client, today):
    doc = deepcopy(samples.TN)
    for rule in doc["renewal"]:
        rule.update(grace_days=61, cycle_years=5)
    client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers())
    e = ledger.educator("TN", licenses=[CYCLE])
    ledger.record(e, title="Institute", hours=50, earned_on=date(2023, 1, 1))
    ledger.record(e, title="Late course", hours=10, earned_on=date(2025, 8, 30))  # the 61st day of grace
    [lic] = licenses(client, ledger, e)
    r = renew(client, ledger, lic["id"], renewed_on="2025-09-15")
    assert r.status_code == 201 and r.json["renewed_cycle"]["status"] == "complete"


# -- extensions and cycles after a gap

def test_an_extension_moves_the_end_keeps_the_original_and_counts_entries_to_the_new_end(ledger, client, today):
    e = ledger.educator("TN", licenses=[CYCLE])
    ledger.record(e, title="Institute", hours=55, earned_on=date(2023, 1, 1))
    ledger.record(e, title="After the old end", hours=5, earned_on=date(2025, 9, 1))
    [lic] = licenses(client, ledger, e)
    r = client.post(f"/api/v1/licenses/{lic['id']}/extensions", headers=office(ledger),
                    json={"cycle_end": "2025-12-31", "reason": "emergency rule: one-year extension"})
    assert r.status_code == 201, r.json
    assert (r.json["cycle_end"], r.json["original_cycle_end"]) == ("2025-12-31", "2025-06-30")
    assert r.json["events"][-1]["reason"] == "emergency rule: one-year extension"
    [ren] = client.get(f"/api/v1/educators/{e.id}/standing?as_of=2026-01-01", headers=ledger.headers()).json[
        "renewal"]
    assert (ren["cycle_end"], ren["earned_units"], ren["status"]) == ("2025-12-31", 60, "complete")
    same = client.post(f"/api/v1/licenses/{lic['id']}/extensions", headers=office(ledger),
                       json={"cycle_end": "2025-12-31", "reason": "again"})
    assert same.status_code == 422 and "cycle_end" in same.json["errors"]


def test_a_cycle_after_a_gap_reinstates_a_lapsed_license(ledger, client, today):
    e = ledger.educator("TN", licenses=[CYCLE])
    [lic] = licenses(client, ledger, e)
    overlapping = client.post(f"/api/v1/licenses/{lic['id']}/cycles", headers=office(ledger), json={
        "cycle_start": "2025-06-30", "cycle_end": "2030-06-30", "reason": "reinstated"})
    assert overlapping.status_code == 422 and "cycle_start" in overlapping.json["errors"]
    r = client.post(f"/api/v1/licenses/{lic['id']}/cycles", headers=office(ledger), json={
        "cycle_start": "2026-09-01", "cycle_end": "2031-08-31", "reason": "reinstated after coursework"})
    assert r.status_code == 201 and r.json["number"] == 2
    [lic] = licenses(client, ledger, e)
    assert [c["status"] for c in lic["cycles"]] == ["lapsed", "in_progress"]
    assert lic["cycles"][1]["events"][0]["reason"] == "reinstated after coursework"


def test_license_events_are_history_and_join_the_chain(ledger, client, runner, today, tn_with_cycle_years):
    from ledger.models import db

    e = ledger.educator("TN", licenses=[CYCLE])
    complete(ledger, e)
    [lic] = licenses(client, ledger, e)
    renew(client, ledger, lic["id"])
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(sa.text("UPDATE license_events SET reason = 'forged'"))
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(sa.text("DELETE FROM license_events"))
    out = runner.invoke(args=["ledger", "verify-ledger"])
    assert out.exit_code == 0, out.output


@pytest.mark.committed
def test_two_renewals_at_once_renew_once(app, ledger, session, today, tn_with_cycle_years):
    from ledger.models import License, LicenseEvent, db

    e = ledger.educator("TN", licenses=[CYCLE])
    complete(ledger, e)
    license_id = db.session.scalar(sa.select(License.id).where(License.educator_id == e.id))
    headers = office(ledger)
    statuses = at_once(app, 4, lambda c: c.post(f"/api/v1/licenses/{license_id}/renewals", json={},
                                                headers=headers).status_code)
    assert sorted(statuses) == [201, 409, 409, 409]
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(License).where(License.educator_id == e.id)) == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LicenseEvent)
                             .where(LicenseEvent.kind == "renewed", LicenseEvent.license_id == license_id)) == 1


# -- the command line: one renewal, a season

def test_renew_one_license_from_the_command_line(ledger, runner, session, today, tn_with_cycle_years):
    from ledger.models import License

    e = ledger.educator("TN", licenses=[CYCLE])
    complete(ledger, e)
    license_id = session.scalar(sa.select(License.id).where(License.educator_id == e.id))
    out = runner.invoke(args=["ledger", "renew", str(license_id), "--renewed-on", "2025-06-20"])
    assert out.exit_code == 0, out.output
    assert "cycle 1 renewed (complete); cycle 2 runs 2025-07-01 to 2030-06-30" in out.output
    again = runner.invoke(args=["ledger", "renew", str(license_id)])
    assert again.exit_code == 1 and "cycle 2 is in_progress" in again.output  # the latest cycle now


def test_a_season_renews_the_complete_cycles_and_names_the_others_with_a_dry_run_first(
        ledger, runner, session, today, tn_with_cycle_years):
    from ledger.models import License

    done, short = ledger.educator("TN", licenses=[CYCLE]), ledger.educator("TN", licenses=[CYCLE])
    later = ledger.educator("TN", licenses=[{**CYCLE, "cycle_end": date(2026, 6, 30)}])
    complete(ledger, done)
    complete(ledger, later)

    def cycles():
        return session.scalar(sa.select(sa.func.count()).select_from(License)
                              .where(License.educator_id.in_([done.id, short.id, later.id])))

    dry = runner.invoke(args=["ledger", "renew", "--state", "tn", "--ending-before", "2025-07-01", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "2 licenses with a cycle ending before 2025-07-01; would renew 1, not renewed 1" in dry.output
    assert f"educator {short.id}, professional, ends 2025-06-30): lapsed" in dry.output
    assert cycles() == 3
    real = runner.invoke(args=["ledger", "renew", "--state", "TN", "--ending-before", "2025-07-01"])
    assert real.exit_code == 0 and "renewed 1, not renewed 1" in real.output
    assert cycles() == 4
    assert "0 licenses" in runner.invoke(args=["ledger", "renew", "--state", "TN", "--ending-before",
                                               "2025-06-01"]).output


def test_the_renew_command_names_what_is_missing(ledger, runner):
    assert runner.invoke(args=["ledger", "renew"]).exit_code == 2
    assert runner.invoke(args=["ledger", "renew", "--state", "TN"]).exit_code == 2
    out = runner.invoke(args=["ledger", "renew", "--state", "ZZ", "--ending-before", "2025-01-01"])
    assert out.exit_code == 1 and "state" in out.output
