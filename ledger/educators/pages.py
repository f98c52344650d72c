"""An educator's page: "am I OK?" for the teacher, and the record HR and the state office
work on (record, void, transcripts); one page for every role, scoped like the API. And
the state office's educator search."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from .. import clock
from ..access.principals import ADMIN, DISTRICT_HR, EDUCATOR, STATE_OFFICE, WRITERS, educator_in_scope
from ..errors import LedgerError, flatten
from ..exports import csv_lines
from ..http.forms import attempt
from ..http.offices import (
    PER_PAGE,
    current_district,
    current_state,
    district_choices,
    download,
    page_args,
    page_number,
    render_state_page,
    state_scope,
)
from ..http.signin import principal, role_required
from ..licenses import service as licenses_service
from ..models import Credential, District, Entry, EntryEvidence, State, db
from ..reminders import settings as reminder_settings
from ..reminders import views as reminders
from ..rulebooks.engine_view import engine_rulebook
from ..rulebooks.service import newest_version
from ..standing import filters as list_filters
from ..standing import lists
from ..standing.answer import read_standing
from ..standing.labels import dashboard
from ..standing.summary import overview as overview_figures
from ..standing.whatif import requirements
from ..transcripts import service as transcripts
from . import employment
from . import search as educator_search
from .schemas import EducatorIn, MoveIn
from .service import create_educator

bp = Blueprint("educator_pages", __name__)
EDUCATOR_IN = EducatorIn()
MOVE_IN = MoveIn()


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
        evidence=_evidence_links(person.id, history),
        verification={e.id: (e.received.verification, e.received.detail) for e in history if e.received},
    ), (422 if form_errors else 200)


def _evidence_links(educator_id: int, history) -> dict[int, tuple[str, str]]:
    """Each entry's evidence as (link, label): the file kept from its submission (served
    in scope by the submissions' page), else the link it was recorded with."""
    links = {e.id: (e.evidence_url, "evidence link") for e in history if e.evidence_url}
    for entry_id, submission_id in db.session.execute(
            select(EntryEvidence.entry_id, EntryEvidence.submission_id).join(Entry, Entry.id == EntryEvidence.entry_id)
            .where(Entry.educator_id == educator_id)):
        links[entry_id] = (url_for("submission_pages.evidence", submission_id=submission_id), "evidence file")
    return links


@bp.get("/state/educators")
@role_required(STATE_OFFICE, ADMIN)
def search():
    """The state's educators, one line per license's current cycle (everyone in scope when
    nothing is asked of the cycle), filtered by renewal status, the cycle's end, district,
    role card and stage, designation and name, sorted and paginated, from the projection."""
    state, day, f, given, refused = _read_filters()
    return refused or _list_page(state, day, f, given)


def _read_filters():
    """(state, day, filters, the arguments given, None), or a page naming what was wrong."""
    state, day = current_state(), clock.today()
    try:
        f, given = list_filters.read(request.args)
    except LedgerError as exc:
        return state, day, None, None, _list_page(state, day, lists.Filters(), {}, errors=exc.errors, status=400)
    return state, day, f, given, None


