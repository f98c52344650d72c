"""The standing projection (issue 18): every kind of write keeps it equal to the engine in
the same transaction, its date-driven parts are judged when read (a cycle's last day, the
first day of grace, the day after grace, behind pace to the day, 29 February), what moves
a figure by date alone is caught up, a new rulebook version re-judges the state, and
`flask ledger check-standings` finds any difference."""

from copy import deepcopy
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from ledger import clock
from ledger.models import Credential, Educator, Issuer, StandingCard, StandingCount, StandingCycle, db
from ledger.standing import check, lists, projection

from .. import samples
from ..conftest import ACTOR

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def lic(start, end, type_="professional"):
    return [{"type": type_, "cycle_start": start, "cycle_end": end}]


def everyone(session) -> list[int]:
    return list(session.scalars(sa.select(Educator.id).order_by(Educator.id)))


def no_difference(session, day=TODAY, ids=None):
    """The engine and the projection agree on these educators (default: everyone), and each
    state's kept counts on the rows, as the pages read both on `day`."""
    from ledger.models import State
    found = [str(d) for d in check.differences(session, ids or everyone(session), day)]
    found += [line for state in session.scalars(sa.select(State)) for line in check.count_differences(session, state, day)]
    assert found == []


def status_of(session, educator, day=TODAY, state="TN"):
    """The projection's status of the educator's current cycles on `day`, by license type."""
    from ledger.models import State
    state_id = session.scalar(sa.select(State.id).where(State.code == state))
    status = lists.read_status(session.get_bind().dialect.name, day)
    C = StandingCycle
    return dict(session.execute(sa.select(C.license_type, status).where(
        C.educator_id == educator.id, C.state_id == state_id, lists.current_on(day))).all())


def units_of(session, educator):
    C = StandingCycle
    return session.scalar(sa.select(C.earned_units).where(C.educator_id == educator.id,
                                                          lists.current_on(TODAY)))


# -- every kind of write, in its own transaction

def test_recording_and_voiding_an_entry_judge_the_educator_again(ledger, client, session):
    e = ledger.educator("TN", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))
    assert status_of(session, e) == {"professional": "behind_pace"} and units_of(session, e) == 0
    r = client.post(f"/api/v1/educators/{e.id}/entries", headers=ledger.headers(),
                    json={"kind": "activity", "title": "Institute", "hours": 60, "earned_on": "2025-01-10"})
    assert r.status_code == 201, r.json
    assert status_of(session, e) == {"professional": "complete"} and units_of(session, e) == 60
    no_difference(session)
    v = client.post(f"/api/v1/entries/{r.json['id']}/void", headers=ledger.headers(), json={"reason": "typo"})
    assert v.status_code in (200, 201), v.json
    assert status_of(session, e) == {"professional": "behind_pace"} and units_of(session, e) == 0
    no_difference(session)


def test_a_renewal_an_extension_and_a_review_judge_the_educator_again(ledger, client, session):
    e = ledger.educator("TN", licenses=lic(date(2021, 12, 1), date(2026, 11, 30)))
    ledger.record(e, title="Institute", hours=60, earned_on=date(2023, 1, 1))
    [lic_id] = session.scalars(sa.select(StandingCycle.license_id).where(StandingCycle.educator_id == e.id))
    r = client.post(f"/api/v1/licenses/{lic_id}/renewals", json={"renewed_on": "2026-11-20",
                                                                  "next_cycle_end": "2031-11-30"},
                    headers=ledger.headers("state_office", state="TN"))
    assert r.status_code == 201, r.json
    rows = session.execute(sa.select(StandingCycle.cycle_number, StandingCycle.cycle_start,
                                      StandingCycle.superseded_on, StandingCycle.fixed_status)
                           .where(StandingCycle.educator_id == e.id).order_by(StandingCycle.cycle_start)).all()
    assert rows == [(1, date(2021, 12, 1), date(2026, 12, 1), "complete"), (2, date(2026, 12, 1), None, None)]
    no_difference(session)
    no_difference(session, date(2026, 12, 1))  # the new cycle is current from its first day, without a write

    other = ledger.educator("TN", licenses=lic(date(2021, 7, 1), date(2026, 6, 30)))
    [other_lic] = session.scalars(sa.select(StandingCycle.license_id).where(StandingCycle.educator_id == other.id))
    assert status_of(session, other) == {"professional": "lapsed"}
    x = client.post(f"/api/v1/licenses/{other_lic}/extensions", headers=ledger.headers("state_office", state="TN"),
                    json={"cycle_end": "2027-06-30", "reason": "emergency rule"})
    assert x.status_code == 201, x.json
    assert status_of(session, other) == {"professional": "behind_pace"}
    no_difference(session)

    issuer = session.scalar(sa.select(Issuer).where(Issuer.code == "DP"))
    session.add(Credential(code="OB-PROJ", title="Imported", issuer_id=issuer.id, tags=["x"],
                           badge_id="https://badges.example.org/proj", reviewed=False))
    session.commit()
    ledger.record(other, "OB-PROJ", earned_on=date(2024, 3, 1))
    before = units_of(session, other)
    r = client.post("/api/v1/catalog/OB-PROJ/review", json={"decision": "approved"}, headers=ledger.headers())
    assert r.status_code == 200, r.json
    assert units_of(session, other) == before + 6  # TN's general rate since 2020-07-01
    no_difference(session)


