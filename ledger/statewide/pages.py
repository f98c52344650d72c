"""The state office's downloads: its state's whole data, each table as CSV or JSON Lines,
streamed as `flask ledger export-state` writes it. An admin picks the state (?state=XX)."""

from __future__ import annotations

from flask import Blueprint, request

from .. import clock
from ..access.principals import ADMIN, STATE_OFFICE
from ..http.offices import current_state, download, render_state_page
from ..http.signin import principal, role_required
from ..models import db
from . import exports

bp = Blueprint("statewide_pages", __name__, url_prefix="/state/exports")

WHAT = {
    "educators": "An educator at home in the state or licensed there.",
    "licenses": "A cycle of a license held in the state, with its extensions and its renewal.",
    "entries": "An entry of those educators; a voided one keeps its row, marked with its void.",
    "standings": "A license's current cycle: its renewal figures today, from the ledger's engine.",
}


@bp.get("")
@role_required(STATE_OFFICE, ADMIN)
def downloads():
    state = current_state()
    return render_state_page("state/exports.html", state, tables=exports.TABLES, formats=exports.FORMATS, what=WHAT,
                             columns={"educators": exports.EDUCATOR_COLUMNS, "licenses": exports.LICENSE_COLUMNS,
                                      "entries": exports.ENTRY_COLUMNS, "standings": exports.STANDING_COLUMNS},
                             command=f"flask ledger export-state --state {state.code} --out {state.code}-export/")


@bp.get("/<table>.<fmt>")
@role_required(STATE_OFFICE, ADMIN)
def download_table(table, fmt):
    """What `flask ledger export-state` writes as STATE-TABLE.FORMAT, streamed."""
    export = exports.open_export(db.session, principal(), request.args.get("state"), table, fmt, clock.today())
    return download(export.lines, export.filename, export.mimetype)
