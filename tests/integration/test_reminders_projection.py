"""The reminder job reads the standing projection, never the engine: held here to what the
engine says (rules.educator_notices over the engine's standing, through the same pure
rules) on the edge days: 181 and 180 days before a cycle's end, each threshold's day, the
last day of the cycle, grace's first and last days and the day after, a maintenance
period's 181st and 180th days before its end and its last day; the digest's "at risk"
line; a stale projection caught up before it is read. On both engines."""

from __future__ import annotations

from copy import deepcopy
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from ledger import clock
from ledger.models import Educator, Notice, RulebookVersion, StandingCycle, State, db
from ledger.reminders import digest, rules, service
from ledger.standing.many import standings_for
from tests.integration.test_pathways_api import UT_CARDS

from .. import samples

END = date(2025, 6, 30)  # the sample educator's cycle: 2020-07-01 to 2025-06-30, 60 PDPs in TN
DAY = timedelta(days=1)


def engine_says(educator, day: date) -> dict:
    """The notices the engine finds due for this educator on `day`, by key."""
    session = db.session
    state_id = session.scalar(sa.select(Educator.state_id).where(Educator.id == educator.id))
    version = session.scalars(sa.select(RulebookVersion).where(RulebookVersion.state_id == state_id)
                              .order_by(RulebookVersion.version.desc())).first()
    district = educator.district.code if educator.district is not None else None
    [(_, standing)] = list(standings_for(session, version, day, [educator.id], district=district, pathways=True))
    return {(d.kind, d.cycle, d.threshold): d for d in rules.educator_notices(standing, day)}, standing


def job_records(educator, day: date) -> dict:
    """What the job records for this educator on `day`, by key."""
    service.record_due(db.session, day, checkpoint=db.session.commit)
    db.session.commit()
    rows = db.session.scalars(sa.select(Notice).where(Notice.educator_id == educator.id, Notice.as_of == day))
    return {(n.kind, n.cycle, n.threshold): n for n in rows}


def held(educator) -> set:
    return set(db.session.execute(sa.select(Notice.kind, Notice.cycle, Notice.threshold)
                                  .where(Notice.educator_id == educator.id)).all())


def same_as_the_engine(educator, day: date) -> list:
    """The job's new notices on `day` are exactly the engine's, less those recorded before,
    word for word; the keys it recorded."""
    before = held(educator)
    want, _ = engine_says(educator, day)
    got = job_records(educator, day)
    want = {k: d for k, d in want.items() if k not in before}
    assert set(got) == set(want), day
    for key, due in want.items():
        n = got[key]
        payload = {k: v for k, v in n.payload.items() if k != "name"}
        assert (n.subject, n.summary, payload) == (due.subject, due.summary, due.payload), (day, key)
    return sorted(got)


def _grace_rulebook(ledger, client, days=61):
    doc = deepcopy(samples.TN)
    next(r for r in doc["renewal"] if r["license"] == "professional")["grace_days"] = days
    assert client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers()).status_code == 201


def test_each_edge_day_of_a_cycle_and_its_grace_gives_what_the_engine_says(ledger, client):
    _grace_rulebook(ledger, client)
    e = ledger.educator(email="ada@example.org")
    ledger.record(e, title="Institute", hours=20, earned_on=date(2023, 1, 10))  # behind pace: 40 left
    cycle = e.licenses[0].id
    found = {}
    for days in (181, 180, 91, 90, 31, 30, 1, 0, -1, -61, -62):  # END + 1: grace's first day; END + 61: its last
        day = END - timedelta(days=days)
        found[days] = same_as_the_engine(e, day)
    assert found[181] == [] and found[91] == [] and found[31] == [] and found[1] == [] and found[0] == []
    assert found[180] == [("cycle_ending", f"{cycle}@2025-06-30", 180)]
    assert found[90] == [("cycle_ending", f"{cycle}@2025-06-30", 90)]
    assert found[30] == [("cycle_ending", f"{cycle}@2025-06-30", 30)]
    assert found[-1] == [("grace_started", f"{cycle}@2025-06-30", 0)]
    assert found[-61] == [] and found[-62] == []  # sent once while in grace; lapsed after
    notice = db.session.scalars(sa.select(Notice).where(Notice.educator_id == e.id, Notice.threshold == 90)).one()
    assert notice.summary == "Earn 40 PDP by 30 June 2025 to renew your professional license"
    assert notice.payload["behind"] is True and notice.payload["days_left"] == 90


def test_a_missed_day_or_a_complete_cycle_gives_what_the_engine_says(ledger):
    e = ledger.educator()
    assert same_as_the_engine(e, END - timedelta(days=100)) == [("cycle_ending", f"{e.licenses[0].id}@2025-06-30",
                                                                 180)]
    assert same_as_the_engine(e, END - timedelta(days=85))[0][2] == 90  # down on day 90: 90, not a late 180
    done = ledger.educator()
    ledger.record(done, title="Institute", hours=60, earned_on=date(2023, 7, 1))
    for days in (180, 30, 0):
        assert same_as_the_engine(done, END - timedelta(days=days)) == []


