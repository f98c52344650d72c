"""Licenses on the educator's page: every cycle for every reader in scope; renew, extend
and reinstate for the state office of the license's state (errors beside the form,
nothing changed)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from ..conftest import csrf_token

CYCLE = {"type": "professional", "cycle_start": date(2020, 7, 1), "cycle_end": date(2025, 6, 30)}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    from ledger import clock

    monkeypatch.setattr(clock, "today", lambda: date(2026, 12, 4))


def license_id(session, educator):
    from ledger.models import License

    return session.scalar(sa.select(License.id).where(License.educator_id == educator.id))


def test_the_teacher_sees_each_cycle_and_what_would_reinstate_a_lapsed_one(ledger, web_user):
    e = ledger.educator("TN", licenses=[CYCLE])
    page = web_user("educator", educator=e.id).get(f"/educators/{e.id}").get_data(as_text=True)
    assert "Licenses and their cycles" in page and "TN professional license" in page
    assert "ended short" in page and "open a new cycle (reinstatement)" in page
    assert "Renew cycle 1" not in page  # no forms for the teacher


def test_hr_reads_the_cycles_but_gets_no_forms(ledger, web_user):
    e = ledger.educator("UT", district="JUAB")
    page = web_user("district_hr", district="JUAB").get(f"/educators/{e.id}").get_data(as_text=True)
    assert "UT professional license" in page and "Renew cycle 1" not in page


def test_the_state_office_extends_then_reinstates_from_the_page(ledger, web_user, session):
    e = ledger.educator("TN", licenses=[CYCLE])
    lid = license_id(session, e)
    client = web_user("state_office", state="TN")
    token = csrf_token(client, f"/educators/{e.id}")
    r = client.post(f"/licenses/{lid}/extend", data={"csrf_token": token, "cycle_end": "2025-12-31",
                                                      "reason": "emergency extension"}, follow_redirects=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Cycle 1 now ends 2025-12-31." in page
    assert "Extended to 31 Dec 2025: emergency extension" in page and "(extended from 30 Jun 2025)" in page
    bad = client.post(f"/licenses/{lid}/cycle", data={"csrf_token": token, "cycle_start": "2025-12-01",
                                                       "cycle_end": "2030-06-30", "reason": "reinstated"})
    assert bad.status_code == 422 and "cycle_start: not after the last cycle" in bad.get_data(as_text=True)
    ok = client.post(f"/licenses/{lid}/cycle", data={"csrf_token": token, "cycle_start": "2026-09-01",
                                                      "cycle_end": "2031-08-31", "reason": "reinstated"},
                     follow_redirects=True)
    assert "Cycle 2 opened: 2026-09-01 to 2031-08-31." in ok.get_data(as_text=True)


def test_a_renewal_refused_on_the_page_says_why_and_changes_nothing(ledger, web_user, session):
    from ledger.models import License

    e = ledger.educator("TN", licenses=[CYCLE])
    lid = license_id(session, e)
    client = web_user("state_office", state="TN")
    r = client.post(f"/licenses/{lid}/renew", data={"csrf_token": csrf_token(client, f"/educators/{e.id}")})
    assert r.status_code == 422 and "status: lapsed on 2026-12-04" in r.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(License).where(License.educator_id == e.id)) == 1


def test_another_states_office_cannot_change_a_license_from_the_page(ledger, web_user, session):
    e = ledger.educator("UT", licenses=[{**CYCLE, "state": "TN"}, {**CYCLE, "state": "UT"}])
    from ledger.models import License, State

    tn = session.scalar(sa.select(License.id).join(State, State.id == License.state_id)
                        .where(License.educator_id == e.id, State.code == "TN"))
    client = web_user("state_office", state="UT")
    page = client.get(f"/educators/{e.id}").get_data(as_text=True)
    assert page.count("Renew cycle 1") == 1  # the UT license only
    r = client.post(f"/licenses/{tn}/extend", data={"csrf_token": csrf_token(client, f"/educators/{e.id}"),
                                                     "cycle_end": "2026-12-31", "reason": "x"})
    assert r.status_code == 403
