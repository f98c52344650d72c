"""The state office's overview: renewal status and MCs by issuer across the state, and
the seasons printed."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from sqlalchemy import func, select

from .. import clock
from ..access.principals import ADMIN, STATE_OFFICE
from ..http.offices import current_state, render_state_page
from ..http.signin import role_required
from ..models import Transcript, TranscriptRevocation, db
from ..transcripts.season import seasons
from .labels import long_date
from .summary import overview as overview_figures

bp = Blueprint("standing_pages", __name__, url_prefix="/state")


@bp.get("")
@role_required(STATE_OFFICE, ADMIN)
def overview():
    state = current_state()
    day = clock.today()
    figures = overview_figures(db.session, state, day)
    counts = figures["counts"]
    issued = db.session.scalar(select(func.count(Transcript.id)).where(Transcript.state_id == state.id))
    revoked = db.session.scalar(
        select(func.count(TranscriptRevocation.id))
        .join(Transcript, TranscriptRevocation.transcript_id == Transcript.id)
        .where(Transcript.state_id == state.id))
    renewal_rows = [("Complete", counts["complete"], "good"),
                    ("In progress, on pace", counts["on_pace"], None),
                    ("In progress, behind pace", counts["behind_pace"], "warn"),
                    ("In grace (cycle ended, grace days running)", counts["in_grace"], "warn"),
                    ("Lapsed (cycle ended short)", counts["lapsed"], "bad")]
    issuers = figures["issuers"]
    next_july = date(day.year + (day.month >= 7), 7, 1)
    return render_state_page("state/overview.html", state, counts=counts, issued=issued, revoked=revoked,
                   renewal_rows=renewal_rows, issuer_rows=[(n, c, None) for n, c in issuers],
                   mc_total=sum(c for _, c in issuers), seasons=seasons(db.session, state),
                   new_season=f"flask ledger print-season --state {state.code} "
                              f"--expiring-before {next_july.isoformat()} --out season/",
                   as_of=long_date(day), outdated=figures["outdated"])
