"""The reminder pages: what went out and to whom (HR, the state office, an admin; scoped),
an educator turning optional notices off from their page, and the one-click page every
mail links to (a signed token, no sign-in)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from ..access.principals import ADMIN, DISTRICT_HR, EDUCATOR, STATE_OFFICE
from ..http.offices import PER_PAGE, page_number
from ..http.signin import principal, role_required
from ..models import Educator, User, db
from . import settings, views
from .rules import KINDS

bp = Blueprint("reminder_pages", __name__)


@bp.get("/reminders/sent")
@role_required(DISTRICT_HR, STATE_OFFICE, ADMIN)
def sent():
    kind = request.args.get("kind") or None
    if kind is not None and kind not in KINDS:
        flash(f"kind: no kind of notice is called {kind[:40]!r}; showing every kind.", "warn")
        kind = None
    page = page_number()
    items, total = views.sent_in_scope(db.session, principal(), page, PER_PAGE, kind)
    pages = max(1, -(-total // PER_PAGE))
    return render_template("reminders/sent.html", items=items, total=total, page=page, pages=pages, kind=kind,
                           kinds=KINDS)


def _on(form) -> bool:
    """The form's `optional` field: "on" or "off"; anything else is a 422 naming it."""
    value = form.get("optional")
    if value not in ("on", "off"):
        abort(422, description="optional: choose on or off")
    return value == "on"


@bp.post("/educators/<id:educator_id>/notice-settings")
@role_required(EDUCATOR)
def educator_settings(educator_id):
    """Only the educator themselves: another's record is not found."""
    if principal().educator_id != educator_id:
        abort(404)
    on = _on(request.form)
    settings.set_optional(db.session, principal().actor, "e", educator_id, not on)
    flash("Optional reminders are on." if on else
          "Optional reminders are off. Deadline notices (180, 90 and 30 days, grace) still come.", "good")
    return redirect(url_for("educator_pages.educator", educator_id=educator_id) + "#notices")


def _person(token: str):
    kind, id_ = settings.person_for_token(db.session, token)
    person = db.session.get(Educator if kind == "e" else User, id_)
    return kind, id_, person


@bp.get("/reminders/settings/<token>")
def token_settings(token):
    kind, id_, person = _person(token)
    return render_template("reminders/settings.html", token=token, kind=kind,
                           off=settings.optional_off(db.session, kind, id_),
                           first_name=person.first_name if kind == "e" else None)


@bp.post("/reminders/settings/<token>")
def token_settings_change(token):
    kind, id_, _ = _person(token)
    on = _on(request.form)
    settings.set_optional(db.session, f"link:{kind}{id_}", kind, id_, not on)
    flash("Optional reminders are on again." if on else "Optional reminders are off.", "good")
    return redirect(url_for("reminder_pages.token_settings", token=token))
