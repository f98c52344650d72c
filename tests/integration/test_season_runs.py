"""Season printing from the state office's pages (issue 18, item 4): start a season (a
range of cycle ends), follow printed / failed / remaining, download the manifest, see
each failure's reason and print only the failures again. The run prints through the
command line's job under the command line's key, so either resumes the other."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from ledger.errors import Invalid
from ledger.models import AuditEvent, SeasonItem, SeasonRun, Transcript
from ledger.seasons import printing
from ledger.seasons.service import overlaps
from ledger.transcripts import season as seasons_job
from ledger.transcripts import service as transcripts

from ..conftest import csrf_token
from .test_season import lic, run_season
from .test_season import season as season  # noqa: F401  (the fixture: TN cycles around 1 July 2025)

START = {"expiring_before": "2025-07-01"}


@pytest.fixture
def office(app, web_user):
    app.config["SEASON_IN_REQUEST"] = True  # print inside the request: the test's transaction sees it all
    return web_user("state_office", state="TN")


def start(client, **form):
    return client.post("/state/seasons", data={"csrf_token": csrf_token(client, "/state/seasons"), **form})


def the_run(session) -> SimpleNamespace:
    """The newest run as it is now (a copy: the requests that print close the session)."""
    session.expire_all()
    r = session.scalars(sa.select(SeasonRun).order_by(SeasonRun.id.desc())).first()
    return SimpleNamespace(**{c.key: getattr(r, c.key) for c in SeasonRun.__table__.columns},
                           remaining=r.remaining, state_code=r.state.code)


def manifest(client, run_id) -> list[dict]:
    r = client.get(f"/state/seasons/{run_id}/manifest.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))


def fail_for(monkeypatch, educator_ids, exc=None):
    """Make issuing refuse these educators (a LedgerError, or `exc` raised as it is)."""
    real = transcripts.issue

    def issue(session, principal, educator_id, **kw):
        if educator_ids is None or educator_id in educator_ids:
            raise exc or Invalid("the rulebook has no rule for this license (a test)", {})
        return real(session, principal, educator_id, **kw)
    monkeypatch.setattr(transcripts, "issue", issue)


def test_a_season_started_from_the_page_prints_counts_and_lists_its_manifest(office, season, session):
    r = start(office, **START)
    run = the_run(session)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/state/seasons/{run.id}?follow=1")
    assert (run.status, run.total, run.printed, run.failed, run.remaining) == ("done", 2, 2, 0, 0)
    assert (run.expiring_before, run.expiring_after, run.season) == (date(2025, 7, 1), None,
                                                                      "TN:expiring-before:2025-07-01")
    assert run.started_by.startswith("user:") and run.finished_at is not None
    page = office.get(f"/state/seasons/{run.id}?follow=1").get_data(as_text=True)
    assert 'data-testid="count-printed">2<' in page and 'data-testid="count-remaining">0<' in page
    assert "All printed" in page and 'http-equiv="refresh"' not in page  # done: no more reloading
    rows = manifest(office, run.id)
    assert {int(r["educator_id"]) for r in rows} == {season["day_before"], season["leap_day"]}
    issued = {t.educator_id: t for t in session.scalars(sa.select(Transcript))}
    for row in rows:
        t = issued[int(row["educator_id"])]
        assert (row["status"], row["serial"], row["sha256"]) == ("printed", t.serial, t.sha256)
        assert row["verify_url"] == f"https://ledger.example/verify/{t.serial}"
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "start_season")) == 1


def test_the_manifest_streams_every_item_in_order_a_page_at_a_time(office, ledger, season, session, monkeypatch):
    from ledger.seasons import service

    for i in range(3):
        ledger.educator("TN", n=f"m{i}", licenses=[lic(date(2024, 1, 31 - i))])
    monkeypatch.setattr(service, "MANIFEST_PAGE", 2)
    start(office, **START)
    run = the_run(session)
    rows = manifest(office, run.id)
    assert len(rows) == run.total == 5 and {r["status"] for r in rows} == {"printed"}
    assert [r["cycle_end"] for r in rows] == sorted(r["cycle_end"] for r in rows)
    assert run.progress_at is not None and run.progress_at >= run.started_at


def test_the_lower_bound_narrows_the_season(office, season, session):
    start(office, expiring_before="2025-07-01", expiring_after="2025-01-01")
    run = the_run(session)
    assert (run.total, run.expiring_after) == (1, date(2025, 1, 1))
    assert [int(r["educator_id"]) for r in manifest(office, run.id)] == [season["day_before"]]
    # the overview counts what is left of this season within its bounds, and resumes it so
    page = office.get("/state").get_data(as_text=True)
    assert "--expiring-before 2025-07-01 --expiring-after 2025-01-01 --out season/" in page
    assert "all printed" in page and "to print</span>" not in page


def test_the_page_and_the_command_line_print_one_season_between_them(office, runner, season, session, tmp_path):
    assert run_season(runner, tmp_path).exit_code == 0  # the command printed both
    before = session.scalar(sa.select(sa.func.count()).select_from(Transcript))
    start(office, **START)
    run = the_run(session)
    assert (run.status, run.printed, run.remaining) == ("done", 2, 0)
    assert session.scalar(sa.select(sa.func.count()).select_from(Transcript)) == before  # nobody twice
    assert {r["status"] for r in manifest(office, run.id)} == {"already printed"}
    # and the command after a page's run prints nobody again either
    assert "0 printed, 2 already printed" in run_season(runner, tmp_path).output


@pytest.mark.parametrize("form, field, message", [
    ({}, "expiring_before", "give the day"),
    ({"expiring_before": "2025-02-30"}, "expiring_before", "a date as YYYY-MM-DD"),
    ({"expiring_before": "next July"}, "expiring_before", "a date as YYYY-MM-DD"),
    ({"expiring_before": "1800-01-01"}, "expiring_before", "between 1900-01-01 and 2200-12-31"),
    ({"expiring_before": "2025-07-01", "expiring_after": "2025-07-01"}, "expiring_after", "must be before 2025-07-01"),
    ({"expiring_before": "2025-07-01", "expiring_after": "30/06/2025"}, "expiring_after", "a date as YYYY-MM-DD"),
])
def test_bad_dates_are_named_by_field_and_start_nothing(office, season, session, form, field, message):
    r = start(office, **form)
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and f'id="{field}-error"' in page and message in page
    assert "No season was started" in page
    assert session.scalar(sa.select(sa.func.count()).select_from(SeasonRun)) == 0


def test_an_empty_season_is_refused_and_keeps_nothing(office, season, session):
    r = start(office, expiring_before="1990-01-01")
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and 'id="expiring_before-error"' in page and "no TN cycle to print" in page
    assert session.scalar(sa.select(sa.func.count()).select_from(SeasonRun)) == 0
    assert session.scalar(sa.select(sa.func.count()).select_from(SeasonItem)) == 0


def test_a_failure_is_listed_with_its_reason_and_only_the_failures_print_again(office, season, session, monkeypatch):
    fail_for(monkeypatch, {season["leap_day"]})
    start(office, **START)
    run = the_run(session)
    assert (run.status, run.printed, run.failed) == ("done", 1, 1)
    page = office.get(f"/state/seasons/{run.id}").get_data(as_text=True)
    assert "Finished with failures" in page and page.count('data-testid="failure"') == 1
    assert "the rulebook has no rule for this license (a test)" in page
    run_id = run.id
    (failed,) = [r for r in manifest(office, run_id) if r["status"] == "error"]
    assert int(failed["educator_id"]) == season["leap_day"] and "no rule" in failed["message"]
    printed = session.scalar(sa.select(Transcript.serial).where(Transcript.educator_id == season["day_before"]))

    monkeypatch.undo()  # whatever failed is mended
    token = csrf_token(office, f"/state/seasons/{run_id}")
    r = office.post(f"/state/seasons/{run_id}/requeue", data={"csrf_token": token, "which": "failed"})
    assert r.status_code == 302
    run = the_run(session)
    assert (run.status, run.printed, run.failed, run.remaining) == ("done", 2, 0, 0)
    after = session.scalars(sa.select(Transcript)).all()
    assert len(after) == 2  # the one printed was not printed again
    assert session.scalar(sa.select(Transcript.serial).where(Transcript.educator_id == season["day_before"])) \
        == printed
    retried = session.scalar(sa.select(SeasonItem).where(SeasonItem.educator_id == season["leap_day"]))
    assert (retried.status, retried.attempts, retried.note) == ("printed", 2, None)


def test_a_season_where_everything_fails_finishes_and_can_be_tried_again(office, season, session, monkeypatch):
    fail_for(monkeypatch, None, RuntimeError("the renderer crashed"))
    start(office, **START)
    run = the_run(session)
    assert (run.status, run.printed, run.failed, run.remaining) == ("done", 0, 2, 0)
    page = office.get(f"/state/seasons/{run.id}").get_data(as_text=True)
    assert "unexpected error (RuntimeError)" in page and "the renderer crashed" not in page  # no internals shown
    token = csrf_token(office, f"/state/seasons/{run.id}")
    office.post(f"/state/seasons/{run.id}/requeue", data={"csrf_token": token, "which": "failed"})
    run = the_run(session)
    assert (run.status, run.failed) == ("done", 2)
    assert set(session.scalars(sa.select(SeasonItem.attempts))) == {2}
    assert session.scalar(sa.select(sa.func.count()).select_from(Transcript)) == 0


def test_retrying_with_nothing_failed_changes_nothing(office, season, session):
    start(office, **START)
    run = the_run(session)
    token = csrf_token(office, f"/state/seasons/{run.id}")
    r = office.post(f"/state/seasons/{run.id}/requeue", data={"csrf_token": token, "which": "failed"},
                    follow_redirects=True)
    assert r.status_code == 200 and "has no failed transcript to print again" in r.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                          .where(AuditEvent.action == "requeue_season")) == 0


def _running(session, office_principal_state="TN", before=date(2025, 7, 1), after=None) -> int:
    """A run recorded but not printed (as while workers print it): its id."""
    from ledger.access.principals import ADMIN, Principal
    from ledger.models import State
    from ledger.seasons import service

    state = session.scalar(sa.select(State).where(State.code == office_principal_state))
    run = service.start(session, Principal(role=ADMIN, actor="test"), state, before, after, date(2025, 6, 1))
    session.commit()
    return run.id


def test_a_second_start_overlapping_a_season_still_printing_is_refused(office, season, session, ledger):
    ledger.educator("TN", licenses=[lic(date(2026, 3, 31))])
    first = _running(session)  # its id
    page = office.get(f"/state/seasons/{first}").get_data(as_text=True)
    # printing: the page reloads itself only when asked to (a start lands there asking), and
    # then says so and how to stop (a refresh nobody asked for disorients a screen reader)
    assert 'http-equiv="refresh"' not in page and f"/state/seasons/{first}?follow=1" in page
    page = office.get(f"/state/seasons/{first}?follow=1").get_data(as_text=True)
    assert 'http-equiv="refresh" content="5"' in page and "Stop reloading" in page
    r = start(office, expiring_before="2026-01-01", expiring_after="2025-06-01")
    assert r.status_code == 409 and f"overlaps season run {first} (cycles ending before 2025-07-01), still printing" in r.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count()).select_from(SeasonRun)) == 1
    ok = start(office, expiring_before="2027-01-01", expiring_after="2025-07-01")  # no shared day
    assert ok.status_code == 302
    # once the first has finished, the same range may start again (and prints only who is missing)
    for item_id in session.scalars(sa.select(SeasonItem.id).where(SeasonItem.run_id == first)):
        printing.print_item(item_id)
    assert the_run(session).status == "done" and session.get(SeasonRun, first).status == "done"
    again = start(office, **START)
    assert again.status_code == 302 and the_run(session).printed == 2


def test_the_command_line_refuses_a_season_overlapping_one_the_pages_are_printing(office, runner, season, session,
                                                                                    tmp_path):
    first = _running(session)  # TN cycles ending before 1 July 2025, still printing
    wider = runner.invoke(args=["ledger", "print-season", "--state", "TN", "--expiring-before", "2025-08-01",
                                "--out", str(tmp_path / "wider"), "--as-of", "2025-06-01"])
    assert wider.exit_code == 1 and f"season run {first} (cycles ending before 2025-07-01) is still printing" \
        in wider.output and "--expiring-before 2025-07-01" in wider.output, wider.output
    assert not (tmp_path / "wider").exists()
    assert session.scalar(sa.select(sa.func.count()).select_from(Transcript)) == 0
    # the same season from the command line resumes it: printed once, under its key
    assert run_season(runner, tmp_path / "same").exit_code == 0
    printed = session.scalars(sa.select(Transcript.season)).all()
    assert printed and set(printed) == {"TN:expiring-before:2025-07-01"}


@pytest.mark.parametrize("a, b, shared", [
    ((None, date(2025, 7, 1)), (None, date(2024, 1, 1)), True),
    ((date(2025, 1, 1), date(2025, 7, 1)), (date(2025, 7, 1), date(2026, 1, 1)), False),  # before excluded
    ((date(2025, 1, 1), date(2025, 7, 1)), (date(2025, 6, 30), date(2026, 1, 1)), True),
    ((date(2025, 1, 1), date(2025, 7, 1)), (None, date(2025, 1, 1)), False),
    ((date(2025, 1, 1), date(2025, 7, 1)), (None, date(2025, 1, 2)), True),
])
def test_ranges_overlap_when_they_share_a_day_of_cycle_end(a, b, shared):
    assert overlaps(a, *b) is shared and overlaps(b, *a) is shared


def test_a_stalled_season_offers_to_resume_what_remains(office, season, session, monkeypatch):
    run_id = _running(session)
    session.execute(sa.update(SeasonRun).where(SeasonRun.id == run_id)
                    .values(started_at=datetime(2020, 1, 1, tzinfo=timezone.utc)))
    session.commit()
    page = office.get(f"/state/seasons/{run_id}").get_data(as_text=True)
    assert "Resume the 2 remaining" in page and 'http-equiv="refresh"' not in page
    assert 'http-equiv="refresh"' not in office.get(f"/state/seasons/{run_id}?follow=1").get_data(as_text=True)
    token = csrf_token(office, f"/state/seasons/{run_id}")
    real = printing.dispatch
    monkeypatch.setattr(printing, "dispatch", lambda ids: "workers")  # sent, not yet printed
    r = office.post(f"/state/seasons/{run_id}/requeue", data={"csrf_token": token, "which": "pending"})
    page = office.get(r.headers["Location"]).get_data(as_text=True)
    assert "Resume the 2 remaining" not in page and 'http-equiv="refresh"' in page  # followed afresh
    monkeypatch.setattr(printing, "dispatch", real)
    office.post(f"/state/seasons/{run_id}/requeue", data={"csrf_token": token, "which": "pending"})
    assert (the_run(session).status, the_run(session).printed) == ("done", 2)


def test_a_task_delivered_twice_prints_and_counts_once(office, season, session):
    run_id = _running(session)
    item_id = session.scalars(sa.select(SeasonItem.id).where(SeasonItem.run_id == run_id)).first()
    assert printing.print_item(item_id) == "printed"
    assert printing.print_item(item_id) is None
    assert printing.record(session, item_id, run_id, {"status": "printed", "serial": "X"}) is None
    assert (the_run(session).printed, the_run(session).remaining) == (1, 1)


@pytest.mark.parametrize("role", ["district_hr", "educator"])
def test_other_roles_may_not_print_seasons(ledger, web_user, season, session, role):
    scope = {"district": "JUAB"} if role == "district_hr" else {"educator": season["day_before"]}
    run_id = _running(session)
    client = web_user(role, **scope)
    token = csrf_token(client, "/verify")
    assert client.get("/state/seasons").status_code == 403
    assert client.post("/state/seasons", data={"csrf_token": token, **START}).status_code == 403
    assert client.get(f"/state/seasons/{run_id}").status_code == 403
    assert client.get(f"/state/seasons/{run_id}/manifest.csv").status_code == 403
    assert client.post(f"/state/seasons/{run_id}/requeue", data={"csrf_token": token}).status_code == 403


def test_another_states_office_is_told_the_run_does_not_exist(app, web_user, season, session):
    app.config["SEASON_IN_REQUEST"] = True
    run_id = _running(session)
    client = web_user("state_office", state="UT")
    assert client.get(f"/state/seasons/{run_id}").status_code == 404
    assert client.get(f"/state/seasons/{run_id}/manifest.csv").status_code == 404
    token = csrf_token(client, "/state/seasons")
    assert client.post(f"/state/seasons/{run_id}/requeue", data={"csrf_token": token}).status_code == 404
    assert "Season " + str(run_id) not in client.get("/state/seasons").get_data(as_text=True)
    # starting from UT's page starts a UT season, never TN's (and overlaps nothing of TN's)
    assert client.post("/state/seasons", data={"csrf_token": token, **START}).status_code == 302
    ut = the_run(session)
    assert ut.id != run_id and ut.state_code == "UT" and ut.printed == 1
    assert list(session.scalars(sa.select(SeasonItem.educator_id).where(SeasonItem.run_id == ut.id))) == [
        season["ut_only"]]


def test_an_admin_picks_the_state(app, web_user, season, session):
    app.config["SEASON_IN_REQUEST"] = True
    client = web_user("admin")
    token = csrf_token(client, "/state/seasons?state=TN")
    assert client.post("/state/seasons?state=TN", data={"csrf_token": token, **START}).status_code == 302
    run = the_run(session)
    assert run.state_code == "TN" and client.get(f"/state/seasons/{run.id}").status_code == 200


def test_the_form_needs_its_csrf_token(office, season, session):
    assert office.post("/state/seasons", data=START).status_code == 400
    assert session.scalar(sa.select(sa.func.count()).select_from(SeasonRun)) == 0


def test_without_public_url_a_season_starts_only_on_this_machine(app, office, season, session):
    from ledger.access.principals import STATE_OFFICE, Principal
    from ledger.errors import Unavailable
    from ledger.models import State
    from ledger.seasons import service

    app.config["PUBLIC_URL"] = None  # the workers' transcripts would print a Host header as their verify link
    tn = session.scalar(sa.select(State).where(State.code == "TN"))
    office_principal = Principal(role=STATE_OFFICE, actor="test", state_id=tn.id)
    with app.test_request_context("/state/seasons", method="POST", base_url="http://ledger.example"):
        with pytest.raises(Unavailable, match="PUBLIC_URL"):
            service.start(session, office_principal, tn, date(2025, 7, 1), None, date(2025, 6, 1))
    assert session.scalar(sa.select(sa.func.count()).select_from(SeasonRun)) == 0
    assert start(office, **START).status_code == 302  # on this machine (localhost), as the demo runs


def test_sending_failures_again_needs_the_csrf_token(office, season, session, monkeypatch):
    fail_for(monkeypatch, None)
    start(office, **START)
    run = the_run(session)
    assert office.post(f"/state/seasons/{run.id}/requeue", data={"which": "failed"}).status_code == 400
    assert the_run(session).failed == 2


def test_the_state_offices_menu_leads_to_the_seasons(office):
    page = office.get("/state").get_data(as_text=True)
    assert '<a href="/state/seasons" >Seasons</a>' in " ".join(page.split())
    page = office.get("/state/seasons").get_data(as_text=True)
    assert '<a href="/state/seasons" aria-current="page">Seasons</a>' in " ".join(page.split())


def test_an_unknown_run_is_a_404(office):
    assert office.get("/state/seasons/99999").status_code == 404
    assert office.get("/state/seasons/99999999999999").status_code == 404


def _wait_done(session, timeout=120.0) -> SimpleNamespace:
    deadline = time.monotonic() + timeout
    while True:
        session.rollback()  # a fresh snapshot: the printer commits from elsewhere
        run = the_run(session)
        if run.status == "done" or time.monotonic() > deadline:
            return run
        time.sleep(0.3)


@pytest.mark.committed
def test_without_a_broker_the_season_prints_in_the_background_after_the_request_answers(
        app, ledger, web_user, session, monkeypatch):
    for i in range(3):
        ledger.educator("TN", n=f"bg{i}", licenses=[lic(date(2025, 5, 31))])
    gate = threading.Event()
    real = seasons_job.print_one

    def held(*args):
        assert gate.wait(60), "the test never let the printer go"
        return real(*args)
    monkeypatch.setattr(seasons_job, "print_one", held)
    client = web_user("state_office", state="TN")
    r = start(client, **START)
    assert r.status_code == 302  # answered while nothing is printed yet
    run = the_run(session)
    assert (run.status, run.printed, run.remaining) == ("running", 0, 3)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert 'http-equiv="refresh" content="5"' in page and 'data-testid="count-remaining">3<' in page
    gate.set()
    run = _wait_done(session)
    assert (run.status, run.printed, run.failed) == ("done", 3, 0)
    assert session.scalar(sa.select(sa.func.count()).select_from(Transcript)
                          .where(Transcript.season == run.season)) == 3


@pytest.mark.committed
def test_with_a_broker_a_season_run_prints_on_a_real_celery_worker(database_url, signing_keys, ledger, tmp_path):
    from ledger.access.principals import ADMIN, Principal
    from ledger.app import create_app
    from ledger.models import State, db
    from ledger.seasons import service

    from .test_season import REDIS, ROOT, _redis_up

    if not _redis_up():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("Redis is required (REQUIRE_REDIS=1) but 127.0.0.1:6379 is unreachable")
        pytest.skip("no Redis at 127.0.0.1:6379: the worker test needs a broker")
    for i in range(3):
        ledger.educator("TN", n=f"w{i}", licenses=[lic(date(2025, 5, 31))])
    ledger.session.commit()
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": database_url, "CELERY_BROKER_URL": REDIS, "CELERY_QUEUE": queue,
           "SIGNING_KEY_DIR": str(signing_keys), "PUBLIC_URL": "https://ledger.example", "SECRET_KEY": "test"}
    log = open(tmp_path / "worker.log", "w")
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "ledger.worker", "worker", "--concurrency", "2",
                               "--loglevel", "info", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                              cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "SECRET_KEY": "test",
                          "SIGNING_KEY_DIR": str(signing_keys), "PUBLIC_URL": "https://ledger.example",
                          "CELERY_BROKER_URL": REDIS, "CELERY_QUEUE": queue})
        with app.app_context():
            tn = db.session.scalar(sa.select(State).where(State.code == "TN"))
            run = service.start(db.session, Principal(role=ADMIN, actor="test"), tn, date(2025, 7, 1), None,
                                date(2025, 6, 1))
            run_id = run.id
            db.session.commit()
            assert printing.dispatch(service.pending_ids(db.session, run_id)) == "workers"
            done = _wait_done(db.session)
            assert (done.id, done.status, done.printed, done.failed) == (run_id, "done", 3, 0), \
                (tmp_path / "worker.log").read_text()[-3000:]
            db.session.remove()
            db.engine.dispose()
        assert "print_season_item" in (tmp_path / "worker.log").read_text()  # the worker did the printing
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
