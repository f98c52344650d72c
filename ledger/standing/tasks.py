"""The projection's jobs on Celery: a state judged again after a new rulebook version (in
batches, each committed), and the daily refresh of what moves by date alone (on beat)."""

from __future__ import annotations

from celery.schedules import crontab
from flask import current_app

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
    """Judge again everyone with a figure that moved by date alone by today, then keep
    everyone's answer for today."""
    from datetime import date

    from .. import clock
    from ..models import db
    from . import projection
    from .kept import warm
    day = date.fromisoformat(as_of) if as_of else clock.today()
    try:
        done = projection.refresh(db.session, projection.stale_educators(db.session, day), day,
                                  checkpoint=db.session.commit)
        db.session.commit()
        # then today's answers, so the API answers the day's first reader from what is kept
        warm(db.session, projection.every_educator(db.session), day, checkpoint=db.session.commit)
        db.session.commit()
        return done
    finally:
        db.session.remove()


def queue_refresh(state_id: int) -> None:
    current_app.extensions["celery"].send_task(REFRESH_STATE, args=[state_id])


def register(celery, hour: int) -> None:
    celery.task(name=REFRESH_STATE)(refresh_state)
    celery.task(name=REFRESH_DUE)(refresh_due)
    celery.conf.beat_schedule = {
        **(celery.conf.beat_schedule or {}),
        "refresh-standings": {"task": REFRESH_DUE, "schedule": crontab(hour=hour, minute=0)},
    }
