"""The JSON API's plumbing under /api/v1 (CONTRACT.md section 4): bearer tokens, JSON
bodies, record ids in URLs, and the one error shape {code, status, message, errors?},
where `errors` maps each bad field's path to its messages. Each domain's `api.py` holds
its flask-smorest blueprint; `register` mounts them all."""

from __future__ import annotations

from http import HTTPStatus

from flask import g, jsonify, request
from flask_smorest import Api as _Api
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from ..access.tokens import principal_for_token
from ..errors import flatten
from ..fields import EARLIEST, YEARS
from ..models import MAX_ID, db
from ..text import printable, unstorable_text

PREFIX = "/api/v1"
ID = "id"  # see IdConverter: an id that cannot exist is a 404
LOCATIONS = {"json", "query", "querystring", "headers", "files", "form", "view_args", "path"}


class ErrorOut(Schema):
    code = fields.Integer(metadata={"description": "the HTTP status"})
    status = fields.String(metadata={"description": "the HTTP status phrase"})
    message = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "each bad field's path and its messages"})
    entry_id = fields.Integer(metadata={"description": "on a conflict: the entry already recorded"})
    educator_id = fields.Integer(metadata={"description": "on a conflict: the educator already recorded "
                                                          "(only one the caller can see)"})


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
            unstorable = dict(unstorable_text(body))
        except RecursionError:
            return error_response(400, "the body is nested too deeply", {"_body": ["nested too deeply"]})
        if unstorable:
            first = next(iter(unstorable.items()))
            return error_response(422, f"{first[0]}: {first[1][0]}", unstorable)
    return None


class IdConverter(IntegerConverter):
    """A record id in a URL: documented as 1..MAX_ID; any other number reaches the view
    and is simply not found (a bounds failure in the converter makes Werkzeug answer 405)."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ID)

    def to_python(self, value):
        return int(value)



def blueprint(name: str, description: str, *, json_body: bool = True) -> Blueprint:
    """A domain's API blueprint: every call carries a bearer token; bodies are JSON
    unless `json_body` is false (an import takes CSV)."""
    bp = Blueprint(name, name, description=description)
    bp.before_request(authenticate)
    if json_body:
        bp.before_request(require_json)
    return bp


_DOCS = Blueprint("error-docs", __name__)  # never registered: only its decorator is used


def errors(*codes):
    """Document the error answers a view gives; all share the ErrorOut shape."""
    def wrap(f):
        for c in codes:
            f = _DOCS.alt_response(c, response="DEFAULT_ERROR")(f)
        return f
    return wrap


def json_body(schema, description: str) -> dict:
    return {"requestBody": {"required": True, "description": description,
                            "content": {"application/json": {"schema": schema}}}}


# What the server refuses in any text, stated in the document as patterns, so that what a
# client builds from it is taken: no NUL anywhere (require_json and the query check), and
# in a line people read (a `printable` field) no control or text-direction character
# (ledger/text.py; the same ranges).
NO_NUL = "^[^\\x00]*$"
# (`$(?!\\n)`: a regex `$` also matches before a last newline, which a name may not end with.)
PRINTABLE = "^[^\\x00-\\x1f\\x7f-\\x9f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2069\\ufeff]*$(?!\\n)"


def text_patterns(converter, field, ret, **_) -> dict:
    """An apispec attribute function: a string field with no pattern of its own gets the
    one the server enforces on every text; a date bounded like `fields.day` gets its years."""
    if "pattern" in ret or "enum" in ret:
        return {}
    if isinstance(field, fields.Date) and ret.get("x-minimum") == EARLIEST.isoformat():
        return {"pattern": YEARS}
    if type(field) is fields.String:
        return {"pattern": PRINTABLE if printable in field.validators else NO_NUL}
    return {}


def register(app, csrf, blueprints) -> Api:
    app.url_map.converters["id"] = IdConverter
    api = Api(app)
    api.register_converter(IdConverter, lambda c: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    api.ma_plugin.converter.add_attribute_function(text_patterns)
    for bp in blueprints:
        api.register_blueprint(bp, url_prefix=PREFIX)
        csrf.exempt(bp)  # bearer tokens, not cookies: no cross-site forgery to stop
    app.extensions["ledger_api"] = api
    return api
