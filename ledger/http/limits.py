"""Request bodies are counted as they stream: one over MAX_CONTENT_LENGTH answers 413
however it is sent; a request target (path and query) over MAX_URL_LENGTH bytes answers
414 through the app's one error path, JSON under /api/v1. (gunicorn's own 414 is an HTML
page: run it with `--limit-request-line 8190`, its most, so that the app sees the request
lines between its limit and that one, and answers them itself.)

With Content-Length, Werkzeug refuses a body too large before reading it; a body sent with
`Transfer-Encoding: chunked` has no length, and Werkzeug would stop reading at the limit
and hand the first part to the view as if it were the whole body."""

from __future__ import annotations

import io

from flask import abort, current_app, request

TOO_LARGE = "ledger.body_too_large"
CHUNK = 64 * 1024
MAX_URL_LENGTH = 4094  # gunicorn's default limit for a whole request line


class CountedBody:
    """WSGI middleware: a body without Content-Length is read here, up to one byte past
    the limit; past it, the request goes on with an empty body and is refused with 413
    by `refuse_too_large`, through the app's one error path."""

    def __init__(self, wsgi_app, flask_app):
        self.wsgi_app, self.flask_app = wsgi_app, flask_app

    def __call__(self, environ, start_response):
        limit = self.flask_app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and not environ.get("CONTENT_LENGTH") and \
                "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            stream, body, size = environ["wsgi.input"], [], 0
            while size <= limit:
                chunk = stream.read(min(CHUNK, limit + 1 - size))
                if not chunk:
                    break
                body.append(chunk)
                size += len(chunk)
            data = b"".join(body)
            if size > limit:
                environ[TOO_LARGE] = True
                data = b""
            environ["wsgi.input"] = io.BytesIO(data)
            environ["CONTENT_LENGTH"] = str(len(data))
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["wsgi.input_terminated"] = True
        return self.wsgi_app(environ, start_response)


def refuse_too_large():
    if request.environ.get(TOO_LARGE):
        abort(413)
    environ = request.environ
    target = environ.get("RAW_URI") or environ.get("REQUEST_URI") or \
        request.full_path.encode("utf-8", "surrogateescape").decode("latin-1")
    if len(target) > current_app.config.get("MAX_URL_LENGTH", MAX_URL_LENGTH):
        abort(414, f"the URL is longer than {current_app.config.get('MAX_URL_LENGTH', MAX_URL_LENGTH)} bytes")


def init_app(app) -> None:
    app.wsgi_app = CountedBody(app.wsgi_app, app)
    # first of all the before-request hooks: before CSRF reads a form, before a view reads a body
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_too_large)