def test_an_import_judges_everyone_it_wrote_for(ledger, client, session):
    a = ledger.educator("TN", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)), license_number="TN-PRJ-1")
    b = ledger.educator("TN", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)), license_number="TN-PRJ-2")
    body = "\n".join(["license_number,state,earned_on,credential,title,hours,tags,external_id",
                      "TN-PRJ-1,TN,2025-02-01,,Institute,60,,x1", "TN-PRJ-2,TN,2025-02-01,BB-CM-01,,,,x2"]) + "\n"
    r = client.post("/api/v1/imports", query_string={"format": "csv"}, data=body.encode(),
                    headers={**ledger.headers(), "Content-Type": "text/csv"})
    assert r.status_code in (200, 201), r.json
    assert (units_of(session, a), units_of(session, b)) == (60, 8)
    no_difference(session)


def test_a_move_between_districts_and_a_new_hire_are_projected(ledger, client, session):
    e = ledger.educator("UT", district="JUAB", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)),
                        employed_since=date(2024, 7, 1))
    assert status_of(session, e, state="UT") == {"professional": "behind_pace"}
    r = client.post(f"/api/v1/educators/{e.id}/employment", json={"district": None, "started_on": "2026-11-01"},
                    headers=ledger.headers())
    assert r.status_code in (200, 201), r.json
    no_difference(session)


def test_a_new_rulebook_version_judges_the_state_again_in_its_transaction(ledger, client, session):
    e = ledger.educator("TN", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))
    ledger.record(e, title="Institute", hours=60, earned_on=date(2025, 1, 1))
    assert status_of(session, e) == {"professional": "complete"}
    doc = deepcopy(samples.TN)
    next(r for r in doc["renewal"] if r["license"] == "professional")["required_units"] = 90
    r = client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers())
    assert r.status_code == 201, r.json
    assert status_of(session, e) == {"professional": "on_pace"}
    from ledger.models import State
    assert projection.outdated(session, session.scalar(sa.select(State).where(State.code == "TN"))) == 0
    no_difference(session)


# -- what the date alone changes, judged when read

def test_the_last_day_of_a_cycle_the_first_of_grace_and_the_day_after_grace(ledger, client, session):
    doc = deepcopy(samples.TN)
    pro = next(r for r in doc["renewal"] if r["license"] == "professional")
    pro["grace_days"] = 30
    assert client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers()).status_code == 201
    e = ledger.educator("TN", licenses=lic(date(2022, 12, 1), date(2026, 12, 31)))
    ledger.record(e, title="Institute", hours=59, earned_on=date(2024, 1, 1))
    ids = [e.id]
    for day, want in ((date(2026, 12, 31), "behind_pace"), (date(2027, 1, 1), "in_grace"),
                      (date(2027, 1, 30), "in_grace"), (date(2027, 1, 31), "lapsed")):
        assert status_of(session, e, day) == {"professional": want}, day
        no_difference(session, day, ids)


def test_behind_pace_turns_on_the_exact_day(ledger, session):
    # 30 of 60 units in a 730-day cycle: on pace while half or less of it has gone by
    e = ledger.educator("TN", licenses=lic(date(2025, 1, 1), date(2027, 1, 1)))
    ledger.record(e, title="Institute", hours=30, earned_on=date(2025, 2, 1))
    assert status_of(session, e, date(2026, 1, 1)) == {"professional": "on_pace"}    # day 365 of 730
    assert status_of(session, e, date(2026, 1, 2)) == {"professional": "behind_pace"}  # day 366
    for day in (date(2026, 1, 1), date(2026, 1, 2)):
        no_difference(session, day, [e.id])


