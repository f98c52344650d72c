"""HR's import page: upload a file, read the row report."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from .. import clock
from ..access.principals import ADMIN, DISTRICT_HR
from ..credentials.service import verifier
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
    today = clock.today()
    open_rows = body_rows(data, fmt, today, verifier(db.session, today))
    report = run_import(db.session, principal(), open_rows, fmt=fmt, partial=partial, dry_run=dry_run)
    if report.probe:
        record_probe(report.probe)
    return report


def _rows(n: int) -> str:
    return f"{n} row{'' if n == 1 else 's'}"


def outcome(report: Report) -> dict:
    """What the report says, in one voice: the verdict, how many entries went into the
    ledger, and what the "accepted" count means in this run. "Recorded" is said only of
    entries that are now in the ledger: a dry run, an all-or-nothing run refused for bad
    rows and a file of duplicates record nothing, whatever the transaction did."""
    recorded = report.accepted if report.committed and not report.dry_run else 0
    if report.unreadable:
        first = report.errors[0]["message"] if report.errors else "unreadable"
        return {"tone": "bad", "text": f"The file could not be read, and nothing was recorded: {first}",
                "recorded": 0, "accepted_label": "good rows"}
    if report.dry_run:
        text = (f"Checked only: nothing was recorded. {report.accepted} row{'' if report.accepted == 1 else 's'} "
                f"would be recorded")
        if report.rejected:
            text += f", {report.rejected} would be rejected"
            if not report.partial:
                text += (" (listed below). Imported as it is, the file would record nothing until they are "
                         "fixed or “Keep the good rows” is ticked")
        if report.duplicates:
            text += f"; {_rows(report.duplicates)} already in the ledger"
        return {"tone": "bad" if report.rejected else "info", "text": text + ".", "recorded": 0,
                "accepted_label": "would be recorded"}
    if report.rejected and not report.partial:
        n = report.rejected
        return {"tone": "bad", "recorded": 0, "accepted_label": "good rows, not recorded",
                "text": f"Nothing was recorded: {_rows(n)} {'has' if n == 1 else 'have'} errors. Fix "
                        f"{'it' if n == 1 else 'them'} and upload the file again, or tick “Keep the good rows”."}
    if recorded:
        text = f"Recorded {recorded} entr{'y' if recorded == 1 else 'ies'}"
        if report.rejected:
            text += f"; {report.rejected} bad row{'' if report.rejected == 1 else 's'} left out (listed below)"
        if report.duplicates:
            text += f"; {_rows(report.duplicates)} already in the ledger"
        return {"tone": "good", "text": text + ".", "recorded": recorded, "accepted_label": "recorded"}
    if report.rejected:
        return {"tone": "bad", "recorded": 0, "accepted_label": "recorded",
                "text": "Nothing was recorded: every row with something new has errors (listed below)."}
    return {"tone": "info", "recorded": 0, "accepted_label": "recorded",
            "text": "Nothing was recorded: there was nothing new"
                    + (", every row was already in the ledger." if report.duplicates else " in the file.")}


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
                           outcome=outcome(report) if report is not None else None,
                           columns=CSV_COLUMNS, district=current_district() if principal().role == DISTRICT_HR
                           else None), status
