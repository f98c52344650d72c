"""Where educator notices come from. Each source names, in SQL, the educators it may have
something for (so a state-wide run reads only them) and, for a batch of them, what is
due. The standing source covers the deadlines and designation maintenance; issue 15's
submissions add a source here ("submission decided": its candidates are the educators
with a submission decided since their last such notice; its `due` reads those decisions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import exists, func, or_, select

from .. import engine
from ..models import Entry, License, LicenseEvent, Void
from .rules import THRESHOLDS, Due, educator_notices


@dataclass(frozen=True)
class Source:
    name: str
    # (state_id, today, rulebook) -> SELECTs of educator ids (none: it has nobody)
    candidates: Callable[..., list]
    # (standing, today) -> notices due for one educator, from the engine's standing
    due: Callable[[engine.Standing, date], list[Due]]


def _renewal_candidates(state_id: int, today: date, rulebook: engine.Rulebook):
    """Educators with a cycle in the state ending within the largest threshold, or ended
    within the longest grace; an extended cycle always (its end is an event's: few)."""
    grace = max((r.grace_days for r in rulebook.renewal), default=0)
    extended = select(LicenseEvent.cycle_id).where(LicenseEvent.kind == "extended")
    return select(License.educator_id).where(
        License.state_id == state_id,
        or_(License.cycle_end.between(today - timedelta(days=grace), today + timedelta(days=max(THRESHOLDS))),
            License.id.in_(extended)))


def _designation_candidates(state_id: int, today: date, rulebook: engine.Rulebook):
    """Educators who may hold a designation kept by maintenance: at least as many active
    micro-credentials as the smallest such card asks (a card cannot be held with fewer)."""
    cards = [c for c in (*rulebook.pathways, *(p for d in rulebook.districts for p in d.pathways))
             if c.designation and c.maintenance]
    if not cards:
        return None
    least = min((c.required_count or len(c.core) or 1) for c in cards)
    return (select(Entry.educator_id)
            .where(Entry.kind == "microcredential", ~exists().where(Void.entry_id == Entry.id),
                   exists().where(License.educator_id == Entry.educator_id, License.state_id == state_id))
            .group_by(Entry.educator_id).having(func.count() >= least))


def _standing_candidates(*args) -> list:
    return [q for q in (_renewal_candidates(*args), _designation_candidates(*args)) if q is not None]


STANDING = Source("standing", _standing_candidates, educator_notices)
EDUCATOR_SOURCES: list[Source] = [STANDING]


def candidate_queries(state_id: int, today: date, rulebook: engine.Rulebook) -> Iterable:
    for source in EDUCATOR_SOURCES:
        yield from source.candidates(state_id, today, rulebook)


def due_for(standing: engine.Standing, today: date) -> list[Due]:
    return [d for source in EDUCATOR_SOURCES for d in source.due(standing, today)]

