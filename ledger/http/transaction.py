"""The request is the commit boundary: services flush and write their audit rows; what a
request wrote is committed when it answers successfully (below 400) and rolled back
otherwise. (The CLI commands and the Celery tasks are the other boundaries.)"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from ..models import db


def _finish(response):
    if response.status_code >= 400:
        db.session.rollback()
        return response
    try:
        db.session.commit()
    except SQLAlchemyError as exc:
        db.session.rollback()
        handler = current_app._find_error_handler(exc, [])
        if handler is None:
            raise
        return current_app.make_response(handler(exc))
    return response


def init_app(app) -> None:
    app.after_request(_finish)
