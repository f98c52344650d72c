"""Server-rendered pages. The full pages for teachers, HR and the state office land with
issue 6; for now a landing page and the public verify page."""

from __future__ import annotations

import re

from flask import Blueprint, render_template, request
from sqlalchemy import func, select

from .. import transcripts
from ..models import Credential, Educator, Entry, State, db

bp = Blueprint("web", __name__)
SHA256 = re.compile(r"^[0-9a-f]{64}$")


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


def init_app(app):
    app.register_blueprint(bp)
