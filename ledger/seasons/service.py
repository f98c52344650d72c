"""Renewal seasons from the state office's pages (issue 18, item 4): start a season (the
cycles ending before a day, and on or after another), follow its counts while it prints,
list what failed and why, and send the failures again.

The command line (`flask ledger print-season`) prints through the same selection and the
same one-transcript job (`transcripts.season`), under the same season key: a transcript
printed by either counts as printed for the other, and no educator is printed twice in a
season. Printing itself is `printing.py`; this module decides and records."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import insert, select, update

from ..access import audit
from ..access.principals import ADMIN, STATE_OFFICE, Principal
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import MAX_ID, Educator, SeasonItem, SeasonRun, State, Transcript, lock_for_write, utcnow
from ..transcripts import season as seasons
from ..transcripts import service as transcripts

BATCH = 1000  # items written per statement
MANIFEST_PAGE = 1000  # items read per query while a manifest streams


def _may_print(principal: Principal, state: State) -> None:
    if principal.role not in (ADMIN, STATE_OFFICE):
        raise Forbidden(f"the {principal.role} role may not print renewal seasons")
    if principal.role == STATE_OFFICE and principal.state_id != state.id:
        raise Forbidden(f"a state office prints its own state's seasons, not {state.code}'s")


def overlaps(a: SeasonRun | tuple, after: date | None, before: date) -> bool:
    """Whether two ranges of cycle ends ([after, before), no lower bound when after is
    None) share a day."""
    a_after, a_before = (a.expiring_after, a.expiring_before) if isinstance(a, SeasonRun) else a
    return (a_after is None or a_after < before) and (after is None or after < a_before)


def overlapping(session, state_id: int, after: date | None, before: date, key: str | None = None) -> SeasonRun | None:
    """A run of the state still printing whose range shares a day with [after, before),
    other than one under `key` (the same season: printing it again is resuming it)."""
    for run in session.scalars(select(SeasonRun).where(SeasonRun.state_id == state_id,
                                                       SeasonRun.status == "running").order_by(SeasonRun.id)):
        if overlaps(run, after, before) and run.season != key:
            return run
    return None


def describe(after: date | None, before: date) -> str:
    return (f"cycles ending from {after.isoformat()} to before {before.isoformat()}" if after
            else f"cycles ending before {before.isoformat()}")


def start(session, principal: Principal, state: State, before: date, after: date | None, today: date) -> SeasonRun:
    """Record a season run and its items: one per educator `transcripts.season.
    select_educators` picks, printed already when the season (its key: the state and
    `before`, as the command line makes it) holds their transcript, else pending. The
    transcripts show `today`. Refused, naming the field, when the range is empty or
    backwards, when no educator is in it, and while a run of the state whose range
    overlaps is still printing (its educators would be printed twice under two keys, or
    raced for under one). The caller commits, then dispatches the pending items."""
    _may_print(principal, state)
    if after is not None and after >= before:
        raise Invalid("expiring_after must be before expiring_before",
                      {"expiring_after": [f"must be before {before.isoformat()} (expiring before)"]})
    transcripts.check_public_url()
    lock_for_write(session, State, state.id)  # two offices starting at once: one at a time
    run = overlapping(session, state.id, after, before)
    if run is not None:
        raise Conflict(f"season run {run.id} ({describe(run.expiring_after, run.expiring_before)}) is still "
                       f"printing and overlaps {describe(after, before)}: wait for it to finish, or "
                       "choose a range that does not overlap",
                       {"expiring_before": [f"overlaps season run {run.id} "
                                            f"({describe(run.expiring_after, run.expiring_before)}), still "
                                            "printing: wait for it to finish"]})
    selection = seasons.select_educators(session, state.code, before, after)
    if not selection:
        raise Invalid(f"no {state.code} educator has a cycle to print among {describe(after, before)} "
                      "(renewed cycles are left out): no season was started",
                      {"expiring_before": [f"no {state.code} cycle to print among {describe(after, before)}"]})
    key = seasons.season_key(state.code, before)
    done = dict(session.execute(select(Transcript.educator_id, Transcript.serial)
                                .where(Transcript.season == key)).all())
    already = sum(1 for s in selection if s[0] in done)
    run = SeasonRun(state_id=state.id, season=key, expiring_before=before, expiring_after=after, as_of=today,
                    status="running" if already < len(selection) else "done", total=len(selection),
                    printed=already, failed=0, started_by=principal.actor, started_at=utcnow(),
                    finished_at=None if already < len(selection) else utcnow())
    session.add(run)
    session.flush()
    for i in range(0, len(selection), BATCH):
        session.execute(insert(SeasonItem), [
            {"run_id": run.id, "educator_id": eid, "license_type": type_, "cycle_end": end,
             "status": "printed" if eid in done else "pending", "serial": done.get(eid),
             "note": "printed before this run" if eid in done else None, "attempts": 1}
            for eid, type_, end in selection[i:i + BATCH]])
    audit.record(session, principal.actor, "start_season", "season_run", run.id, {
        "state": state.code, "season": key, "expiring_before": before.isoformat(),
        "expiring_after": after and after.isoformat(), "as_of": today.isoformat(), "total": run.total,
        "printed_before": already})
    session.flush()
    return run


def runs_of(session, principal: Principal, state: State, limit: int = 50) -> list[SeasonRun]:
    _may_print(principal, state)
    return session.scalars(select(SeasonRun).where(SeasonRun.state_id == state.id)
                           .order_by(SeasonRun.id.desc()).limit(limit)).all()


def get_run(session, principal: Principal, run_id: int) -> SeasonRun:
    """The run, for its state's office or an admin; another state's office is told it
    does not exist (404), other roles may not (403)."""
    if principal.role not in (ADMIN, STATE_OFFICE):
        raise Forbidden(f"the {principal.role} role may not print renewal seasons")
    run = session.get(SeasonRun, run_id) if 1 <= run_id <= MAX_ID else None
    if run is None or (principal.role == STATE_OFFICE and run.state_id != principal.state_id):
        raise NotFound(f"season run {run_id} not found")
    return run


def failures(session, run: SeasonRun, limit: int = 200) -> list[tuple[SeasonItem, str, str]]:
    """The run's failed items (first `limit`, by cycle end), each with the educator's name
    and license number."""
    return session.execute(
        select(SeasonItem, Educator.last_name + ", " + Educator.first_name, Educator.license_number)
        .join(Educator, Educator.id == SeasonItem.educator_id)
        .where(SeasonItem.run_id == run.id, SeasonItem.status == "failed")
        .order_by(SeasonItem.cycle_end, SeasonItem.educator_id).limit(limit)).all()


def pending_ids(session, run_id: int) -> list[int]:
    return list(session.scalars(select(SeasonItem.id).where(SeasonItem.run_id == run_id,
                                                            SeasonItem.status == "pending")
                                .order_by(SeasonItem.cycle_end, SeasonItem.educator_id)))


def requeue(session, principal: Principal, run: SeasonRun, which: str) -> list[int]:
    """Put the run's failed items (`which` = "failed") back to pending, or take the
    pending ones again (`which` = "pending": a run whose printer stopped, say a web
    process restarted); the ids to dispatch. Only those: what printed stays printed.
    The caller commits, then dispatches."""
    _may_print(principal, run.state)
    if which == "failed":
        ids = list(session.scalars(update(SeasonItem).where(SeasonItem.run_id == run.id,
                                                            SeasonItem.status == "failed")
                                   .values(status="pending", note=None, attempts=SeasonItem.attempts + 1,
                                           updated_at=utcnow())
                                   .returning(SeasonItem.id)))
        if not ids:
            raise Conflict(f"season run {run.id} has no failed transcript to print again",
                           {"run": ["nothing failed"]})
        session.execute(update(SeasonRun).where(SeasonRun.id == run.id)
                        .values(failed=SeasonRun.failed - len(ids), status="running", finished_at=None))
    elif which == "pending":
        ids = list(session.scalars(select(SeasonItem.id).where(SeasonItem.run_id == run.id,
                                                               SeasonItem.status == "pending")))
        if not ids:
            raise Conflict(f"season run {run.id} has nothing left to print", {"run": ["nothing remaining"]})
    else:
        raise Invalid("which: failed or pending", {"which": ["failed or pending"]})
    # sent again: the page follows it afresh rather than calling it stalled at once
    session.execute(update(SeasonRun).where(SeasonRun.id == run.id).values(progress_at=utcnow()))
    audit.record(session, principal.actor, "requeue_season", "season_run", run.id,
                 {"which": which, "items": len(ids)})
    session.flush()
    session.expire(run)
    return ids


def manifest(session, run: SeasonRun) -> Iterator[list]:
    """The manifest's rows (transcripts.season.MANIFEST_HEADER), the command's columns:
    status printed (this run), already printed (before it), error (failed, with the
    reason) or pending. Items are read MANIFEST_PAGE at a time in the order they were chosen (by
    cycle end, then educator: their ids' order), so a state's manifest streams."""
    names = {"printed": "printed", "failed": "error", "pending": "pending"}

    def outcome(status, note):
        if status == "printed" and note:
            return {"status": "already printed"}
        return {"status": names[status], "message": note}

    run_id, key = run.id, run.season  # the rows below leave the session empty as they go

    def items():
        after = 0
        while page := session.execute(
                select(SeasonItem.id, SeasonItem.educator_id, SeasonItem.license_type, SeasonItem.cycle_end,
                       SeasonItem.status, SeasonItem.note)
                .where(SeasonItem.run_id == run_id, SeasonItem.id > after)
                .order_by(SeasonItem.id).limit(MANIFEST_PAGE)).all():
            for _, e, t, c, s, n in page:
                yield (e, t, c), outcome(s, n)
            after = page[-1][0]

    return seasons.manifest_rows(session, key, items())
