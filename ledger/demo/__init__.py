"""The demo: six states' rulebooks (Tennessee, Utah, Massachusetts, Kentucky, Louisiana and
Missouri), a catalog, a few hundred invented educators with five-year histories, and one
login per role (`flask --app wsgi ledger demo`).

Everything is deterministic for a given seed and `today`, and loading is idempotent:
an unchanged catalog or rulebook is not loaded again (so no new rulebook version), an
educator already present by (state, license number) is left alone with their entries,
and an existing login is left alone (but still printed). The whole load is one
transaction.

How the histories are made. Each educator gets a license cycle placed around `today` and
a goal for it: `complete`, `on_track` (in progress, at or above the pace of the cycle so
far), `behind` (in progress, well below it), `lapsed` (the cycle ended short) or
`renewed` (a completed previous cycle plus a current one on track). Entries are then
drawn, micro-credentials first, workshops and conferences to top up, and each draw is
valued by the real standing engine against the state's rulebook, so the goal is met
exactly as the API will report it (caps, minimums, rates in force on the day, no_rate
before a state had one). A handful of Juab teachers follow scripts through the
Teacher Leader: Mathematics role card (awarded and maintaining it, at risk, lapsed,
permanent, close to it), some Kentucky teachers through the Rank 2 pathway (24 MCs
inside three years, in progress, credentials that aged out of the window) and some
Louisiana and Missouri teachers through their states' cards, for the pathway engine to
show.

The parts: `profiles` (the data tables) and `people` (names); `plans`, `person` and
`planner` (the planning) with `scripts` (the role-card scripts); `sources`, `records`,
`logins` and `extras` (the loading).

Passwords of the demo logins are fixed and printed by the command: demo data only.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from .. import engine
from ..access import audit
from .extras import load_extras
from .logins import add_logins
from .planner import Planner
from .plans import Plan
from .profiles import STATES
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
    added = add_records(session, actor, plans)
    echo(f"{fmt(len(plans))} demo educators ({fmt(added.educators)} new), {fmt(added.entries)} entries added "
         f"({fmt(added.voided)} voided), {fmt(added.licenses)} licenses")

    logins, users_added = add_logins(session, plans)
    # a load that changed nothing leaves no audit event, so loading again stays a no-op
    if added.educators or users_added or loaded:
        audit.record(session, actor, "load_demo", "demo", f"seed {seed}", {
            "seed": seed, "today": today.isoformat(), "educators": len(plans),
            "educators_added": added.educators, "entries_added": added.entries, "voided": added.voided,
            "licenses_added": added.licenses, "users_added": users_added, "loaded": loaded,
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
    return [planner.person(i) for i in range(educators)]


def _echo_status(session, today: date, echo) -> None:
    from ..standing.report import state_renewal_report

    parts = []
    for code in sorted(STATES):
        counts = Counter(status for _, _, _, status in state_renewal_report(session, code, today))
        statuses = (engine.COMPLETE, engine.IN_PROGRESS, engine.LAPSED)
        parts.append(f"{code} " + ", ".join(f"{counts[s]} {s}" for s in statuses))
    echo(f"renewal status on {today.isoformat()} (licenses): " + "; ".join(parts))


def fmt(n: int) -> str:
    return f"{n:,}"
