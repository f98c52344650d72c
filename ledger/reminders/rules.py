"""Which notices are due (CONTRACT.md section 8) and what they say: pure functions over
plain values (a cycle's type, end and what is left; a period's end and count), no Flask,
no SQLAlchemy, no clock. The job feeds them rows of the standing projection
(sources.py); `educator_notices` feeds them the engine's standing, the reference the
tests hold the job to.

A notice is keyed by (recipient, kind, cycle, threshold) and sent once. The deadline
thresholds are 180, 90 and 30 days before `cycle_end`. A run that missed a day still
sends a threshold once it has been crossed: on any day the threshold due is the latest
one crossed (the smallest threshold at or above the days left), and only while the cycle
is still inside it; so a job down from day 100 to day 85 sends the 90-day notice, never a
late 180-day one beside it. The cycle's key carries its end, so an extension (a new end)
arms the thresholds again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .. import engine

THRESHOLDS = (180, 90, 30)
MAINTENANCE_DAYS = 180
AT_RISK_DAYS = 90  # the digest names staff whose cycle ends within this many days, behind pace
EDUCATOR, STAFF = "educator", "staff"


@dataclass(frozen=True)
class Kind:
    """A kind of notice. `optional`: the educator may turn it off (never a deadline)."""
    name: str
    audience: str
    optional: bool
    label: str


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind of notice. A kind the daily job finds adds a source (its SQL over the
    projection) to `sources.EDUCATOR_SOURCES`; issue 15's submissions ("submission_decided",
    optional, for the educator) record theirs as the decision is made, and add a section
    of the digest to `digest.SECTIONS`; nothing else changes."""
    KINDS[kind.name] = kind
    return kind


CYCLE_ENDING = register(Kind("cycle_ending", EDUCATOR, False, "Renewal deadline"))
GRACE_STARTED = register(Kind("grace_started", EDUCATOR, False, "Grace period begun"))
MAINTENANCE_SHORT = register(Kind("maintenance_short", EDUCATOR, True, "Designation maintenance"))
DIGEST = register(Kind("digest", STAFF, True, "Weekly digest"))


@dataclass(frozen=True)
class Due:
    """A notice found due, before it is recorded."""
    kind: str
    cycle: str
    threshold: int
    subject: str
    summary: str  # one sentence: what is left, by when
    payload: dict = field(default_factory=dict)


