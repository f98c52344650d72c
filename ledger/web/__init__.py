"""Server-rendered pages. The full pages for teachers, HR and the state office land with
issue 6; for now a landing page and HTML error pages."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

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


def init_app(app):
    app.register_blueprint(bp)
