"""Which state or district an office's page shows, and what every such page carries.

A state office works on its own state (its principal's `state_id`); an admin picks one
with `?state=XX` (default the first state by code). District HR sees its own district;
an admin any district (`?district=CODE`, default the first by code)."""

from __future__ import annotations

from flask import Response, abort, flash, render_template, request, stream_with_context
from sqlalchemy import and_, select

from .. import clock
from ..access.principals import ADMIN, DISTRICT_HR, STATE_OFFICE, Principal, district_in_scope
from ..models import District, State, db
from ..text import like  # noqa: F401  (the pages import it from here)
from .signin import principal

PER_PAGE = 50


def current_state() -> State:
    """The state office's own state; for an admin, ?state=XX or the first state."""
    p = principal()
    if p.role == STATE_OFFICE:
        state = db.session.get(State, p.state_id)
        if state is None:
            abort(404)
        return state
    code = (request.values.get("state") or "").strip().upper()[:2]
    state = db.session.scalar(select(State).where(State.code == code)) if code else None
    if code and state is None:
        flash(f"No state {code!r} has a rulebook loaded; showing the first state.", "warn")
    if state is None:
        state = db.session.scalar(select(State).order_by(State.code).limit(1))
    if state is None:
        abort(404, description="No state rulebook is loaded yet: load one with `flask ledger load-rulebook`.")
    return state



def page_args(state: State) -> dict:
    """What every link on these pages carries: ?state=XX for an admin, nothing for an office."""
    return {"state": state.code} if principal().role == ADMIN else {}



def render_state_page(template: str, state: State, status: int = 200, **context):
    """A state office page: the state (`st`), the link arguments (`sq`) and, for an
    admin, the states to pick from."""
    p = principal()
    states = db.session.execute(select(State.code, State.name).order_by(State.code)).all() \
        if p.role == ADMIN else []
    return render_template(template, st=state, sq=page_args(state), states=states, is_admin=p.role == ADMIN,
                           today=clock.today(), **context), status


def state_scope(state: State):
    """Educators the state's office sees (home state or a license there), within the
    signed-in principal's own scope (an admin sees all of them)."""
    office = Principal(role=STATE_OFFICE, actor="state-page", state_id=state.id)
    return and_(principal().educator_clause(), office.educator_clause())



def download(lines, filename: str, mimetype: str) -> Response:
    """A file streamed as it is written (`lines`: an iterator of text), never held whole."""
    return Response(stream_with_context(lines), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})



def page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1



def current_district(code: str | None = None) -> District | None:
    """HR: its own district (another one named is a 404). Admin: `code` (404 when
    unknown), else the first by code.
    State office: `code` among its state's districts (404 otherwise), else its first."""
    p = principal()
    code = (code if code is not None else request.values.get("district") or "").strip()
    if p.role == DISTRICT_HR and not code:
        return db.session.get(District, p.district_id)
    if code:  # HR naming another district, like anyone naming one outside their scope: 404
        return district_in_scope(db.session, p, code, "read")  # NotFound -> 404
    stmt = select(District).order_by(District.code).limit(1)
    if p.role == STATE_OFFICE:
        stmt = stmt.where(District.state_id == p.state_id)
    return db.session.scalar(stmt)



def district_choices() -> list[tuple[str, str]]:
    """The districts an admin or a state office may pick from (HR has its own)."""
    p = principal()
    if p.role not in (ADMIN, STATE_OFFICE):
        return []
    stmt = select(District.code, District.name).order_by(District.code)
    if p.role == STATE_OFFICE:
        stmt = stmt.where(District.state_id == p.state_id)
    return db.session.execute(stmt).all()
