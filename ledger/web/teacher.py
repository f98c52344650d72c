"""An educator's page: "am I OK?" for the teacher, and the record HR and the state office
work on (record, void, transcripts). One page for every role, scoped like the API."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from .. import entries as entry_service
from .. import transcripts
from ..api.schemas import EntryIn, VoidIn
from ..errors import LedgerError, flatten
from ..models import Credential, Entry, State, db
from ..scopes import ADMIN, EDUCATOR, STATE_OFFICE, WRITERS, educator_in_scope
from ..standing import educator_standing
from .auth import principal, safe_next
from .views import dashboard

bp = Blueprint("teacher", __name__)


def today() -> date:
    return date.today()


@bp.get("/me")
@login_required
def me():
    user = current_user.user
    if user.role != EDUCATOR or user.educator_id is None:
        abort(404)
    return redirect(url_for("teacher.educator", educator_id=user.educator_id))


def _state_arg(educator) -> str | None:
    code = (request.args.get("state") or "").strip().upper()
    if not code:
        return None
    if len(code) != 2 or db.session.scalar(select(State.id).where(State.code == code)) is None:
        flash(f"No rulebook is loaded for {code!r}; showing {educator.state.code}.", "warn")
        return None
    return code


@bp.get("/educators/<id:educator_id>")
@login_required
def educator(educator_id, form_errors=None, form=None):
    p = principal()
    person = educator_in_scope(db.session, p, educator_id)
    what_if = _state_arg(person)
    day = today()
    standing = educator_standing(db.session, person, what_if, day)
    view = dashboard(db.session, person, standing, day)
    history = db.session.scalars(
        select(Entry).where(Entry.educator_id == person.id).order_by(Entry.earned_on.desc(), Entry.id.desc())
    ).unique().all()
    states = db.session.execute(select(State.code, State.name).order_by(State.name)).all()
    issued = transcripts.for_educator(db.session, p, person.id)
    credentials = db.session.execute(
        select(Credential.code, Credential.title).order_by(Credential.code)).all() if p.role in WRITERS else []
    return render_template(
        "educator.html", person=person, s=standing, v=view, history=history, states=states,
        what_if=what_if, can_write=p.role in WRITERS, can_issue=p.role in (ADMIN, STATE_OFFICE),
        is_self=p.role == EDUCATOR, issued=issued, credentials=credentials, today=day,
        form_errors=form_errors or {}, form=form or {},
    ), (422 if form_errors else 200)


@bp.post("/educators/<id:educator_id>/entries")
@login_required
def record(educator_id):
    p = principal()
    educator_in_scope(db.session, p, educator_id)
    raw = {k: v.strip() for k, v in request.form.items() if k != "csrf_token" and v.strip()}
    if raw.get("kind") == "activity" and "tags" in raw:
        raw["tags"] = [t.strip() for t in raw["tags"].split(";") if t.strip()]
    try:
        data = EntryIn().load(raw)
        entry, created = entry_service.record_entry(db.session, p, educator_id, data, today())
    except ValidationError as exc:
        db.session.rollback()
        return educator(educator_id, form_errors=flatten(exc.messages), form=raw)
    except LedgerError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        return educator(educator_id, form_errors=exc.errors or {"_form": [exc.message]}, form=raw)
    what = entry.credential.code if entry.credential else entry.title
    flash(f"Recorded {what}, earned {entry.earned_on.isoformat()}." if created else
          f"{what} was already recorded with this external id.", "good")
    return redirect(url_for("teacher.educator", educator_id=educator_id) + "#entries")


@bp.post("/entries/<id:entry_id>/void")
@login_required
def void(entry_id):
    p = principal()
    entry = entry_service.get_entry(db.session, p, entry_id)
    try:
        data = VoidIn().load({"reason": (request.form.get("reason") or "").strip()})
        entry_service.void_entry(db.session, p, entry_id, data["reason"])
    except ValidationError as exc:
        db.session.rollback()
        return educator(entry.educator_id, form_errors={f"void-{entry_id}": flatten(exc.messages).get("reason", ["required"])})
    except LedgerError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        return educator(entry.educator_id, form_errors={f"void-{entry_id}": [exc.message]})
    flash("Entry voided; it no longer counts anywhere.", "good")
    return redirect(url_for("teacher.educator", educator_id=entry.educator_id) + "#entries")


@bp.get("/educators/<id:educator_id>/transcript.pdf")
@login_required
def unofficial(educator_id):
    state = (request.args.get("state") or "").strip().upper() or None
    pdf, person = transcripts.unofficial(db.session, principal(), educator_id, state=state, today=today())
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="unofficial-transcript-{person.license_number}.pdf"'.replace("/", "-"),
        "Cache-Control": "no-store"})


@bp.post("/educators/<id:educator_id>/transcripts")
@login_required
def issue(educator_id):
    p = principal()
    person = educator_in_scope(db.session, p, educator_id)
    state = (request.form.get("state") or person.state.code).strip().upper()
    try:
        row = transcripts.issue(db.session, p, educator_id, state=state, today=today())
        db.session.commit()
    except LedgerError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        flash(exc.message, "bad")
        return redirect(url_for("teacher.educator", educator_id=educator_id) + "#transcripts")
    flash(f"Issued official transcript {row.serial}.", "good")
    return redirect(url_for("teacher.educator", educator_id=educator_id) + "#transcripts")


@bp.get("/transcripts/<serial>.pdf")
@login_required
def transcript_pdf(serial):
    row = transcripts.get(db.session, principal(), serial)
    return Response(transcripts.pdf_bytes(db.session, row), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{row.serial}.pdf"'})


@bp.post("/transcripts/<serial>/revoke")
@login_required
def revoke(serial):
    p = principal()
    row = transcripts.get(db.session, p, serial)
    reason = (request.form.get("reason") or "").strip()
    if not reason or len(reason) > 1000:
        flash("Give a reason (up to 1,000 characters) to revoke a transcript.", "bad")
    else:
        try:
            transcripts.revoke(db.session, p, serial, reason)
            db.session.commit()
            flash(f"Revoked {row.serial}: the verify page now says so.", "good")
        except LedgerError as exc:
            db.session.rollback()
            if exc.status in (403, 404):
                raise
            flash(exc.message, "bad")
    return redirect(safe_next(request.form.get("back"))
                    or url_for("teacher.educator", educator_id=row.educator_id) + "#transcripts")