def test_a_cycle_ending_on_29_february(ledger, session):
    e = ledger.educator("TN", licenses=lic(date(2023, 3, 1), date(2028, 2, 29)))
    for day, want in ((date(2028, 2, 29), "behind_pace"), (date(2028, 3, 1), "lapsed")):
        assert status_of(session, e, day) == {"professional": want}
        no_difference(session, day, [e.id])


def test_a_lapse_in_grace_gives_its_grace_entries_to_the_next_cycle_at_the_daily_catch_up(ledger, client, session,
                                                                                         monkeypatch):
    doc = deepcopy(samples.TN)
    next(r for r in doc["renewal"] if r["license"] == "professional")["grace_days"] = 10
    assert client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers()).status_code == 201
    e = ledger.educator("TN", licenses=[*lic(date(2021, 11, 21), date(2026, 11, 20)),
                                        *lic(date(2026, 11, 21), date(2031, 11, 20))])
    ledger.record(e, title="Late course", hours=5, earned_on=date(2026, 11, 22))  # in grace
    no_difference(session)
    after = date(2026, 12, 1)  # grace ended on 30 November: the course belongs to the next cycle now
    assert [str(d) for d in check.differences(session, [e.id], after)], "the units moved by date alone"
    assert projection.stale_educators(session, after) == [e.id]
    assert projection.catch_up(session, after) == 1
    no_difference(session, after, [e.id])


# -- role cards, and check-standings finding a difference

def test_a_designation_is_held_then_lapses_when_its_maintenance_ends_short(ledger, client, session):
    doc = deepcopy(samples.TN)
    doc["pathways"] = [{"code": "TN-LEAD", "name": "Assessment lead", "designation": "Assessment Lead",
                        "core": ["DP-FA-01", "DP-FA-02"], "required_count": 2,
                        "maintenance": [{"years": 1, "required_count": 1}]}]
    r = client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers())
    assert r.status_code == 201, r.json
    e = ledger.educator("TN", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))
    ledger.record(e, "DP-FA-01", earned_on=date(2026, 1, 5))
    card = session.execute(sa.select(StandingCard.status, StandingCard.counted).where(
        StandingCard.educator_id == e.id)).one()
    assert tuple(card) == ("in_progress", 1)
    ledger.record(e, "DP-FA-02", earned_on=date(2026, 2, 5))
    row = session.scalars(sa.select(StandingCard).where(StandingCard.educator_id == e.id)).one()
    assert row.status == "active" and row.lapses_on is not None
    stage = lists.stage_expr
    held = session.scalar(sa.select(stage(row.lapses_on - timedelta(days=1))).where(StandingCard.educator_id == e.id))
    gone = session.scalar(sa.select(stage(row.lapses_on)).where(StandingCard.educator_id == e.id))
    assert (held, gone) == ("held", "lapsed")
    for day in (row.lapses_on - timedelta(days=1), row.lapses_on):
        no_difference(session, day, [e.id])


def test_check_standings_reports_a_tampered_row_and_refresh_mends_it(ledger, runner, session):
    e = ledger.educator("TN", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))
    ledger.record(e, title="Institute", hours=20, earned_on=date(2025, 1, 1))
    ok = runner.invoke(args=["ledger", "check-standings", "--state", "TN"])
    assert ok.exit_code == 0 and "0 difference(s)" in ok.output, ok.output
    # the units (the dates then judge the row on pace: the kept counts disagree too), the
    # stored status, the kept counts: each is found, and a refresh mends it
    for tamper, found in (
            (sa.update(StandingCycle).where(StandingCycle.educator_id == e.id).values(earned_units=59),
             [f"educator {e.id} cycle", "on_pace: rows 1, kept 0"]),
            (sa.update(StandingCycle).where(StandingCycle.educator_id == e.id).values(status="complete"),
             [f"educator {e.id} cycle", "('complete'"]),
            (sa.update(StandingCount).where(StandingCount.key == "behind_pace").values(count=5),
             ["behind_pace: rows 1, kept 5", "1 difference(s)"])):
        session.execute(tamper)
        session.commit()
        bad = runner.invoke(args=["ledger", "check-standings", "--state", "TN"])
        assert bad.exit_code == 1 and all(f in bad.output for f in found), bad.output
        fixed = runner.invoke(args=["ledger", "refresh-standings", "--state", "TN"])
        assert fixed.exit_code == 0, fixed.output
        assert runner.invoke(args=["ledger", "check-standings"]).exit_code == 0
    unknown = runner.invoke(args=["ledger", "check-standings", "--state", "ZZ"])
    assert unknown.exit_code == 1 and "no state 'ZZ'" in unknown.output


