"""A demo audit for the Tennessee office, so its audit pages are not empty on a first
visit: a sample of the cycles Tennessee renewed in the last three years (seed 2024), one
case already passed. Loaded once: nothing is added when any audit exists."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ..access.principals import STATE_OFFICE, Principal
from ..models import Audit, State

SEED = 2024
CASES = 4


def load_audit(session, principal: Principal, today: date, echo) -> None:
    from ..audits import service

    if session.scalar(select(Audit.id).limit(1)) is not None:
        return
    tn = session.scalar(select(State).where(State.code == "TN"))
    if tn is None:
        return
    start = date(today.year - 3, 1, 1)
    if not service.candidates(session, tn.id, start, today):
        return
    office = Principal(STATE_OFFICE, "demo: Tennessee state office", state_id=tn.id)
    audit = service.sample(session, office, {"period_from": start, "period_to": today, "count": CASES,
                                             "seed": SEED})
    first = audit.cases[0]
    service.decide(session, office, audit.id, first.id, "passed", {}, today)
    session.commit()
    echo(f"audit {audit.id} of TN renewals {start.isoformat()} to {today.isoformat()}: {len(audit.cases)} cases "
         f"(seed {SEED}), one passed")
