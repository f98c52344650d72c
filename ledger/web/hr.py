"""District HR's pages: the roster, imports, salary runs (built out in issue 6)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..scopes import ADMIN, DISTRICT_HR
from .auth import role_required

bp = Blueprint("hr", __name__, url_prefix="/district")


@bp.get("")
@role_required(DISTRICT_HR, ADMIN)
def roster():
    return render_template("hr/roster.html")


@bp.get("/imports")
@role_required(DISTRICT_HR, ADMIN)
def imports():
    return render_template("hr/roster.html")


@bp.get("/salary-runs")
@role_required(DISTRICT_HR, ADMIN)
def salary_runs():
    return render_template("hr/roster.html")
