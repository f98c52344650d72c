"""Celery for bulk jobs. Without a broker every task runs in-process (eager), the
one-machine default; with CELERY_BROKER_URL set (Redis, RabbitMQ) tasks go to any number
of `celery -A ledger.worker worker` processes on other machines, which need only the
database (and the signing keys)."""

from __future__ import annotations

from celery import Celery, Task


def init_app(app) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    broker = app.config.get("CELERY_BROKER_URL")
    celery = Celery(app.import_name, task_cls=FlaskTask, set_as_current=False)
    celery.conf.update(
        broker_url=broker or "memory://",
        result_backend=app.config.get("CELERY_RESULT_BACKEND") or broker or None,
        task_always_eager=not broker,
        task_eager_propagates=True,
        task_default_queue=app.config.get("CELERY_QUEUE") or "ledger",
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=7 * 24 * 3600,
        worker_prefetch_multiplier=1,   # a transcript takes a while: share them out evenly
        task_acks_late=True,            # a worker that dies mid-print leaves it to another
        broker_connection_retry_on_startup=True,
    )

    from .reminders import tasks as reminder_tasks
    from .seasons import printing as season_printing
    from .standing import tasks as standing_tasks
    from .transcripts import tasks

    tasks.register(celery)
    season_printing.register(celery)
    reminder_tasks.register(celery, app.config.get("REMINDERS_HOUR", 6))
    # what moved by date alone is judged again an hour before the reminders read it
    standing_tasks.register(celery, (app.config.get("REMINDERS_HOUR", 6) - 1) % 24)
    app.extensions["celery"] = celery
    return celery
