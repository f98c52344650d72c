"""A renewal season (`flask ledger print-season`): every educator whose cycle ends
before the day gets an official transcript; a manifest; resumable; in-process, across
local processes, and on a real Celery worker over the local Redis."""

from __future__ import annotations

import csv
import hashlib
import os
import socket
import subprocess
import sys
import uuid
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from ledger.app import create_app
from ledger.models import Transcript

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/7"


def lic(end: date, start: date | None = None, type_="professional", **kw):
    return {"type": type_, "cycle_start": start or date(end.year - 5, end.month, 1), "cycle_end": end, **kw}


@pytest.fixture
def season(ledger):
    """TN educators around the season's edge, 1 July 2025 (their ids)."""
    people = {
        "day_before": ledger.educator("TN", n="s1", licenses=[lic(date(2025, 6, 30))]),
        "on_the_day": ledger.educator("TN", n="s2", licenses=[lic(date(2025, 7, 1))]),       # not before: out
        "leap_day": ledger.educator("TN", n="s3", licenses=[lic(date(2024, 2, 29))]),
        "renewed": ledger.educator("TN", n="s4", licenses=[lic(date(2020, 6, 30)),            # old cycle ended,
                                                           lic(date(2030, 6, 30), date(2025, 7, 1))]),  # new one runs
        "ut_only": ledger.educator("UT", n="s5", licenses=[lic(date(2025, 6, 30))]),
    }
    ledger.record(people["day_before"], "DP-FA-01", date(2022, 3, 1))
    ledger.session.commit()
    return {name: e.id for name, e in people.items()}


def run_season(runner, out, *extra):
    return runner.invoke(args=["ledger", "print-season", "--state", "TN", "--expiring-before", "2025-07-01",
                               "--out", str(out), "--as-of", "2025-06-01", *extra])


