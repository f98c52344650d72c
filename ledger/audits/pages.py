"""The state office's audit pages: the audits of its state with the "New audit" form,
one audit's cases, and a case's entries with their evidence and the outcome form."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for

from .. import clock
from ..access.principals import ADMIN, STATE_OFFICE
from ..errors import NotFound
from ..http.forms import attempt
from ..http.offices import current_state, page_args, render_state_page
from ..http.signin import principal, role_required
from ..models import db
from ..submissions import service as submissions
from ..submissions.api import evidence_response, evidence_store
from ..submissions.pages import MEASURE_NAMES
from . import service
from .schemas import AUDIT_IN

bp = Blueprint("audit_pages", __name__, url_prefix="/state")
FORM_FIELDS = ("from", "to", "share", "count", "seed")


@bp.get("/audits")
@role_required(STATE_OFFICE, ADMIN)
def audits(errors=None, form=None):
    state = current_state()
    rows = service.audits_of(db.session, principal(), state)
    return render_state_page("state/audits.html", state, status=422 if errors else 200, audits=rows,
                             errors=errors or {}, form=form or {})


@bp.post("/audits")
@role_required(STATE_OFFICE, ADMIN)
def new_audit():
    state = current_state()
    form = {k: (request.form.get(k) or "").strip() for k in FORM_FIELDS}
    raw = {k: v for k, v in form.items() if v}
    row, errors = attempt(lambda: service.sample(db.session, principal(),
                                                 {**AUDIT_IN.load(raw), "state": state.code}))
    if errors:
        return audits(errors=errors, form=form)
    flash(f"Audit {row.id} drawn: {len(row.cases)} of {row.candidates} cycles renewed in the period, "
          f"seed {row.seed}.", "good")
    return redirect(url_for("audit_pages.audit", audit_id=row.id, **page_args(state)))


@bp.get("/audits/<id:audit_id>")
@role_required(STATE_OFFICE, ADMIN)
def audit(audit_id):
    row = service.get_audit(db.session, principal(), audit_id)
    return render_state_page("state/audit.html", row.state, audit=row)


@bp.get("/audits/<id:audit_id>/cases/<id:case_id>")
@role_required(STATE_OFFICE, ADMIN)
def case(audit_id, case_id, errors=None, form=None):
    row = service.get_case(db.session, principal(), audit_id, case_id)
    entries, from_snapshot = service.case_entries(db.session, row)
    return render_state_page("state/audit_case.html", row.audit.state, status=422 if errors else 200, case=row,
                             audit=row.audit, entries=entries, from_snapshot=from_snapshot,
                             errors=errors or {}, form=form or {}, measures=MEASURE_NAMES)


@bp.post("/audits/<id:audit_id>/cases/<id:case_id>/outcome")
@role_required(STATE_OFFICE, ADMIN)
def outcome(audit_id, case_id):
    row = service.get_case(db.session, principal(), audit_id, case_id)  # 404 outside the scope
    state = row.audit.state
    disallowed = [int(v) for v in request.form.getlist("disallow") if v.isdigit() and len(v) <= 10]
    findings = {i: (request.form.get(f"reason-{i}") or "").strip() for i in disallowed}
    choice = request.form.get("outcome") or ""
    form = {"outcome": choice, "disallow": disallowed, "reasons": findings}
    done, errors = attempt(lambda: service.decide(db.session, principal(), audit_id, case_id, choice, findings,
                                                  clock.today()))
    if errors:
        if "status" in errors:  # decided already: nothing to fix in the form
            abort(409, description=f"Case {case_id} was already decided: {errors['status'][0]}.")
        return case(audit_id, case_id, errors=errors, form=form)
    decided, notes = done
    message = "Passed: recorded." if decided.status == "passed" else \
        f"Findings recorded: {len(findings)} entr{'y' if len(findings) == 1 else 'ies'} disallowed and voided."
    flash(" ".join([message, *[n[0].upper() + n[1:] + "." for n in notes]]), "good")
    return redirect(url_for("audit_pages.case", audit_id=audit_id, case_id=case_id, **page_args(state)))


@bp.get("/audits/<id:audit_id>/cases/<id:case_id>/entries/<id:entry_id>/evidence")
@role_required(STATE_OFFICE, ADMIN)
def evidence(audit_id, case_id, entry_id):
    """The file an entry of this case was approved on, for the viewer on the case page."""
    row = service.get_case(db.session, principal(), audit_id, case_id)
    entries, _ = service.case_entries(db.session, row)
    if entry_id not in {ce.entry.id for ce in entries}:
        abort(404)
    try:
        file, data = submissions.entry_evidence(db.session, principal(), evidence_store(), entry_id)
    except NotFound:
        abort(404)
    return evidence_response(file, data, None, download=request.args.get("download") == "1")
