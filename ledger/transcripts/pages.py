"""Transcripts in the pages: the public verify pages; issuing, revoking and downloading
from an educator's page; and the state office's list of what was issued."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import login_required
from sqlalchemy import exists, func, or_, select

from .. import clock
from ..access.principals import ADMIN, STATE_OFFICE, educator_in_scope
from ..errors import LedgerError, NotFound
from ..http.offices import PER_PAGE, current_state, like, page_args, page_number, render_state_page, state_scope
from ..http.signin import principal, role_required, safe_next
from ..models import Educator, License, State, Transcript, TranscriptRevocation, db
from . import publish, service

bp = Blueprint("transcript_pages", __name__)


@bp.get("/.well-known/did.json")
@bp.get("/did.json")  # did:web with a path (PUBLIC_URL under a prefix) resolves to <path>/did.json
def did_document():
    """The ledger's did:web DID document: every state's keys (publish.py, trust.py)."""
    return jsonify(publish.did_document(db.session))


def _max() -> int:
    return current_app.config["TRANSCRIPT_MAX_ENTRIES"]


@bp.route("/verify", methods=["GET", "POST"])
def verify_lookup():
    """Type a serial, or drop a PDF: either finds what was issued (or says it was not)."""
    serial = (request.values.get("serial") or "").strip()
    upload = request.files.get("pdf")
    if request.method == "POST" and upload and upload.filename:
        data = upload.read()
        row = service.find(db.session, serial) if serial else service.by_digest(
            db.session, service.sha256(data))
        return _verify_page(row, serial or None, service.check_file(row, data), upload.filename)
    if serial:
        return _verify_page(service.find(db.session, serial), serial)
    empty = request.method == "POST"  # sent with neither: say what to give, not a blank page
    return render_template("verify.html", result=None, serial=None, check=None, empty=empty), 422 if empty else 200


@bp.route("/verify/<serial>", methods=["GET", "POST"])
def verify_serial(serial):
    row = service.find(db.session, serial)
    upload = request.files.get("pdf") if request.method == "POST" else None
    if upload and upload.filename:
        return _verify_page(row, serial, service.check_file(row, upload.read()), upload.filename)
    return _verify_page(row, serial)


def _verify_page(row, serial, check=None, filename=None):
    """A file that is not the PDF issued leads the page ("Does not match"), whatever the
    serial says; when the file is another transcript the ledger issued, it is named."""
    result = service.verification(row, serial or "")
    other = None
    if check is not None and not check["matches"]:
        other = service.by_digest(db.session, check["sha256"])
    status = 200 if row is not None else 404
    return render_template("verify.html", result=result, serial=serial, check=check, other=other,
                           filename=filename, found=row is not None), status


@bp.get("/educators/<id:educator_id>/transcript.pdf")
@login_required
def unofficial(educator_id):
    state = (request.args.get("state") or "").strip().upper() or None
    pdf, person = service.unofficial(db.session, principal(), educator_id, state=state, today=clock.today(),
                                     max_entries=_max())
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition":
            f'attachment; filename="unofficial-transcript-{person.license_number}.pdf"'.replace("/", "-"),
        "Cache-Control": "no-store"})


@bp.post("/educators/<id:educator_id>/transcripts")
@login_required
def issue(educator_id):
    p = principal()
    person = educator_in_scope(db.session, p, educator_id)
    state = (request.form.get("state") or person.state.code).strip().upper()
    try:
        row = service.issue(db.session, p, educator_id, state=state, today=clock.today(), max_entries=_max())
    except LedgerError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        flash(exc.message, "bad")
        return redirect(url_for("educator_pages.educator", educator_id=educator_id) + "#transcripts")
    flash(f"Issued official transcript {row.serial}.", "good")
    return redirect(url_for("educator_pages.educator", educator_id=educator_id) + "#transcripts")


@bp.get("/transcripts/<serial>.pdf")
@login_required
def transcript_pdf(serial):
    row = service.get(db.session, principal(), serial)
    return Response(service.pdf_bytes(db.session, row), mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{row.serial}.pdf"'})


@bp.post("/transcripts/<serial>/revoke")
@login_required
def revoke(serial):
    p = principal()
    row = service.get(db.session, p, serial)
    reason = (request.form.get("reason") or "").strip()
    if not reason or len(reason) > 1000:
        flash("Give a reason (up to 1,000 characters) to revoke a transcript.", "bad")
    else:
        try:
            service.revoke(db.session, p, serial, reason)
            flash(f"Revoked {row.serial}: the verify page now says so.", "good")
        except LedgerError as exc:
            db.session.rollback()
            if exc.status in (403, 404):
                raise
            flash(exc.message, "bad")
    return redirect(safe_next(request.form.get("back"))
                    or url_for("educator_pages.educator", educator_id=row.educator_id) + "#transcripts")


def _transcripts_page(state: State, status: int = 200, errors=None, form=None):
    q = (request.args.get("q") or "").strip()[:60]
    show = request.args.get("show") if request.args.get("show") in ("valid", "revoked") else "all"
    stmt = (select(Transcript.serial, Transcript.educator_id, Transcript.name, Transcript.license_number,
                   Transcript.issued_at, Transcript.as_of, Transcript.season, TranscriptRevocation.revoked_at)
            .outerjoin(TranscriptRevocation, TranscriptRevocation.transcript_id == Transcript.id)
            .where(Transcript.state_id == state.id))
    if show == "valid":
        stmt = stmt.where(TranscriptRevocation.id.is_(None))
    elif show == "revoked":
        stmt = stmt.where(TranscriptRevocation.id.is_not(None))
    for word in q.split()[:5]:
        pattern = like(word.lower())
        stmt = stmt.where(or_(func.lower(Transcript.serial).like(pattern, escape="\\"),
                              func.lower(Transcript.name).like(pattern, escape="\\"),
                              func.lower(Transcript.license_number).like(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = page_number()
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)
    rows = db.session.execute(stmt.order_by(Transcript.issued_at.desc(), Transcript.id.desc())
                              .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    pager_args = {**page_args(state), **({"q": q} if q else {}), **({"show": show} if show != "all" else {})}
    back = url_for("transcript_pages.issued", **pager_args, **({"page": page} if page > 1 else {}))
    return render_state_page("state/transcripts.html", state, status, rows=rows, q=q, show=show, total=total, page=page,
                   pages=pages, back=back, pager_args=pager_args, errors=errors or {}, form=form or {})


@bp.get("/state/transcripts")
@role_required(STATE_OFFICE, ADMIN)
def issued():
    return _transcripts_page(current_state())


@bp.post("/state/transcripts")
@role_required(STATE_OFFICE, ADMIN)
def issue_transcript():
    """Issue an official transcript by license number, for an educator licensed in the state."""
    state = current_state()
    number = (request.form.get("license_number") or "").strip()[:40]
    as_of_text = (request.form.get("as_of") or "").strip()
    form = {"license_number": number, "as_of": as_of_text}
    errors: dict[str, list[str]] = {}
    as_of = None
    if as_of_text:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of_text):
                raise ValueError(as_of_text)
            as_of = date.fromisoformat(as_of_text)
        except ValueError:
            errors["as_of"] = ["a date as YYYY-MM-DD"]
        else:
            if as_of < date(1900, 1, 1):
                errors["as_of"] = ["must be between 1900-01-01 and today"]
    if not number:
        errors["license_number"] = ["enter the educator's license number"]
    matches = []
    if number:
        holds_license = exists().where(License.educator_id == Educator.id, License.state_id == state.id)
        matches = db.session.scalars(
            select(Educator).where(state_scope(state), holds_license,
                                   func.lower(Educator.license_number) == number.lower()).limit(3)).unique().all()
        if not matches:
            errors["license_number"] = [f"no educator licensed in {state.code} has license number {number!r}"]
        elif len(matches) > 1:
            errors["license_number"] = [f"{number!r} matches {len(matches)} educators: issue from the educator's page"]
    if errors:
        return _transcripts_page(state, 422, errors=errors, form=form)
    person = matches[0]
    try:
        row = service.issue(db.session, principal(), person.id, state=state.code, as_of=as_of, max_entries=_max(),
                                       today=clock.today())
    except LedgerError as exc:
        db.session.rollback()
        if isinstance(exc, NotFound):
            raise
        field_errors = exc.errors or {"_form": [exc.message]}
        return _transcripts_page(state, exc.status if exc.status in (403, 422) else 422,
                                 errors=field_errors, form=form)
    flash(f"Issued official transcript {row.serial} for {person.first_name} {person.last_name} "
          f"({person.license_number}).", "good")
    return redirect(url_for("transcript_pages.issued", **page_args(state)))
