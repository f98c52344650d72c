"""Which notices are due (CONTRACT.md section 8): pure functions over the engine's
standing, no Flask, no SQLAlchemy, no clock.

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
    """Add a kind of notice. Issue 15's submissions add theirs here ("submission_decided",
    optional, for the educator) with a source in `sources.EDUCATOR_SOURCES`, and a section
    of the digest in `digest.SECTIONS`; nothing else changes."""
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


def cycle_key(lic: engine.License) -> str:
    return f"{lic.id}@{lic.cycle_end.isoformat()}"


def _units(value: Decimal) -> str:
    return f"{value.normalize():f}"


def what_is_left(p: engine.RenewalProgress, unit: str) -> str:
    """"24 PDPs" or, with the units earned but a minimum short, the minimum named."""
    if p.remaining_units > 0:
        return f"{_units(p.remaining_units)} {unit}"
    short = [m for m in p.minimums if not m.met]
    if short:
        m = short[0]
        if m.required_count is not None:
            return f"{m.required_count - (m.earned_count or 0)} more {m.tag} entries"
        return f"{_units(m.required_units - (m.earned_units or 0))} {unit} of {m.tag}"
    return "a requirement of the rule"


def renewal_notices(s: engine.Standing, as_of: date) -> list[Due]:
    """Cycle-ending notices for the current cycles still in progress, and a notice when a
    cycle's grace begins (sent once while in grace)."""
    unit, out = s.rulebook.unit, []
    for p in s.renewal:
        if p.in_grace and p.grace_ends is not None:
            left = what_is_left(p, unit)
            out.append(Due(GRACE_STARTED.name, cycle_key(p.license), 0,
                           f"Your {p.license.type} license is in its grace period",
                           f"Your {p.license.type} license's cycle ended short: earn {left} by "
                           f"{long_date(p.grace_ends)}, the last day of grace",
                           {"license": p.license.type, "left": left, "deadline": p.grace_ends.isoformat(),
                            "cycle_end": p.license.cycle_end.isoformat(), "state": s.rulebook.state}))
    for p in engine.current_cycles(s.renewal, as_of, key=engine.LICENSE):
        if p.status != engine.IN_PROGRESS or p.in_grace:
            continue
        end = p.license.cycle_end
        threshold = due_threshold((end - as_of).days)
        if threshold is None:
            continue
        left = what_is_left(p, unit)
        out.append(Due(CYCLE_ENDING.name, cycle_key(p.license), threshold,
                       f"Your {p.license.type} license: {left} still needed by {long_date(end)}",
                       f"Earn {left} by {long_date(end)} to renew your {p.license.type} license",
                       {"license": p.license.type, "left": left, "deadline": end.isoformat(),
                        "days_left": (end - as_of).days, "behind": engine.behind_pace(p),
                        "state": s.rulebook.state}))
    return out


def maintenance_notices(s: engine.Standing, as_of: date) -> list[Due]:
    """A designation held whose current maintenance period ends within 180 days short of
    its count: once per period."""
    out = []
    for r in s.pathways:
        period = r.maintenance
        if not (r.card.designation and r.status == "active" and period is not None and period.status == "open"):
            continue
        days = (period.end - as_of).days
        if not 0 <= days <= MAINTENANCE_DAYS:
            continue
        needed = period.period.required_count - len(period.counted)
        noun = "micro-credential" if needed == 1 else "micro-credentials"
        out.append(Due(MAINTENANCE_SHORT.name, f"{r.card.code}#{period.number}", MAINTENANCE_DAYS,
                       f"Keep {r.card.designation}: {needed} more {noun} by {long_date(period.end)}",
                       f"Earn {needed} more {noun} by {long_date(period.end)} to keep {r.card.designation}",
                       {"designation": r.card.designation, "card": r.card.code, "needed": needed,
                        "deadline": period.end.isoformat(), "period": period.number}))
    return out


def educator_notices(s: engine.Standing, as_of: date) -> list[Due]:
    return renewal_notices(s, as_of) + maintenance_notices(s, as_of)


def digest_key(as_of: date) -> str:
    """Digests go at most once a week: the ISO week is the digest's cycle."""
    year, week, _ = as_of.isocalendar()
    return f"{year}-W{week:02d}"