def test_the_overview_counts_move_with_a_write(ledger, web_user, session):
    e = ledger.educator("TN", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))
    client = web_user("state_office", state="TN")
    import re

    def complete():
        page = client.get("/state").get_data(as_text=True)
        return int(re.search(r'data-testid="kpi-complete">(\d+)<', page).group(1))
    before = complete()
    ledger.record(e, title="Institute", hours=60, earned_on=date(2025, 1, 1))
    assert complete() == before + 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(StandingCycle)) > 0


def test_a_submission_approved_is_projected_with_its_entry(ledger, client, session):
    e = ledger.educator("UT", district="JUAB", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))
    me = ledger.headers("educator", educator=e.id)
    r = client.post(f"/api/v1/educators/{e.id}/submissions", headers=me,
                    json={"kind": "microcredential", "credential": "DP-FA-01", "earned_on": "2025-03-01"})
    assert r.status_code == 201, r.json
    assert units_of(session, e) == 0  # pending: nothing counts yet
    ok = client.post(f"/api/v1/submissions/{r.json['id']}/approve", json={},
                     headers=ledger.headers("district_hr", district="JUAB"))
    assert ok.status_code == 201, ok.json
    assert units_of(session, e) == 7.5
    no_difference(session)


def test_the_issuer_totals_follow_every_write(ledger, client, session):
    from ledger.entries.service import void_entry
    from ledger.models import State
    from ledger.standing.issuers import totals
    from ledger.standing.report import mcs_by_issuer

    tn = session.scalar(sa.select(State).where(State.code == "TN"))
    e = ledger.educator("TN", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))
    ledger.record(e, "DP-FA-01", earned_on=date(2025, 1, 1))
    gone = ledger.record(e, "BB-CM-01", earned_on=date(2025, 2, 1))
    ut = ledger.educator("UT")  # a Utah teacher: in Tennessee's counts only once they hold a TN license
    ledger.record(ut, "NEA-SE-01", earned_on=date(2025, 3, 1))
    assert totals(session, tn) == mcs_by_issuer(session, tn)
    void_entry(session, ACTOR, gone.id, "typo")
    session.commit()
    assert totals(session, tn) == mcs_by_issuer(session, tn) == [("Digital Promise", 1)]
    r = client.post(f"/api/v1/educators/{ut.id}/licenses", headers=ledger.headers(),
                    json={"state": "TN", "type": "professional", "cycle_start": "2024-07-01", "cycle_end": "2029-06-30"})
    assert r.status_code == 201, r.json
    assert totals(session, tn) == mcs_by_issuer(session, tn) == [("Digital Promise", 1),
                                                                 ("National Education Association", 1)]
    from ledger.standing.check import issuer_differences
    assert issuer_differences(session, tn) == []


@pytest.mark.committed
def test_a_large_states_new_version_is_refreshed_after_the_request_and_the_pages_show_it(ledger, client, app,
                                                                                        session, monkeypatch):
    import threading
    import time

    from ledger.models import State
    from ledger.standing import tasks
    e = ledger.educator("TN", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))
    ledger.record(e, title="Institute", hours=60, earned_on=date(2025, 1, 1))
    app.config["STANDINGS_INLINE_LIMIT"] = 0  # every state is "large": the request leaves it to a thread
    go = threading.Event()
    real = tasks.refresh_state
    monkeypatch.setattr(tasks, "refresh_state", lambda state_id: go.wait(30) and real(state_id))
    doc = deepcopy(samples.TN)
    next(r for r in doc["renewal"] if r["license"] == "professional")["required_units"] = 90
    assert client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers()).status_code == 201
    tn = session.scalar(sa.select(State).where(State.code == "TN"))
    session.rollback()
    assert projection.outdated(session, tn) == 1  # answered before the refresh: still the old version's
    go.set()
    for _ in range(300):  # the thread commits its batches; wait for it
        session.rollback()
        if projection.outdated(session, tn) == 0:
            break
        time.sleep(0.1)
    assert projection.outdated(session, tn) == 0
    assert status_of(session, e) == {"professional": "on_pace"}
    no_difference(session)
