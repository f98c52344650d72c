"""A renewal season: an official transcript for every educator whose license cycle ends
before a date. Each transcript is one task (transcripts.tasks), so a season runs in-process,
across local processes, or on Celery workers on other machines; the season's key on each
transcript makes a second run skip what was printed, and two workers never print the
same educator twice (a unique key, not a lock)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..access.principals import ADMIN, Principal
from ..errors import Invalid, LedgerError
from ..models import Educator, License, SeasonRun, State, Transcript, TranscriptRevocation, db
from . import service as transcripts

PRINT_ONE = "ledger.print_season_transcript"  # the Celery task's name
MANIFEST_HEADER = [
    "educator_id", "license_number", "name", "license", "cycle_end", "renewal_status", "earned",
    "required", "unit", "serial", "sha256", "file", "verify_url", "status", "message",
]


def season_key(state: str, expiring_before: date) -> str:
    return f"{state}:expiring-before:{expiring_before.isoformat()}"


def select_educators(session, state: str, expiring_before: date, expiring_after: date | None = None) -> list[tuple]:
    """(educator_id, license type, cycle_end) for each educator of the state with a license
    expiring and not yet renewed: engine.season_cycle (the latest cycle of each license type
    held in the state, a recorded next cycle meaning renewed even before it begins, ending
    before `expiring_before` and on or after `expiring_after` when given; the earliest
    ending names the row, the first type by name between equals), asked of the whole state
    in SQL. In order of that cycle_end, then educator. A test holds this to the engine's
    answers."""
    state_id = session.scalar(select(State.id).where(State.code == state))
    if state_id is None:
        raise Invalid(f"no rulebook loaded for state {state!r}", {"state": [f"no rulebook loaded for {state!r}"]})
    latest = (  # engine.latest_cycles
        select(License.educator_id, License.type, func.max(License.current_cycle_end).label("cycle_end"))
        .where(License.state_id == state_id)
        .group_by(License.educator_id, License.type)
        .subquery()
    )
    stmt = select(latest.c.educator_id, latest.c.type, latest.c.cycle_end).where(
        latest.c.cycle_end < expiring_before)
    if expiring_after is not None:
        stmt = stmt.where(latest.c.cycle_end >= expiring_after)
    chosen: dict[int, tuple] = {}
    for educator_id, type_, cycle_end in session.execute(stmt.order_by(latest.c.cycle_end, latest.c.educator_id)):
        first = chosen.get(educator_id)
        # types ending the same day: the first by name as Python orders them (not the collation)
        if first is None or (cycle_end == first[2] and type_ < first[1]):
            chosen[educator_id] = (educator_id, type_, cycle_end)
    return list(chosen.values())


def print_one(educator_id: int, state: str, as_of: str, season: str, actor: str) -> dict:
    """Issue one educator's transcript for the season, unless it was issued already. Runs
    as a Celery task (in a worker, or eagerly) and in local pool processes."""
    session = db.session
    try:
        done = _issued(session, season, educator_id)
        if done is not None:
            return {"educator_id": educator_id, "serial": done[0], "sha256": done[1], "status": "already printed"}
        principal = Principal(role=ADMIN, actor=actor)
        try:
            row = transcripts.issue(session, principal, educator_id, state=state,
                                    as_of=date.fromisoformat(as_of), today=clock.today(), season=season)
            session.commit()
        except IntegrityError:  # another worker printed this educator first
            session.rollback()
            done = _issued(session, season, educator_id)
            if done is None:
                raise
            return {"educator_id": educator_id, "serial": done[0], "sha256": done[1], "status": "already printed"}
        except LedgerError as exc:
            session.rollback()
            return {"educator_id": educator_id, "serial": None, "sha256": None, "status": "error",
                    "message": exc.message}
        return {"educator_id": educator_id, "serial": row.serial, "sha256": row.sha256, "status": "printed"}
    finally:
        db.session.remove()


def _issued(session, season, educator_id):
    return session.execute(
        select(Transcript.serial, Transcript.sha256).where(Transcript.season == season,
                                                           Transcript.educator_id == educator_id)
    ).first()


def issued_ids(session, season: str) -> set[int]:
    return set(session.scalars(select(Transcript.educator_id).where(Transcript.season == season)))


# Local processes (eager mode, --processes N): forked children share nothing but the
# code; each opens its own database connections.
_pool_app = None


def _pool_start():
    ctx = _pool_app.app_context()
    ctx.push()
    db.engine.dispose(close=False)  # the parent's connections stay the parent's


def _pool_run(args):
    return print_one(*args)


def run(jobs: list[tuple], processes: int = 1, on_done=None, timeout: float | None = None) -> Iterator[dict]:
    """Run print jobs: eagerly here, in `processes` local processes, or on Celery workers
    when a broker is configured. Yields each result as it finishes."""
    celery = current_app.extensions["celery"]
    task = celery.tasks[PRINT_ONE]
    if not celery.conf.task_always_eager:
        from celery import group

        result = group(task.s(*job) for job in jobs).apply_async()
        seen: set[str] = set()
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            for r in result.results:
                if r.id not in seen and r.ready():
                    seen.add(r.id)
                    value = r.get(propagate=False)
                    if isinstance(value, BaseException):
                        value = {"educator_id": None, "serial": None, "sha256": None, "status": "error",
                                 "message": f"{type(value).__name__}: {value}"}
                    yield value
            if len(seen) == len(result.results):
                result.forget()
                return
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"{len(result.results) - len(seen)} transcripts not printed in {timeout:g} s: "
                                   f"are workers running on queue {celery.conf.task_default_queue!r}?")
            time.sleep(0.1)
    if processes <= 1:
        for job in jobs:
            yield task.apply(args=job).get()
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    global _pool_app
    _pool_app = current_app._get_current_object()
    db.session.remove()
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"),
                             initializer=_pool_start) as pool:
        futures = [pool.submit(_pool_run, job) for job in jobs]
        for f in as_completed(futures):
            yield f.result()


def file_name(license_number: str, serial: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", f"{license_number}_{serial}") + ".pdf"


def _intact(path: str, digest: str) -> bool:
    try:
        with open(path, "rb") as f:
            return transcripts.sha256(f.read()) == digest
    except FileNotFoundError:
        return False


def write_outputs(session, season: str, selection: list[tuple], results: dict[int, dict],
                  out_dir: str) -> Iterator[list]:
    """Write each printed PDF (the stored bytes, checked against their digest) into
    out_dir and yield the manifest rows."""
    os.makedirs(out_dir, exist_ok=True)

    def write(name: str, t: Transcript) -> None:
        path = os.path.join(out_dir, name)
        if not _intact(path, t.sha256):
            data = transcripts.pdf_bytes(session, t)
            tmp = path + ".part"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)

    outcomes = (results.get(s[0], {"status": "already printed"}) for s in selection)
    return manifest_rows(session, season, zip(selection, outcomes), write)


def manifest_rows(session, season: str, chosen: Iterable[tuple[tuple, dict]], on_printed=None) -> Iterator[list]:
    """The manifest's rows (MANIFEST_HEADER) for (selection row, outcome) pairs, read 200
    at a time: an educator with the season's transcript gets its figures and the outcome's
    status; one without gets the outcome's status when it is "pending", else "error" with
    its message. `on_printed(file name, transcript)` is called for each transcript."""
    pairs = iter(chosen)
    while chunk := list(islice(pairs, 200)):
        ids = [c[0][0] for c in chunk]
        people = {e.id: e for e in session.scalars(select(Educator).where(Educator.id.in_(ids)))}
        rows = {t.educator_id: t for t in session.scalars(
            select(Transcript).where(Transcript.season == season, Transcript.educator_id.in_(ids)))}
        for (educator_id, license_type, cycle_end), outcome in chunk:
            person = people[educator_id]
            t = rows.get(educator_id)
            if t is None:
                status = "pending" if outcome.get("status") == "pending" else "error"
                yield [educator_id, person.license_number, person.name, license_type, cycle_end, None, None,
                       None, None, None, None, None, None, status,
                       outcome.get("message") or ("" if status == "pending" else "not printed")]
                continue
            renewal = next((r for r in t.standing["renewal"] if r["license"] == license_type
                            and r["cycle_end"] == cycle_end.isoformat()), None)
            name = file_name(t.license_number, t.serial)
            if on_printed is not None:
                on_printed(name, t)
            yield [educator_id, t.license_number, t.name, license_type, cycle_end,
                   renewal and renewal["status"], renewal and renewal["earned_units"],
                   renewal and renewal["required_units"], t.standing["unit"], t.serial, t.sha256, name,
                   transcripts.public_url(f"/verify/{t.serial}"), outcome["status"], outcome.get("message")]
        session.expunge_all()


SEASON_PREFIX = ":expiring-before:"


def season_command(state: str, key: str, after: date | None = None) -> str:
    head = f"{state}{SEASON_PREFIX}"
    if key.startswith(head):
        lower = f" --expiring-after {after.isoformat()}" if after is not None else ""
        return f"flask ledger print-season --state {state} --expiring-before {key[len(head):]}{lower} --out season/"
    return (f"flask ledger print-season --state {state} --season '{key}' "
            "--expiring-before YYYY-MM-DD --out season/")


def seasons(session, state: State) -> list[dict]:
    revoked = func.count(TranscriptRevocation.id)
    rows = session.execute(
        select(Transcript.season, func.count(Transcript.id), func.min(Transcript.issued_at),
               func.max(Transcript.issued_at), revoked)
        .outerjoin(TranscriptRevocation, TranscriptRevocation.transcript_id == Transcript.id)
        .where(Transcript.state_id == state.id, Transcript.season.is_not(None))
        .group_by(Transcript.season)
        .order_by(func.max(Transcript.issued_at).desc())
    ).all()
    # a season started from the pages may have a lower bound too: its latest run's
    bounds = {season: after for season, after in session.execute(
        select(SeasonRun.season, SeasonRun.expiring_after).where(SeasonRun.state_id == state.id)
        .order_by(SeasonRun.id))}
    out = []
    for key, printed, first, last, n_revoked in rows:
        remaining, after = None, bounds.get(key)
        head = f"{state.code}{SEASON_PREFIX}"
        if key.startswith(head):
            try:
                before = date.fromisoformat(key[len(head):])
            except ValueError:
                before = None
            if before is not None:  # what a second run of the same command would print now
                chosen = {row[0] for row in select_educators(session, state.code, before, after)}
                remaining = len(chosen - issued_ids(session, key))
        out.append({"key": key, "printed": printed, "first": first, "last": last, "revoked": n_revoked,
                    "remaining": remaining, "command": season_command(state.code, key, after)})
    return out
