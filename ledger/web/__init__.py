"""Server-rendered pages for teachers (teacher.py), district HR (hr.py) and the state
office (state.py), signing in (auth.py), users (admin.py), and the public landing and
verify pages (here). Views call the same services as the API with the signed-in user's
principal, so scope is the API's: a record outside it is a 404."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from .. import transcripts
from ..models import Credential, Educator, Entry, State, db

bp = Blueprint("web", __name__)


@bp.get("/")
def index():
    counts = {
        "states": db.session.scalar(select(func.count()).select_from(State)),
        "educators": db.session.scalar(select(func.count()).select_from(Educator)),
        "entries": db.session.scalar(select(func.count()).select_from(Entry)),
        "credentials": db.session.scalar(select(func.count()).select_from(Credential)),
    }
    states = db.session.scalars(select(State).order_by(State.code)).all()
    return render_template("index.html", counts=counts, states=states)


@bp.route("/verify", methods=["GET", "POST"])
def verify_lookup():
    """Type a serial, or drop a PDF: either finds what was issued (or says it was not)."""
    serial = (request.values.get("serial") or "").strip()
    upload = request.files.get("pdf")
    if request.method == "POST" and upload and upload.filename:
        data = upload.read()
        row = transcripts.find(db.session, serial) if serial else transcripts.by_digest(
            db.session, transcripts.sha256(data))
        return _verify_page(row, serial or None, transcripts.check_file(row, data), upload.filename)
    if serial:
        return _verify_page(transcripts.find(db.session, serial), serial)
    return render_template("verify.html", result=None, serial=None, check=None)


@bp.route("/verify/<serial>", methods=["GET", "POST"])
def verify_serial(serial):
    row = transcripts.find(db.session, serial)
    upload = request.files.get("pdf") if request.method == "POST" else None
    if upload and upload.filename:
        return _verify_page(row, serial, transcripts.check_file(row, upload.read()), upload.filename)
    return _verify_page(row, serial)


def _verify_page(row, serial, check=None, filename=None):
    result = transcripts.verification(row, serial or "")
    status = 200 if row is not None else 404
    return render_template("verify.html", result=result, serial=serial, check=check,
                           filename=filename, found=row is not None), status


MESSAGES = {
    400: ("Bad request", "The form could not be read (it may have expired): go back, reload the page and try again."),
    403: ("Not for this account", "Your account's role does not open this page."),
    404: ("Not found", "There is nothing here, or it is outside what your account can see."),
    405: ("Not allowed", "That page does not take this kind of request."),
    409: ("Conflict", "That conflicts with a record already there."),
    413: ("Too large", "That file is larger than this form takes (16 MiB)."),
    422: ("Cannot do that", "Something in the request was not valid."),
    429: ("Too many attempts", "Too many attempts in a short time: wait a minute and try again."),
    500: ("Something went wrong", "The ledger could not answer. Nothing was changed; try again."),
}


def error_page(code: int, message: str | None = None):
    name, default = MESSAGES.get(code, (str(code), ""))
    return render_template("error.html", code=code, name=name, message=message or default), code


def init_app(app):
    from ..api import _unstorable_text, is_api_request
    from . import admin, auth, hr, state, teacher

    auth.init_app(app)
    for blueprint in (bp, teacher.bp, hr.bp, state.bp, admin.bp):
        app.register_blueprint(blueprint)
    app.jinja_env.globals["nav_links"] = auth.nav_links

    def page_error(error: HTTPException):
        if is_api_request():
            return app.extensions["ledger_api"].handle_http_exception(error)
        described = error.description if error.code in (403, 413, 422) and error.description != \
            type(error).description else None
        return error_page(error.code or 500, described)

    for code in MESSAGES:
        if code != 500:
            app.register_error_handler(code, page_error)

    @app.before_request
    def _storable_form():
        """No form field may hold what no database can store (as for the API's JSON)."""
        if request.method == "POST" and not is_api_request() and request.mimetype in (
                "application/x-www-form-urlencoded", "multipart/form-data"):
            for name, value in request.form.items(multi=True):
                for path, messages in _unstorable_text(value, name):
                    return error_page(422, f"{path}: {messages[0]}")
        return None
