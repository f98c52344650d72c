"""The state office's season pages: its seasons with the "New season" form, one run's
progress (refreshing itself while it prints), its failures sent again, its manifest."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, flash, redirect, request, stream_with_context, url_for
from marshmallow import ValidationError

from .. import clock
from ..access.principals import ADMIN, STATE_OFFICE
from ..errors import LedgerError, flatten
from ..exports import csv_lines
from ..http.offices import current_state, page_args, render_state_page
from ..http.signin import principal, role_required
from ..models import db, utcnow
from ..transcripts.season import MANIFEST_HEADER
from . import printing, service
from .schemas import SEASON_IN

bp = Blueprint("season_pages", __name__, url_prefix="/state")
FORM_FIELDS = ("expiring_before", "expiring_after")
STALLED = timedelta(minutes=10)  # no transcript printed for this long while some remain: offer to resume
WHERE = {"workers": "on the Celery workers", "background": "in the background on this server",
         "request": "here"}


@bp.get("/seasons")
@role_required(STATE_OFFICE, ADMIN)
def seasons(errors=None, form=None, status=None):
    state = current_state()
    runs = service.runs_of(db.session, principal(), state)
    return render_state_page("state/seasons.html", state, status=status or (422 if errors else 200), runs=runs,
                             errors=errors or {}, form=form or {})


@bp.post("/seasons")
@role_required(STATE_OFFICE, ADMIN)
def start():
    state = current_state()
    form = {k: (request.form.get(k) or "").strip()[:40] for k in FORM_FIELDS}
    try:
        data = SEASON_IN.load({k: v for k, v in form.items() if v})
        run = service.start(db.session, principal(), state, data["expiring_before"], data["expiring_after"],
                            clock.today())
        run_id, pending = run.id, run.remaining
        db.session.commit()  # the run and its items are there before anything prints them
    except ValidationError as exc:
        db.session.rollback()
        return seasons(errors=flatten(exc.messages), form=form)
    except LedgerError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        return seasons(errors=exc.errors or {"_form": [exc.message]}, form=form,
                       status=exc.status if exc.status in (403, 409, 503) else 422)
    # who started it follows it (the page reloads itself); before printing takes the session
    target = url_for("season_pages.run", run_id=run_id, follow=1, **page_args(state))
    if pending:
        where = printing.dispatch(service.pending_ids(db.session, run_id))
        flash(f"Season started: {pending} transcripts to print {WHERE[where]}.", "good")
    else:
        flash("Every educator of this season was printed before: nothing left to print.", "good")
    return redirect(target)


@bp.get("/seasons/<id:run_id>")
@role_required(STATE_OFFICE, ADMIN)
def run(run_id):
    row = service.get_run(db.session, principal(), run_id)
    last = row.progress_at or row.started_at
    stalled = row.status == "running" and row.remaining > 0 and utcnow() - last > STALLED
    # Reloading itself is asked for (?follow=1, where a start or a retry lands), never imposed:
    # a page that refreshes on its own disorients a screen reader (WCAG 2.2.1), so it says
    # so and offers to stop.
    follow = request.args.get("follow") == "1" and row.status == "running" and not stalled
    return render_state_page("state/season.html", row.state, run=row, failures=service.failures(db.session, row),
                             last=last, stalled=stalled, follow=follow)


@bp.post("/seasons/<id:run_id>/requeue")
@role_required(STATE_OFFICE, ADMIN)
def requeue(run_id):
    row = service.get_run(db.session, principal(), run_id)
    state = row.state
    which = request.form.get("which") if request.form.get("which") in ("failed", "pending") else "failed"
    try:
        ids = service.requeue(db.session, principal(), row, which)
        db.session.commit()
    except LedgerError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        flash(exc.message[0].upper() + exc.message[1:] + ".", "warn")
        return redirect(url_for("season_pages.run", run_id=run_id, **page_args(state)))
    target = url_for("season_pages.run", run_id=run_id, follow=1, **page_args(state))
    where = printing.dispatch(ids)
    flash(f"{len(ids)} {'failed' if which == 'failed' else 'remaining'} transcript{'s' if len(ids) != 1 else ''} "
          f"sent to print again {WHERE[where]}.", "good")
    return redirect(target)


@bp.get("/seasons/<id:run_id>/manifest.csv")
@role_required(STATE_OFFICE, ADMIN)
def manifest(run_id):
    row = service.get_run(db.session, principal(), run_id)
    name = f"season-{row.id}-{row.state.code}-before-{row.expiring_before.isoformat()}-manifest.csv"
    lines = csv_lines(MANIFEST_HEADER, service.manifest(db.session, row))
    return Response(stream_with_context(lines), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
