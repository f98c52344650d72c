"""The reminder job on Celery, daily on beat (`celery -A ledger.worker beat` beside a worker)."""

from __future__ import annotations

from celery.schedules import crontab
from flask import current_app

SEND = "ledger.reminders.send"


def send_reminders(as_of: str | None = None) -> dict:
    from datetime import date

    from .. import clock
    from ..models import db
    from . import delivery, service

    day = date.fromisoformat(as_of) if as_of else clock.today()
    sender = delivery.sender_from_config(current_app.config)
    try:
        summary = service.run(db.session, day, sender, checkpoint=db.session.commit)
        db.session.commit()
    finally:
        sender.close()
        db.session.remove()
    return {"educators": summary.educators, "recorded": summary.recorded, "digests": summary.digests,
            "outcomes": summary.outcomes}


def register(celery, hour: int) -> None:
    celery.task(name=SEND)(send_reminders)
    celery.conf.beat_schedule = {
        **(celery.conf.beat_schedule or {}),
        "send-reminders": {"task": SEND, "schedule": crontab(hour=hour, minute=0)},
    }
