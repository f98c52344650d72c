"""The demo: nine states' rulebooks (Tennessee, Utah, Massachusetts, Kentucky, Louisiana,
Missouri, North Carolina and Arkansas with educators; Texas for "what if"), a catalog, a
few hundred invented educators with their license histories, and logins for each role
(`flask --app wsgi ledger demo`).

Everything is deterministic for a given seed and `today`, and loading is idempotent:
an unchanged catalog or rulebook is not loaded again (so no new rulebook version), an
educator already present by (state, license number) is left alone with their entries and
licenses, and an existing login is left alone (but still printed). The whole load is one
transaction.

How the histories are made. Each educator gets a license cycle placed around `today` and
a goal for it: `complete`, `on_track` (in progress, at or above the pace of the cycle so
far), `behind` (in progress, well below it), `lapsed` (the cycle ended short) or
`renewed` (a completed previous cycle plus a current one on track); a third of the others
also hold the complete cycle before it. Entries are then drawn, micro-credentials first,
workshops and conferences to top up, and each draw is valued by the real standing engine
against the state's rulebook, with the license's earlier cycles (grace days, carry-over,
school years), so the goal is met exactly as the API will report it (caps, minimums, rates
in force on the day, no_rate before a state had one). The entries are written first; then
each license's history goes through the licenses service as a state office makes it: the
first cycle recorded with the educator, each earlier cycle renewed on a day weeks after it
ended (which opens the next), an extension, a reinstatement, every step an event. A few
stories are told once (`stories`): a Tennessee cycle in its grace days today and one
completed in them, a Kentucky hardship extension, North Carolina's rule change for
licenses expiring from 2024-06-30 seen from both sides with National Board credits banked,
and an Arkansas license lapsed over a school year short of its 36 hours and reinstated a
year later. A handful of Juab teachers follow scripts through the Teacher Leader:
Mathematics role card (awarded and maintaining it, at risk, lapsed, permanent, close to
it), some Kentucky teachers through the Rank 2 pathway (24 MCs inside three years, in
progress, credentials that aged out of the window) and some Louisiana and Missouri
teachers through their states' cards, for the pathway engine to show.

The parts: `profiles` (the data tables) and `people` (names); `plans`, `person`, `cycles`
and `planner` (the planning) with `scripts` (the role-card scripts) and `stories` (the
license stories); `sources`, `records`, `logins` and `extras` (the loading).

Passwords of the demo logins are fixed and printed by the command: demo data only.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from .. import engine
from ..access import audit
from ..models import State
from .extras import load_extras
from .logins import add_logins
from .planner import Planner
from .plans import Plan
from .profiles import NEWCOMERS_PER, STATES
from .records import add_records
from .sources import load_rules, read_catalog


def load_demo(session, principal, *, educators: int, seed: int, today: date, echo) -> list[tuple[str, str, str]]:
    """Load the demo (idempotently, in one transaction) and return the logins as
    (role, email, password)."""
    try:
        return _load_demo(session, principal, educators=educators, seed=seed, today=today, echo=echo)
    except BaseException:
        session.rollback()
        raise


def _load_demo(session, principal, *, educators, seed, today, echo):
    engines, documents, loaded = load_rules(session, principal, echo)
    plans = _plans(engines, documents, educators=educators, seed=seed, today=today)
    actor = principal.actor
    added = add_records(session, principal, plans, today)
    echo(f"{fmt(len(plans))} demo educators ({fmt(added.educators)} new), {fmt(added.entries)} entries added "
         f"({fmt(added.voided)} voided), {fmt(added.licenses)} licenses with {fmt(added.cycles)} cycles "
         f"({fmt(added.renewals)} renewed)")

    logins, users_added = add_logins(session, plans)
    # a load that changed nothing leaves no audit event, so loading again stays a no-op
    if added.educators or users_added or loaded:
        audit.record(session, actor, "load_demo", "demo", f"seed {seed}", {
            "seed": seed, "today": today.isoformat(), "educators": len(plans),
            "educators_added": added.educators, "entries_added": added.entries, "voided": added.voided,
            "licenses_added": added.licenses, "cycles_added": added.cycles, "renewals": added.renewals,
            "users_added": users_added, "loaded": loaded,
        })
    session.flush()
    _echo_status(session, today, echo)
    session.commit()
    load_extras(session, principal, today, echo, logins)
    return logins


def _plans(engines: dict, documents: dict[str, dict], *, educators: int, seed: int, today: date) -> list[Plan]:
    missing = sorted(set(STATES) - set(engines))
    if missing:
        raise RuntimeError(f"demo rulebooks missing for {', '.join(missing)}")
    planner = Planner(seed, today, engines, documents, read_catalog())
    plans = [planner.person(i) for i in range(educators)]
    return plans + [planner.newcomer(j, educators + j) for j in range(educators // NEWCOMERS_PER)]


def _echo_status(session, today: date, echo) -> None:
    """Each state's current cycles by status, as the state's overview counts them."""
    from ..standing.report import renewal_summary

    parts = []
    for state in session.scalars(select(State).where(State.code.in_(STATES)).order_by(State.code)):
        counts = renewal_summary(session, state, today)
        statuses = (engine.COMPLETE, engine.IN_PROGRESS, engine.LAPSED)
        parts.append(f"{state.code} " + ", ".join(f"{counts[s]} {s}" for s in statuses))
    echo(f"renewal status on {today.isoformat()} (current cycles): " + "; ".join(parts))


def fmt(n: int) -> str:
    return f"{n:,}"