@pytest.fixture
def leader(ledger, client):
    """A Juab Teacher Leader whose maintenance period 1 (2 MCs by 29 February 2024) has none."""
    assert client.post("/api/v1/rulebooks", json=UT_CARDS, headers=ledger.headers()).status_code == 201
    e = ledger.educator(state="UT", district="JUAB", email="lead@example.org")
    for credential, day in [("DP-FA-01", date(2020, 1, 10)), ("DP-FA-02", date(2020, 2, 29)),
                            ("DP-LIT-01", date(2020, 5, 1)), ("DP-LIT-02", date(2021, 3, 1))]:
        ledger.record(e, credential, earned_on=day)
    return e


def test_a_maintenance_period_s_180th_day_gives_what_the_engine_says(leader):
    end = date(2024, 2, 29)
    assert (end - date(2023, 9, 2)).days == 180
    assert same_as_the_engine(leader, date(2023, 9, 1)) == []
    assert same_as_the_engine(leader, date(2023, 9, 2)) == [("maintenance_short", "JUAB-TL#1", 180)]
    assert same_as_the_engine(leader, end) == []  # once per period
    assert same_as_the_engine(leader, end + DAY) == []  # lapsed: no period open


def test_the_digest_s_at_risk_line_is_the_engine_s(ledger):
    e = ledger.educator(state="UT", district="JUAB", first_name="Alma", last_name="Risk")
    ledger.record(e, title="Course", hours=10, earned_on=date(2022, 1, 1))
    for day in (END - timedelta(days=91), END - timedelta(days=90), END, END + DAY):
        service.bring_to(db.session, day)
        found = digest.AtRisk.on(db.session, day)
        _, standing = engine_says(e, day)
        line = rules.at_risk_lines(standing, e.id, "Alma", "Risk", day)
        ut = db.session.scalar(sa.select(State.id).where(State.code == "UT"))
        got = found.by_state.get(ut)
        assert (got.listed if got else []) == ([line] if line else []), day
        assert (found.by_district.get(e.district_id) is not None) == (line is not None)
    assert line is None and found.by_state == {}  # in grace or lapsed the day after: not at risk


def test_a_stale_projection_is_caught_up_before_it_is_read(ledger, monkeypatch):
    """An entry earned tomorrow counts from tomorrow: the projection judged today knows it
    only as the day it moves (stale_on). The job run tomorrow judges the educator again
    first, so the 30-day notice of a cycle the entry completed is not sent."""
    today = END - timedelta(days=31)
    monkeypatch.setattr(clock, "today", lambda: today)
    e = ledger.educator()
    ledger.record(e, title="Institute", hours=60, earned_on=today + DAY)
    row = db.session.scalars(sa.select(StandingCycle).where(StandingCycle.educator_id == e.id)).one()
    assert (row.computed_on, row.stale_on, row.earned_units) == (today, today + DAY, 0)
    assert same_as_the_engine(e, today) == [("cycle_ending", f"{e.licenses[0].id}@2025-06-30", 90)]
    assert same_as_the_engine(e, today + DAY) == []  # complete: caught up first
    db.session.expire_all()
    row = db.session.scalars(sa.select(StandingCycle).where(StandingCycle.educator_id == e.id)).one()
    assert (row.computed_on, row.fixed_status, row.earned_units) == (today + DAY, "complete", 60)


def test_the_job_reads_the_projection_and_only_catches_up_what_is_due(ledger):
    """A row the calendar has not moved is read as stored (the projection is the input);
    one marked stale is judged again before it is read."""
    day = END - timedelta(days=30)
    a, b = ledger.educator(), ledger.educator()
    service.bring_to(db.session, day - DAY)
    db.session.commit()
    C = StandingCycle
    db.session.execute(sa.update(C).where(C.educator_id.in_([a.id, b.id])).values(left="99 PDP"))
    db.session.execute(sa.update(C).where(C.educator_id == b.id).values(stale_on=day))
    db.session.commit()
    got_a, got_b = job_records(a, day), job_records(b, day)
    assert [n.payload["left"] for n in got_a.values()] == ["99 PDP"]
    assert [n.payload["left"] for n in got_b.values()] == ["60 PDP"]


