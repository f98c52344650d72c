"""The projection's jobs on Celery: a state judged again after a new rulebook version (in
batches, each committed), and the daily refresh of what moves by date alone (on beat)."""

from __future__ import annotations

import logging
import threading

from celery.schedules import crontab
from flask import current_app

log = logging.getLogger(__name__)

REFRESH_STATE = "ledger.standing.refresh_state"
REFRESH_DUE = "ledger.standing.refresh_due"


def refresh_state(state_id: int) -> int:
    """Judge every educator of the state under its newest version; how many."""
    from .. import clock
    from ..models import db
    from . import projection
    try:
        ids = projection.every_educator(db.session, state_id)
        done = projection.refresh(db.session, ids, clock.today(), checkpoint=db.session.commit)
        db.session.commit()
        return done
    finally:
        db.session.remove()


def refresh_due(as_of: str | None = None) -> int:
    """Judge again everyone with a figure that moved by date alone by today, store the
    statuses the day moved (counts.settle), then keep everyone's answer for today."""
    from datetime import date

    from .. import clock
    from ..models import db
    from . import counts, projection
    from .kept import warm
    day = date.fromisoformat(as_of) if as_of else clock.today()
    try:
        done = projection.refresh(db.session, projection.stale_educators(db.session, day), day,
                                  checkpoint=db.session.commit)
        counts.settle(db.session, day)  # the statuses that moved overnight, stored
        db.session.commit()
        # then today's answers, so the API answers the day's first reader from what is kept
        warm(db.session, projection.every_educator(db.session), day, checkpoint=db.session.commit)
        db.session.commit()
        return done
    finally:
        db.session.remove()


def queue_refresh(state_id: int) -> None:
    """Refresh the state after the commit: on Celery's workers, or with no broker in a
    thread of this process (a web request answers at once; the pages show the progress)."""
    app = current_app._get_current_object()
    celery = app.extensions["celery"]
    if not celery.conf.task_always_eager:
        celery.send_task(REFRESH_STATE, args=[state_id])
        return

    def work():
        with app.app_context():
            try:
                refresh_state(state_id)
            except Exception:  # the database went away: the pages still show what is left
                log.exception("refreshing the standings of state %s stopped", state_id)

    threading.Thread(target=work, name="standings-refresh", daemon=True).start()


def register(celery, hour: int) -> None:
    celery.task(name=REFRESH_STATE)(refresh_state)
    celery.task(name=REFRESH_DUE)(refresh_due)
    celery.conf.beat_schedule = {
        **(celery.conf.beat_schedule or {}),
        "refresh-standings": {"task": REFRESH_DUE, "schedule": crontab(hour=hour, minute=0)},
    }
