"""HR's import page: upload a file, read the row report."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from .. import clock
from ..access.principals import ADMIN, DISTRICT_HR
from ..http.errors import record_probe
from ..http.offices import current_district
from ..http.signin import principal, role_required
from ..models import db
from .run import Report, run_import
from .sources import body_rows

bp = Blueprint("import_pages", __name__, url_prefix="/district")

# The CSV columns an import takes (CONTRACT.md section 4, "Imports").
CSV_COLUMNS = [
    ("license_number", "always", "the educator's license number"),
    ("state", "always", "the license's state, two letters (UT)"),
    ("earned_on", "always", "YYYY-MM-DD, a timestamp or M/D/YYYY; not after tomorrow"),
    ("credential", "micro-credential", "the catalog code (DP-FA-01)"),
    ("title", "activity", "what the activity was"),
    ("hours", "activity", "clock hours"),
    ("kind", "optional", "microcredential or activity"),
    ("tags", "optional", "separated by ; (activities)"),
    ("external_id", "optional", "the platform's id: sending it again records nothing new"),
    ("evidence_url", "optional", "a link to the evidence"),
]


def run_upload(data: bytes, fmt: str, partial: bool, dry_run: bool) -> Report:
    """The API's import (POST /api/v1/imports), from an uploaded file."""
    open_rows = body_rows(data, fmt, clock.today())
    report = run_import(db.session, principal(), open_rows, fmt=fmt, partial=partial, dry_run=dry_run)
    if report.probe:
        record_probe(report.probe)
    return report


@bp.route("/imports", methods=["GET", "POST"])
@role_required(DISTRICT_HR, ADMIN)
def imports():
    form = {"format": "csv", "partial": False, "dry_run": False}
    errors: dict[str, list[str]] = {}
    report = filename = None
    if request.method == "POST":
        form = {"format": request.form.get("format") or "csv", "partial": bool(request.form.get("partial")),
                "dry_run": bool(request.form.get("dry_run"))}
        upload = request.files.get("file")
        if form["format"] not in ("csv", "openbadges"):
            errors["format"] = ["Choose CSV or Open Badges."]
        if upload is None or not upload.filename:
            errors["file"] = ["Choose a file to upload."]
        if not errors:
            filename = upload.filename
            report = run_upload(upload.read(), form["format"], form["partial"], form["dry_run"])
    status = report.status if report is not None else (422 if errors else 200)
    return render_template("hr/imports.html", form=form, errors=errors, report=report, filename=filename,
                           columns=CSV_COLUMNS, district=current_district() if principal().role == DISTRICT_HR
                           else None), status
