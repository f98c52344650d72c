"""The Celery worker's entry point: `celery -A ledger.worker worker` (with
CELERY_BROKER_URL and DATABASE_URL set as for the web app)."""

from ledger.app import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
