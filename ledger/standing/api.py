"""GET /educators/{id}/standing: renewal, role cards and salary, as of a day, in the
educator's state or any other (what if I moved?)."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy.orm import lazyload

from .. import clock
from ..access.principals import educator_in_scope
from ..http.api import ID, blueprint, errors
from ..models import Educator, db
from .answer import read_standing
from .kept import todays_answer
from .schemas import STANDING_OUT, StandingQuery

bp = blueprint("standing", "An educator's renewal progress, role cards and salary")


@bp.get(f"/educators/<{ID}:educator_id>/standing")
@bp.arguments(StandingQuery, location="query")
@bp.response(200, STANDING_OUT)
@errors(401, 404, 422)
def get_standing(query, educator_id):
    # the answer reads the licenses itself (or not at all, when kept): not loaded here
    educator = educator_in_scope(db.session, g.principal, educator_id, lazyload(Educator.licenses))
    today = clock.today()
    state, as_of = query.get("state"), query.get("as_of") or today
    if as_of == today and (state is None or state.upper() == educator.state.code):
        # today's answer in the educator's own state: kept while nothing under it changed
        return current_app.response_class(todays_answer(db.session, educator, today), mimetype="application/json")
    return read_standing(db.session, educator, state, as_of)
