"""Printing a season run's items: each one through the one-transcript job the command line
uses (`transcripts.season.print_one`), its outcome recorded on the item and counted on the
run in one transaction, the run done when nothing is left.

Where it prints (`dispatch`):
- with a broker (CELERY_BROKER_URL), on Celery workers: the request sends one small task
  per 2,000 items, which a worker fans out into one task per transcript, so starting a
  whole state takes the request seconds, not the minutes of queueing 100,000 tasks;
- without one, in a background thread of the web process that took the request, one
  transcript at a time (the one-machine default: the request answers at once and the page
  follows the counts). If that process stops, what is left stays pending and the run's
  page offers to take it up again;
- with SEASON_IN_REQUEST set (the tests, a tiny demo), inside the request itself."""

from __future__ import annotations

import logging
import threading

from flask import current_app
from sqlalchemy import and_, select, update

from ..models import SeasonItem, SeasonRun, State, db, utcnow
from ..transcripts import season as seasons

PRINT_ITEM = "ledger.print_season_item"
FAN_OUT = "ledger.queue_season_items"
CHUNK = 2000
log = logging.getLogger("ledger.seasons")


def print_item(item_id: int) -> str | None:
    """Print one pending item and record what became of it; the item's new status (None
    when it was not pending: printed or taken already)."""
    session = db.session
    row = session.execute(
        select(SeasonItem.educator_id, SeasonItem.run_id, SeasonItem.status, SeasonRun.season, SeasonRun.as_of,
               SeasonRun.started_by, State.code)
        .join(SeasonRun, SeasonRun.id == SeasonItem.run_id).join(State, State.id == SeasonRun.state_id)
        .where(SeasonItem.id == item_id)).first()
    db.session.remove()
    if row is None or row.status != "pending":
        return None
    try:
        result = seasons.print_one(row.educator_id, row.code, row.as_of.isoformat(), row.season, row.started_by)
    except Exception as exc:  # one transcript that cannot be made fails alone, not the season
        log.exception("season item %s (educator %s) failed", item_id, row.educator_id)
        result = {"status": "error", "message": f"unexpected error ({type(exc).__name__}): "
                                                "the server's log has the details"}
    status = record(db.session, item_id, row.run_id, result)
    db.session.commit()
    db.session.remove()
    return status


def record(session, item_id: int, run_id: int, result: dict) -> str | None:
    """The outcome on the item (only if it is still pending: a duplicate task changes
    nothing) and its count on the run; the run is done when printed and failed make its
    total."""
    printed = result["status"] in ("printed", "already printed")
    note = None if result["status"] == "printed" else \
        "printed before this run" if printed else (result.get("message") or "not printed")[:1000]
    now = utcnow()
    done = session.execute(update(SeasonItem).where(SeasonItem.id == item_id, SeasonItem.status == "pending")
                           .values(status="printed" if printed else "failed", serial=result.get("serial"),
                                   note=note, updated_at=now)).rowcount
    if done != 1:
        return None
    column = SeasonRun.printed if printed else SeasonRun.failed
    session.execute(update(SeasonRun).where(SeasonRun.id == run_id).values({column: column + 1, "progress_at": now}))
    session.execute(update(SeasonRun).where(
        and_(SeasonRun.id == run_id, SeasonRun.status == "running",
             SeasonRun.printed + SeasonRun.failed >= SeasonRun.total)).values(status="done", finished_at=now))
    return "printed" if printed else "failed"


def queue_items(item_ids: list[int]) -> None:
    """On a worker: one print task per item."""
    task = current_app.extensions["celery"].tasks[PRINT_ITEM]
    for item_id in item_ids:
        task.apply_async(args=(item_id,))


def register(celery) -> None:
    celery.task(name=PRINT_ITEM, ignore_result=True)(print_item)
    celery.task(name=FAN_OUT, ignore_result=True)(queue_items)


def dispatch(item_ids: list[int]) -> str:
    """Print these items (committed, pending) where this ledger prints; where that is:
    "workers", "background" or "request"."""
    app = current_app._get_current_object()
    celery = app.extensions["celery"]
    if not celery.conf.task_always_eager:
        fan_out = celery.tasks[FAN_OUT]
        for i in range(0, len(item_ids), CHUNK):
            fan_out.apply_async(args=(item_ids[i:i + CHUNK],))
        return "workers"
    if app.config.get("SEASON_IN_REQUEST"):
        for item_id in item_ids:
            print_item(item_id)
        return "request"

    def work():
        with app.app_context():
            for item_id in item_ids:
                try:
                    print_item(item_id)
                except Exception:  # the database went away: what is left stays pending
                    log.exception("season printing stopped at item %s", item_id)
                    db.session.remove()
                    return

    threading.Thread(target=work, name="season-printer", daemon=True).start()
    return "background"
