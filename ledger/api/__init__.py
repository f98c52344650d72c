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

from ..errors import LedgerError, flatten
from ..models import db
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
    if request.method in ("POST", "PUT", "PATCH") and request.endpoint and not getattr(
        current_app.view_functions.get(request.endpoint), "_accepts_any_body", False
    ):
        if not request.is_json:
            return error_response(
                400, "send the body as application/json",
                {"Content-Type": [f"expected application/json, got {request.mimetype or 'nothing'}"]},
            )
        if request.get_json(silent=True) is None:
            return error_response(400, "the body is not valid JSON", {"_body": ["malformed JSON"]})
    return None


def init_app(app):
    from . import routes

    api = Api(app)
    for bp in routes.blueprints:
        api.register_blueprint(bp, url_prefix=PREFIX)
    app.extensions["ledger_api"] = api

    @app.errorhandler(LedgerError)
    def ledger_error(exc: LedgerError):
        if not is_api_request():
            raise exc
        return error_response(exc.status, exc.message, exc.errors, **exc.extra)

    @app.errorhandler(IntegrityError)
    def integrity_error(exc):
        db.session.rollback()
        if not is_api_request():
            raise exc
        current_app.logger.warning("integrity error answered 409: %s", exc.orig)
        return error_response(409, "conflicts with a record already there")

    @app.errorhandler(DataError)
    def data_error(exc):
        db.session.rollback()
        if not is_api_request():
            raise exc
        current_app.logger.warning("data error answered 422: %s", exc.orig)
        return error_response(422, "a value is out of range for the database")

    @app.errorhandler(OperationalError)
    def operational_error(exc):
        db.session.rollback()
        current_app.logger.exception("database unavailable")
        if not is_api_request():
            raise exc
        return error_response(503, "the database is unavailable; try again")
