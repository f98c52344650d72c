"""The state office's pages: overview, educators, rulebooks, catalog, transcripts."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..scopes import ADMIN, STATE_OFFICE
from .auth import role_required

bp = Blueprint("state", __name__, url_prefix="/state")


@bp.get("")
@role_required(STATE_OFFICE, ADMIN)
def overview():
    return render_template("state/overview.html")


@bp.get("/educators")
@role_required(STATE_OFFICE, ADMIN)
def educators():
    return render_template("state/overview.html")


@bp.get("/rulebooks")
@role_required(STATE_OFFICE, ADMIN)
def rulebooks():
    return render_template("state/overview.html")


@bp.get("/catalog")
@role_required(STATE_OFFICE, ADMIN)
def catalog():
    return render_template("state/overview.html")


@bp.get("/transcripts")
@role_required(STATE_OFFICE, ADMIN)
def transcripts():
    return render_template("state/overview.html")