def test_the_walk_in_small_windows_finds_every_notice_once(ledger, client, monkeypatch):
    """Windows of one row of the projection (cycles, and cards keyed by educator and code)
    find the same notices as one window, each once, in batches of one."""
    from ledger.reminders import sources

    assert client.post("/api/v1/rulebooks", json=UT_CARDS, headers=ledger.headers()).status_code == 201
    licenses = [{"type": "professional", "cycle_start": date(2019, 7, 1), "cycle_end": date(2024, 6, 30)}]
    people = [ledger.educator(state="UT", district="JUAB", licenses=licenses) for _ in range(3)] + \
        [ledger.educator(licenses=licenses) for _ in range(2)]
    for e in people[:3]:
        for credential, day in [("DP-FA-01", date(2020, 1, 10)), ("DP-FA-02", date(2020, 2, 29)),
                                ("DP-LIT-01", date(2020, 5, 1)), ("DP-LIT-02", date(2021, 3, 1))]:
            ledger.record(e, credential, earned_on=day)
    day = date(2024, 1, 5)  # 177 days before the cycles' end, 55 before the maintenance period's
    monkeypatch.setattr(sources, "WINDOW", 1)
    summary = service.record_due(db.session, day, checkpoint=db.session.commit, batch=1)
    db.session.commit()
    got = sorted(db.session.execute(sa.select(Notice.educator_id, Notice.kind)).all())
    assert got == sorted([(e.id, "cycle_ending") for e in people] + [(e.id, "maintenance_short") for e in people[:3]])
    assert summary.recorded == 8
    for e in people:
        want, _ = engine_says(e, day)
        assert {(n.kind, n.cycle, n.threshold) for n in job_records(e, day).values()} == set(want)


@pytest.mark.committed
def test_windows_recorded_by_two_workers_are_those_one_at_a_time_finds(ledger, client, runner, engine_name,
                                                                      monkeypatch):
    """The daily job's windows in two workers, each in a session of its own, committed as
    each is done (on PostgreSQL; SQLite records them one at a time): windows of one cycle,
    every notice the engine finds due recorded once, and every one linked into the chain
    so the ledger verifies, an educator whose name is beyond ASCII among them (their
    notice's digest text cannot be spelled by the database: read back and digested)."""
    from tests.integration.test_ledger_chain import assert_holds

    assert client.post("/api/v1/rulebooks", json=UT_CARDS, headers=ledger.headers()).status_code == 201
    licenses = [{"type": "professional", "cycle_start": date(2019, 7, 1), "cycle_end": date(2024, 6, 30)}]
    people = [ledger.educator(state="UT", district="JUAB", licenses=licenses, first_name=name)
              for name in ("Zoë", "Ada", "Bea")] + [ledger.educator(licenses=licenses) for _ in range(4)]
    for credential, day in [("DP-FA-01", date(2020, 1, 10)), ("DP-FA-02", date(2020, 2, 29)),
                            ("DP-LIT-01", date(2020, 5, 1)), ("DP-LIT-02", date(2021, 3, 1))]:
        ledger.record(people[0], credential, earned_on=day)
    day = date(2024, 1, 5)
    want = {(e.id, *key) for e in people for key in engine_says(e, day)[0]}
    parallel, in_parallel = [], service._in_parallel
    monkeypatch.setattr(service, "_in_parallel", lambda *args: parallel.append(1) or in_parallel(*args))
    summary = service.record_due(db.session, day, checkpoint=db.session.commit, batch=1, workers=2)
    assert parallel == ([1] if engine_name == "postgresql" else [])
    db.session.commit()
    got = db.session.execute(sa.select(Notice.educator_id, Notice.kind, Notice.cycle, Notice.threshold)).all()
    assert sorted(got) == sorted(want) and len(want) == 8  # each once: seven deadlines, one maintenance
    assert summary.recorded == 8
    assert_holds(runner)
    again = service.record_due(db.session, day, checkpoint=db.session.commit, batch=1, workers=2)
    assert again.recorded == 0


@pytest.mark.committed
def test_a_window_that_fails_stops_the_run_what_committed_is_counted_and_the_next_run_goes_on(ledger, monkeypatch):
    """One window's statement fails mid-run (two workers on PostgreSQL, one at a time on
    SQLite): the run stops with the error, every notice that committed is counted (and
    written to the log), none half-recorded, and the next run records the rest, each once."""
    licenses = [{"type": "professional", "cycle_start": date(2019, 7, 1), "cycle_end": date(2024, 6, 30)}]
    people = [ledger.educator(licenses=licenses) for _ in range(4)]
    day = date(2024, 1, 5)
    calls, insert = [], service._insert

    def failing(session, stmt):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return insert(session, stmt)

    monkeypatch.setattr(service, "_insert", failing)
    summary = service.Summary()
    with pytest.raises(RuntimeError, match="went away"):
        service.record_due(db.session, day, checkpoint=db.session.commit, batch=1, workers=2, summary=summary,
                           channel="log")
    db.session.rollback()
    recorded = db.session.scalar(sa.select(sa.func.count(Notice.id)))
    assert 1 <= recorded < len(people) and summary.recorded == recorded
    assert summary.outcomes == {"no_address": recorded}  # the sample educators have no e-mail
    monkeypatch.setattr(service, "_insert", insert)
    rest = service.record_due(db.session, day, checkpoint=db.session.commit, batch=1, workers=2, channel="log")
    assert rest.recorded == len(people) - recorded
    assert sorted(db.session.scalars(sa.select(Notice.educator_id))) == sorted(e.id for e in people)