def long_date(d: date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def due_threshold(days_left: int, thresholds: tuple[int, ...] = THRESHOLDS) -> int | None:
    """The threshold due with `days_left` days to the deadline: the smallest one at or
    above it (180 on day 180, none on day 181; 30 from day 30 to the last day)."""
    if days_left < 0:
        return None
    return min((t for t in thresholds if days_left <= t), default=None)


def cycle_key(cycle_id: int, cycle_end: date) -> str:
    """A cycle's key: its id and its end (an extension, a new end, arms the thresholds again)."""
    return f"{cycle_id}@{cycle_end.isoformat()}"


def maintenance_key(card: str, period: int) -> str:
    return f"{card}#{period}"


def _units(value: Decimal) -> str:
    return f"{value.normalize():f}"


def what_is_left(p: engine.RenewalProgress, unit: str) -> str:
    """"24 PDPs" or, with the units earned but a minimum short, the minimum named. The
    projection keeps it in words for each open cycle (`standing_cycles.left`)."""
    if p.remaining_units > 0:
        return f"{_units(p.remaining_units)} {unit}"
    short = [m for m in p.minimums if not m.met]
    if short:
        m = short[0]
        if m.required_count is not None:
            return f"{m.required_count - (m.earned_count or 0)} more {m.tag} entries"
        return f"{_units(m.required_units - (m.earned_units or 0))} {unit} of {m.tag}"
    return "a requirement of the rule"


# -- the notices, from plain values: the job reads them from the projection, the tests also
# -- from the engine (below), and both go through these

def cycle_ending(license_type: str, left: str, cycle_id: int, cycle_end: date, as_of: date, behind: bool,
                 state: str) -> Due | None:
    """The deadline notice of a cycle in progress (not in grace) on `as_of`, if one is due."""
    days = (cycle_end - as_of).days
    threshold = due_threshold(days)
    if threshold is None:
        return None
    return Due(CYCLE_ENDING.name, cycle_key(cycle_id, cycle_end), threshold,
               f"Your {license_type} license: {left} still needed by {long_date(cycle_end)}",
               f"Earn {left} by {long_date(cycle_end)} to renew your {license_type} license",
               {"license": license_type, "left": left, "deadline": cycle_end.isoformat(),
                "days_left": days, "behind": behind, "state": state})


def grace_started(license_type: str, left: str, cycle_id: int, cycle_end: date, grace_ends: date,
                  state: str) -> Due:
    """The notice of a cycle in its grace days (sent once while in grace)."""
    return Due(GRACE_STARTED.name, cycle_key(cycle_id, cycle_end), 0,
               f"Your {license_type} license is in its grace period",
               f"Your {license_type} license's cycle ended short: earn {left} by "
               f"{long_date(grace_ends)}, the last day of grace",
               {"license": license_type, "left": left, "deadline": grace_ends.isoformat(),
                "cycle_end": cycle_end.isoformat(), "state": state})


def maintenance_short(designation: str, card: str, period: int, needed: int, period_end: date,
                      as_of: date) -> Due | None:
    """A held designation's open maintenance period ending within 180 days, short of its
    count: once per period."""
    if not 0 <= (period_end - as_of).days <= MAINTENANCE_DAYS:
        return None
    noun = "micro-credential" if needed == 1 else "micro-credentials"
    return Due(MAINTENANCE_SHORT.name, maintenance_key(card, period), MAINTENANCE_DAYS,
               f"Keep {designation}: {needed} more {noun} by {long_date(period_end)}",
               f"Earn {needed} more {noun} by {long_date(period_end)} to keep {designation}",
               {"designation": designation, "card": card, "needed": needed,
                "deadline": period_end.isoformat(), "period": period})


def at_risk_days(cycle_end: date, as_of: date) -> int | None:
    """Days to go of a cycle in progress ending within AT_RISK_DAYS (else None)."""
    days = (cycle_end - as_of).days
    return days if 0 <= days <= AT_RISK_DAYS else None


def at_risk_line(educator_id: int, first_name: str, last_name: str, license_type: str, left: str,
                 days: int) -> dict:
    """One line of the digest's "at risk" section."""
    return {"educator_id": educator_id, "name": f"{first_name} {last_name}",
            "detail": f"{license_type}: {left} left, {days} days to go", "days": days}


# -- what the engine says: the same notices from a standing the engine computed (the
# -- reference the tests hold the projection-driven job to)

def renewal_notices(s: engine.Standing, as_of: date) -> list[Due]:
    """Cycle-ending notices for the current cycles still in progress, and a notice when a
    cycle's grace begins (sent once while in grace)."""
    unit, out = s.rulebook.unit, []
    for p in s.renewal:
        if p.in_grace and p.grace_ends is not None:
            out.append(grace_started(p.license.type, what_is_left(p, unit), p.license.id, p.license.cycle_end,
                                     p.grace_ends, s.rulebook.state))
    for p in engine.current_cycles(s.renewal, as_of, key=engine.LICENSE):
        if p.status != engine.IN_PROGRESS or p.in_grace:
            continue
        due = cycle_ending(p.license.type, what_is_left(p, unit), p.license.id, p.license.cycle_end, as_of,
                           engine.behind_pace(p), s.rulebook.state)
        if due is not None:
            out.append(due)
    return out


def maintenance_notices(s: engine.Standing, as_of: date) -> list[Due]:
    out = []
    for r in s.pathways:
        period = r.maintenance
        if not (r.card.designation and r.status == "active" and period is not None and period.status == "open"):
            continue
        due = maintenance_short(r.card.designation, r.card.code, period.number,
                                period.period.required_count - len(period.counted), period.end, as_of)
        if due is not None:
            out.append(due)
    return out


def educator_notices(s: engine.Standing, as_of: date) -> list[Due]:
    return renewal_notices(s, as_of) + maintenance_notices(s, as_of)


def at_risk_lines(s: engine.Standing, educator_id: int, first_name: str, last_name: str,
                  as_of: date) -> dict | None:
    """The engine's "at risk" line for one educator: their current cycle in progress ending
    soonest within AT_RISK_DAYS and behind pace (one line per educator)."""
    found = []
    for p in engine.current_cycles(s.renewal, as_of, key=engine.LICENSE):
        days = at_risk_days(p.license.cycle_end, as_of)
        if p.in_grace or days is None or not engine.behind_pace(p):
            continue
        found.append((days, p.license.type, p))
    if not found:
        return None
    days, _, p = min(found, key=lambda f: f[:2])
    return at_risk_line(educator_id, first_name, last_name, p.license.type, what_is_left(p, s.rulebook.unit), days)


def digest_key(as_of: date) -> str:
    """Digests go at most once a week: the ISO week is the digest's cycle."""
    year, week, _ = as_of.isocalendar()
    return f"{year}-W{week:02d}"
