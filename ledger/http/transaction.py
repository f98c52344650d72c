"""The request is the commit boundary: services flush and write their audit rows; what a
request wrote is committed when it answers successfully (below 400) and rolled back
otherwise. (The CLI commands and the Celery tasks are the other boundaries.)"""

from __future__ import annotations

from flask import current_app

from ..models import db
from .errors import DATABASE_REFUSALS, database_error


def _finish(response):
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except tuple(DATABASE_REFUSALS) as exc:
        return current_app.make_response(database_error(exc))
    return response


def init_app(app) -> None:
    app.after_request(_finish)