def manifest(out) -> list[dict]:
    with open(Path(out) / "manifest.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_a_season_prints_everyone_whose_cycle_ends_before_the_day(runner, season, tmp_path, session):
    r = run_season(runner, tmp_path)
    assert r.exit_code == 0, r.output
    rows = manifest(tmp_path)
    chosen = {int(row["educator_id"]) for row in rows}
    assert chosen == {season["day_before"], season["leap_day"]}
    for row in rows:
        assert row["status"] == "printed"
        data = (tmp_path / row["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
        assert row["verify_url"] == f"https://ledger.example/verify/{row['serial']}"
    (leap,) = [row for row in rows if int(row["educator_id"]) == season["leap_day"]]
    assert leap["cycle_end"] == "2024-02-29" and leap["renewal_status"] == "lapsed"
    issued = session.scalars(sa.select(Transcript)).all()
    assert {t.as_of for t in issued} == {date(2025, 6, 1)} and all(t.season for t in issued)
    assert "2 printed, 0 already printed, 0 errors" in r.output


def test_a_second_run_skips_what_was_printed_and_restores_missing_files(runner, season, tmp_path, session):
    assert run_season(runner, tmp_path).exit_code == 0
    first = manifest(tmp_path)
    (tmp_path / first[0]["file"]).unlink()              # a file lost since
    (tmp_path / first[1]["file"]).write_bytes(b"junk")  # or damaged
    r = run_season(runner, tmp_path)
    assert r.exit_code == 0 and "0 printed, 2 already printed" in r.output
    second = manifest(tmp_path)
    assert [(row["serial"], row["sha256"]) for row in second] == [(row["serial"], row["sha256"]) for row in first]
    for row in second:
        assert hashlib.sha256((tmp_path / row["file"]).read_bytes()).hexdigest() == row["sha256"]
    assert session.scalar(sa.select(sa.func.count()).select_from(Transcript)) == 2


@pytest.mark.committed
def test_a_season_runs_across_local_processes(runner, ledger, tmp_path, session):
    for i in range(6):
        ledger.educator("TN", n=f"p{i}", licenses=[lic(date(2025, 5, 31))])
    ledger.session.commit()
    r = run_season(runner, tmp_path, "--processes", "2")
    assert r.exit_code == 0, r.output
    assert len(manifest(tmp_path)) == 6 and "6 printed" in r.output
    assert session.scalar(sa.select(sa.func.count(sa.distinct(Transcript.educator_id)))) == 6


def test_a_bad_state_or_date_is_named(runner, ledger, tmp_path):
    r = runner.invoke(args=["ledger", "print-season", "--state", "ZZ", "--expiring-before", "2025-07-01",
                            "--out", str(tmp_path)])
    assert r.exit_code == 1 and "ZZ" in r.output and "Traceback" not in r.output
    r = runner.invoke(args=["ledger", "print-season", "--state", "TN", "--expiring-before", "2025-02-30",
                            "--out", str(tmp_path)])
    assert r.exit_code == 2 and "--expiring-before" in r.output


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.committed
def test_a_season_runs_on_a_real_celery_worker(database_url, signing_keys, season, tmp_path, session):
    if not _redis_up():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("Redis is required (REQUIRE_REDIS=1) but 127.0.0.1:6379 is unreachable")
        pytest.skip("no Redis at 127.0.0.1:6379: the worker test needs a broker")
    queue = f"test-{uuid.uuid4().hex[:8]}"  # this test's own queue: no other worker takes its tasks
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
        out = tmp_path / "out"
        ctx = app.app_context()  # the commands run in this app (with a broker), not the eager fixture app
        ctx.push()
        r = run_season(app.test_cli_runner(), out, "--timeout", "120")
        assert r.exit_code == 0, r.output + (tmp_path / "worker.log").read_text()[-3000:]
        assert f"on Celery workers (queue {queue})" in r.output
        rows = manifest(out)
        assert {row["status"] for row in rows} == {"printed"} and len(rows) == 2
        assert "print_season_transcript" in (tmp_path / "worker.log").read_text()  # the worker did the printing
        again = run_season(app.test_cli_runner(), out, "--timeout", "120")
        assert "0 printed, 2 already printed" in again.output
        from ledger.models import db

        db.session.remove()
        db.engine.dispose()
        ctx.pop()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()


def test_the_season_query_and_the_engine_rule_pick_the_same_licenses(ledger, session):
    """select_educators asks engine.season_cycle of a whole state in SQL: both agree on
    a next cycle recorded but not begun (renewed: not printed), cycles ending on 29
    February, two license types ending the same day, and bounds on either side."""
    from ledger.engine import current_cycles, season_cycle
    from ledger.models import State
    from ledger.standing.facts import licenses_by_educator
    from ledger.transcripts.season import select_educators

    histories = {
        "leap_day": [lic(date(2024, 2, 29))],
        "renewed_on_leap_day": [lic(date(2024, 2, 29)), lic(date(2029, 2, 28), date(2024, 3, 1))],
        "next_not_begun": [lic(date(2026, 6, 30), date(2021, 7, 1)), lic(date(2031, 6, 30), date(2027, 7, 1))],
        "types_end_together": [lic(date(2026, 6, 30)), lic(date(2026, 6, 30), type_="practitioner")],
        "same_end_twice": [lic(date(2026, 6, 30), date(2021, 7, 1)), lic(date(2026, 6, 30), date(2022, 7, 1))],
        "one_renewed_one_not": [lic(date(2025, 6, 30)), lic(date(2030, 6, 30), date(2025, 7, 1)),
                                lic(date(2028, 2, 29), type_="practitioner")],
        "no_license_here": [lic(date(2025, 6, 30), state="UT")],
    }
    ids = {name: ledger.educator("TN", licenses=h).id for name, h in histories.items()}
    tn = session.scalar(sa.select(State.id).where(State.code == "TN"))
    held = licenses_by_educator(session, tn)
    assert ids["no_license_here"] not in held
    days = [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1), date(2025, 7, 1), date(2026, 6, 30),
            date(2026, 7, 1), date(2028, 3, 1), date(2031, 7, 1)]
    for before in days:
        for after in [None, *days]:
            engine_picks = [(i, c.type, c.cycle_end) for i, c in
                            ((i, season_cycle(lics, before, after)) for i, lics in held.items()) if c is not None]
            assert select_educators(session, "TN", before, after) == sorted(
                engine_picks, key=lambda row: (row[2], row[0])), (before, after)
    # the two questions differ where they should: on 1 July 2026 the page still judges the
    # ended cycle (the next has not begun), while the season counts it renewed
    chosen = {row[0]: row for row in select_educators(session, "TN", date(2026, 7, 1))}
    assert ids["next_not_begun"] not in chosen
    assert [l.cycle_end for l in current_cycles(held[ids["next_not_begun"]], date(2026, 7, 1))] == [date(2026, 6, 30)]
    assert chosen[ids["types_end_together"]][1] == "practitioner"
