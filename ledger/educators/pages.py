"""An educator's page: "am I OK?" for the teacher, and the record HR and the state office
work on (record, void, transcripts); one page for every role, scoped like the API. And
the state office's educator search."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select

from .. import clock
from ..access.principals import ADMIN, EDUCATOR, STATE_OFFICE, WRITERS, educator_in_scope
from ..http.offices import PER_PAGE, current_state, like, page_args, page_number, render_state_page, state_scope
from ..http.signin import principal, role_required
from ..licenses import service as licenses_service
from ..models import Credential, Educator, Entry, State, db
from ..reminders import settings as reminder_settings
from ..reminders import views as reminders
from ..standing.answer import read_standing
from ..standing.labels import dashboard
from ..standing.whatif import requirements
from ..transcripts import service as transcripts

bp = Blueprint("educator_pages", __name__)


@bp.get("/me")
@login_required
def me():
    user = current_user.user
    if user.role != EDUCATOR:
        abort(403, description="This page is for educators: it shows the signed-in educator's own record.")
    if user.educator_id is None:
        abort(404)
    state = request.args.get("state")  # "what if I moved to", kept through the redirect
    return redirect(url_for("educator_pages.educator", educator_id=user.educator_id,
                            **({"state": state} if state else {})))


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
    day = clock.today()
    standing = read_standing(db.session, person, what_if, day).standing
    view = dashboard(db.session, standing)
    history = db.session.scalars(
        select(Entry).where(Entry.educator_id == person.id).order_by(Entry.earned_on.desc(), Entry.id.desc())
    ).unique().all()
    states = db.session.execute(select(State.code, State.name).order_by(State.name)).all()
    issued = transcripts.for_educator(db.session, p, person.id)
    licenses = licenses_service.licenses_of(db.session, p, person.id, day)
    credentials = db.session.execute(
        select(Credential.code, Credential.title).order_by(Credential.code)).all() if p.role in WRITERS else []
    return render_template(
        "educator.html", person=person, s=standing, v=view, history=history, states=states,
        what_if=what_if, requires=requirements(standing) if what_if else [],
        can_write=p.role in WRITERS, can_issue=p.role in (ADMIN, STATE_OFFICE),
        is_self=p.role == EDUCATOR, issued=issued, credentials=credentials, today=day, licenses=licenses,
        may_write_license=lambda lic: p.role == ADMIN or (p.role == STATE_OFFICE and p.state_id == lic.state_id),
        form_errors=form_errors or {}, form=form or {}, notices=reminders.for_educator(db.session, p, person.id),
        notices_off=reminder_settings.optional_off(db.session, "e", person.id),
    ), (422 if form_errors else 200)


@bp.get("/state/educators")
@role_required(STATE_OFFICE, ADMIN)
def search():
    state = current_state()
    q = (request.args.get("q") or "").strip()[:100]
    stmt = select(Educator).where(state_scope(state))
    for word in q.split()[:5]:
        pattern = like(word.lower())
        stmt = stmt.where(or_(func.lower(Educator.first_name).like(pattern, escape="\\"),
                              func.lower(Educator.last_name).like(pattern, escape="\\"),
                              func.lower(Educator.license_number).like(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = page_number()
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)
    people = db.session.scalars(
        stmt.order_by(Educator.last_name, Educator.first_name, Educator.id)
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).unique().all()
    return render_state_page("state/educators.html", state, people=people, q=q, total=total, page=page, pages=pages,
                   pager_args={**page_args(state), **({"q": q} if q else {})})
