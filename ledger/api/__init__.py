"""The JSON API under /api/v1 (CONTRACT.md section 4): thin views over the services.

One error shape everywhere: {code, status, message, errors?}, where `errors` maps each
bad field's path to its messages. Pages outside /api keep HTML errors.
"""

from __future__ import annotations

from http import HTTPStatus

from flask import current_app, g, jsonify, request
from flask_smorest import Api as _Api
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from ..errors import LedgerError, flatten
from .schemas import ErrorOut
from ..models import MAX_ID, db
from ..scopes import principal_for_token

PREFIX = "/api/v1"
LOCATIONS = {"json", "query", "querystring", "headers", "files", "form", "view_args", "path"}


def is_api_request() -> bool:
    return request.path.startswith(PREFIX)


def error_response(status: int, message: str, errors: dict | None = None, headers=None, **extra):
    body = {"code": status, "status": HTTPStatus(status).phrase, "message": message}
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = jsonify(body)
    response.status_code = status
    for k, v in (headers or {}).items():
        response.headers[k] = v
    return response


def _field_errors(messages) -> dict[str, list[str]]:
    # webargs nests errors under their location ({"json": {...}}); callers want field names.
    if isinstance(messages, dict) and set(messages) <= LOCATIONS:
        merged: dict = {}
        for value in messages.values():
            for path, msgs in flatten(value).items():
                merged.setdefault(path, []).extend(msgs)
        return merged
    return flatten(messages)


class Api(_Api):
    ERROR_SCHEMA = ErrorOut

    def handle_http_exception(self, error: HTTPException):
        if not is_api_request():
            return error  # HTML pages keep Werkzeug's HTML error (or the web blueprint's)
        headers = dict(error.get_headers())
        headers.pop("Content-Type", None)
        data = getattr(error, "data", None) or {}
        headers.update(data.get("headers") or {})
        errors = _field_errors(data["messages"]) if "messages" in data else None
        message = data.get("message") or error.description or error.name
        if errors and error.code in (400, 422):
            first = next(iter(errors.items()))
            message = f"{first[0]}: {first[1][0]}" if first[0] != "_schema" else first[1][0]
        return error_response(error.code or 500, message, errors, headers)


def authenticate():
    if request.method == "OPTIONS":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return error_response(401, "missing bearer token", headers={"WWW-Authenticate": "Bearer"})
    principal = principal_for_token(db.session, token.strip())
    if principal is None:
        return error_response(401, "unknown or revoked token",
                              headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    g.principal = principal
    return None


def require_json():
    """Bodies are JSON; no text anywhere may hold what no database can store."""
    unstorable = {f: ["contains a NUL character"] for f, v in request.args.items(multi=True) if "\x00" in v}
    if unstorable:
        return error_response(422, f"{next(iter(unstorable))}: contains a NUL character", unstorable)
    if request.method in ("POST", "PUT", "PATCH") and request.endpoint:
        if not request.is_json:
            return error_response(
                400, "send the body as application/json",
                {"Content-Type": [f"expected application/json, got {request.mimetype or 'nothing'}"]},
            )
        try:
            body = request.get_json(silent=True)
        except RecursionError:
            body = None
        if body is None:
            return error_response(400, "the body is not valid JSON", {"_body": ["malformed JSON"]})
        try:
            unstorable = dict(_unstorable_text(body, ""))
        except RecursionError:
            return error_response(400, "the body is nested too deeply", {"_body": ["nested too deeply"]})
        if unstorable:
            first = next(iter(unstorable.items()))
            return error_response(422, f"{first[0]}: {first[1][0]}", unstorable)
    return None


def _unstorable_text(value, path):
    """(path, [message]) for each string holding a NUL or a lone surrogate."""
    if isinstance(value, str):
        if "\x00" in value:
            yield path or "_body", ["contains a NUL character"]
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                yield path or "_body", ["is not valid Unicode text"]
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _unstorable_text(k, path or "_body")
            yield from _unstorable_text(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _unstorable_text(v, f"{path}[{i}]")


class IdConverter(IntegerConverter):
    """A record id in a URL: documented as 1..MAX_ID; any other number reaches the view
    and is simply not found (a bounds failure in the converter makes Werkzeug answer 405)."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)

    def to_python(self, value):
        return int(value)


def init_app(app):
    from ..app import csrf
    from . import payroll, routes, transcripts

    app.url_map.converters["id"] = IdConverter
    api = Api(app)
    api.register_converter(IdConverter, lambda c: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    for bp in routes.blueprints + payroll.blueprints + transcripts.blueprints:
        api.register_blueprint(bp, url_prefix=PREFIX)
        csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site forgery to stop
    app.extensions["ledger_api"] = api

    @app.errorhandler(LedgerError)
    def ledger_error(exc: LedgerError):
        if not is_api_request():
            from ..web import error_page

            db.session.rollback()
            return error_page(exc.status, exc.message if exc.status not in (404, 503) else None)
        return error_response(exc.status, exc.message, exc.errors, **exc.extra)

    @app.errorhandler(IntegrityError)
    def integrity_error(exc):
        db.session.rollback()
        if not is_api_request():
            from ..web import error_page

            current_app.logger.warning("integrity error answered 409: %s", exc.orig)
            return error_page(409, "That conflicts with a record already there (someone may have just made it).")
        current_app.logger.warning("integrity error answered 409: %s", exc.orig)
        return error_response(409, "conflicts with a record already there")

    @app.errorhandler(DataError)
    def data_error(exc):
        db.session.rollback()
        if not is_api_request():
            from ..web import error_page

            current_app.logger.warning("data error answered 422: %s", exc.orig)
            return error_page(422, "A value is out of range for the database.")
        current_app.logger.warning("data error answered 422: %s", exc.orig)
        return error_response(422, "a value is out of range for the database")

    @app.errorhandler(OperationalError)
    def operational_error(exc):
        db.session.rollback()
        current_app.logger.exception("database unavailable")
        if not is_api_request():
            raise exc
        return error_response(503, "the database is unavailable; try again")