def _list_page(state, day, f, given, errors=None, status=200):
    figures = overview_figures(db.session, state, day)
    total = None
    if list_filters.only_statuses(f):
        total = sum(figures["counts"][s] for s in f.statuses)
    page = page_number()
    rows, total = lists.page(db.session, state.id, day, f, state_scope(state), page, PER_PAGE, total=total) \
        if not errors else ([], 0)
    pages = max(1, -(-total // PER_PAGE))
    if page > pages:
        page = pages
        rows, total = lists.page(db.session, state.id, day, f, state_scope(state), page, PER_PAGE, total=total)
    unit = engine_rulebook(newest_version(db.session, state.code)).unit if figures["counts"]["licenses"] else ""
    return render_state_page(
        "state/educators.html", state, status, rows=rows, total=total, page=page, pages=pages, f=f, given=given,
        errors=errors or {}, unit=unit, cards=figures["cards"],
        districts=db.session.execute(select(District.code, District.name).where(District.state_id == state.id)
                                     .order_by(District.name)).all(),
        labels=list_filters.STATUS_LABELS, tones=list_filters.STATUS_TONES, sorts=list_filters.SORT_LABELS,
        pager_args={**page_args(state), **given}, outdated=figures["outdated"])


@bp.get("/state/educators.csv")
@role_required(STATE_OFFICE, ADMIN)
def search_csv():
    """The list with its filters, every line (not one page), streamed."""
    state, day, f, _, refused = _read_filters()
    if refused:
        return refused
    unit = engine_rulebook(newest_version(db.session, state.code)).unit
    rows = lists.stream(db.session, state.id, day, f, state_scope(state))
    return download(csv_lines(list_filters.CSV_HEADER, (list_filters.csv_row(r, unit) for r in rows)),
                    f"{state.code}-educators-{day}.csv", "text/csv")


# -- a new hire: a new educator with their license, or someone already recorded moving in --

HIRE_FIELDS = {"license_number": "license_number", "first_name": "first_name", "last_name": "last_name",
               "email": "email", "employed_since": "employed_since", "state": "license_state",
               "licenses[0].type": "license_type", "licenses[0].state": "license_state",
               "licenses[0].cycle_start": "cycle_start", "licenses[0].cycle_end": "cycle_end",
               "licenses": "license_type", "district": "_form"}
HIRE_FORM = ("first_name", "last_name", "email", "license_number", "license_state", "license_type",
             "cycle_start", "cycle_end", "employed_since")


def _hire_errors(errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The service's and schema's field paths as the form's field names."""
    out: dict[str, list[str]] = {}
    for path, messages in errors.items():
        out.setdefault(HIRE_FIELDS.get(path, "_form" if path in ("", "_schema") else path), []).extend(messages)
    return out


def _hire_page(district, status=200, **context):
    p = principal()
    states = db.session.execute(select(State.code, State.name).order_by(State.code)).all()
    if p.role != ADMIN:  # HR and a state office record licenses only in their own state (F-06)
        states = [s for s in states if s[0] == district.state.code]
    version = newest_version(db.session, district.state.code)
    types = list(dict.fromkeys(r.license for r in engine_rulebook(version).renewal))
    context.setdefault("form", {"license_state": district.state.code, "employed_since": clock.today().isoformat()})
    return render_template(
        "hr/new_hire.html", district=district, districts=district_choices(), states=states, types=types,
        may_move=p.role in (ADMIN, STATE_OFFICE), today=clock.today(), **{"errors": {}, "found": None, "q": "",
                                                                             **context}), status


@bp.route("/district/new-hire", methods=["GET", "POST"])
@role_required(DISTRICT_HR, STATE_OFFICE, ADMIN)
def new_hire():
    """Add a new educator with their first license, employed by the district from a day,
    through the API's schema and service (create_educator): same checks, same scope."""
    district = current_district()
    if district is None:
        abort(404)
    if request.method == "GET":
        return _hire_page(district)
    form = {k: (request.form.get(k) or "").strip() for k in HIRE_FORM}
    raw = {"license_number": form["license_number"], "first_name": form["first_name"],
           "last_name": form["last_name"], "email": form["email"] or None, "state": district.state.code,
           "district": district.code, "employed_since": form["employed_since"] or None,
           "licenses": [{"type": form["license_type"], "state": form["license_state"] or district.state.code,
                         "cycle_start": form["cycle_start"], "cycle_end": form["cycle_end"]}]}
    try:
        person = create_educator(db.session, principal(), EDUCATOR_IN.load(raw))
    except ValidationError as exc:
        db.session.rollback()
        return _hire_page(district, 422, form=form, errors=_hire_errors(flatten(exc.messages)))
    except LedgerError as exc:
        db.session.rollback()
        if exc.status == 404 or (exc.status == 403 and not exc.errors):
            raise
        errors = _hire_errors(exc.errors or {"_form": [exc.message]})
        if exc.status == 409:
            errors = {"license_number": [exc.message]}
        return _hire_page(district, exc.status, form=form, errors=errors,
                          existing=exc.extra.get("educator_id"))
    flash(f"Added {person.name} (license {person.license_number}) to {district.name}, employed from "
          f"{form['employed_since'] or clock.today().isoformat()}.", "good")
    return redirect(url_for("educator_pages.educator", educator_id=person.id) + "#main")


@bp.get("/district/new-hire/search")
@role_required(DISTRICT_HR, STATE_OFFICE, ADMIN)
def new_hire_search():
    """Someone already recorded, to move into the district: only for the roles the API
    lets move an educator (a state office, an admin), among the educators they see."""
    district = current_district()
    if district is None:
        abort(404)
    p = principal()
    q = (request.args.get("q") or "").strip()[:100]
    if p.role not in (ADMIN, STATE_OFFICE):
        abort(403, description="Moving an educator between districts is the state office's: ask it to move them.")
    found = []
    if q:
        found, _ = educator_search.search(db.session, p, q, state=district.state.code, size=20)
    return _hire_page(district, q=q, found=[e for e in found if e.district_id != district.id])


@bp.post("/district/new-hire/move/<id:educator_id>")
@role_required(DISTRICT_HR, STATE_OFFICE, ADMIN)
def new_hire_move(educator_id):
    """The API's move (POST /educators/{id}/employment): the current employment ends the
    day before `started_on`, the new one starts then."""
    district = current_district()
    if district is None:
        abort(404)
    p = principal()
    started = (request.form.get("started_on") or "").strip()
    q = (request.form.get("q") or "").strip()[:100]
    person, errors = attempt(lambda: employment.move(
        db.session, p, educator_id, district.code, MOVE_IN.load({"district": district.code, "started_on": started})
        ["started_on"], clock.today()))
    if errors:
        found, _ = educator_search.search(db.session, p, q, state=district.state.code, size=20) if q else ([], 0)
        return _hire_page(district, 422, q=q, found=[e for e in found if e.district_id != district.id],
                          move_errors={educator_id: errors}, started_on=started)
    flash(f"{person.name} moved into {district.name} from {started}.", "good")
    return redirect(url_for("educator_pages.educator", educator_id=person.id) + "#main")
