"""The one error path: every failure answers JSON under /api/v1 and an HTML page
elsewhere, from one set of handlers. A user never sees a stack trace: domain errors keep
their status (403, 404, 409, 422), database conflicts answer 409, out-of-range values
422, and a database that is down 503 (JSON) or the 500 page."""

from __future__ import annotations

from flask import current_app, g, render_template, request
from flask_login import current_user
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from ..access.audit import record_refusal
from ..errors import LedgerError
from ..models import db
from ..text import unstorable_text
from .api import error_response, is_api_request

MESSAGES = {
    400: ("Bad request", "The form could not be read (it may have expired): go back, reload the page and try again."),
    403: ("Not for this account", "Your account's role does not open this page."),
    404: ("Not found", "There is nothing here, or it is outside what your account can see."),
    405: ("Not allowed", "That page does not take this kind of request."),
    409: ("Conflict", "That conflicts with a record already there."),
    413: ("Too large", "That file is larger than this form takes (16 MiB)."),
    414: ("Address too long", "That address is too long to be a page of the ledger."),
    422: ("Cannot do that", "Something in the request was not valid."),
    429: ("Too many attempts", "Too many attempts in a short time: wait a minute and try again."),
    500: ("Something went wrong", "The ledger could not answer. Nothing was changed; try again."),
    503: ("Unavailable", "The ledger's database cannot be reached just now. Nothing was changed; try again."),
}


def error_page(code: int, message: str | None = None):
    name, default = MESSAGES.get(code, (str(code), ""))
    return render_template("error.html", code=code, name=name, message=message or default), code



def _ledger_error(exc: LedgerError):
    db.session.rollback()
    if exc.probe is not None:
        record_probe(exc.probe)
    if is_api_request():
        return error_response(exc.status, exc.message, exc.errors, **exc.extra)
    return error_page(exc.status, exc.message if exc.status not in (404, 503) else None)


def record_probe(probe: dict) -> None:
    """Keep, committed whatever the request's answer, that this request was told about
    something outside its scope (only what the answer says was recorded is in the session)."""
    principal = getattr(g, "principal", None)  # the API's token
    if principal is None and current_user.is_authenticated:  # a page's signed-in user
        principal = current_user.principal
    actor = principal.actor if principal is not None else "anonymous"
    record_refusal(db.session, actor, probe)
    db.session.commit()


# What the database refused, and how each kind is answered: (status, API message, page message).
DATABASE_REFUSALS = {
    IntegrityError: (409, "conflicts with a record already there",
                     "That conflicts with a record already there (someone may have just made it)."),
    DataError: (422, "a value is out of range for the database", "A value is out of range for the database."),
    OperationalError: (503, "the database is unavailable; try again", None),
}


def database_error(exc: DBAPIError):
    """Answer a database refusal (raised in a view, or at the request's commit)."""
    db.session.rollback()
    status, api_message, page_message = next(v for k, v in DATABASE_REFUSALS.items() if isinstance(exc, k))
    if status == 503:
        current_app.logger.exception("database unavailable")
    else:
        current_app.logger.warning("%s answered %s: %s", type(exc).__name__, status, exc.orig)
    if is_api_request():
        return error_response(status, api_message)
    return error_page(status, page_message)


def _http_error(error: HTTPException):
    if is_api_request():
        return current_app.extensions["ledger_api"].handle_http_exception(error)
    described = error.description if error.code in (403, 413, 414, 422) and error.description != \
        type(error).description else None
    return error_page(error.code or 500, described)


def _storable_form():
    """No form field may hold what no database can store (as for the API's JSON)."""
    if request.method == "POST" and not is_api_request() and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        for name, value in request.form.items(multi=True):
            for path, messages in unstorable_text(value, name):
                return error_page(422, f"{path}: {messages[0]}")
    return None


def init_app(app) -> None:
    app.register_error_handler(LedgerError, _ledger_error)
    for kind in DATABASE_REFUSALS:
        app.register_error_handler(kind, database_error)
    for code in MESSAGES:
        if code != 500:
            app.register_error_handler(code, _http_error)
    app.before_request(_storable_form)
