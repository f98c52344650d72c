"""A district's salary credits and lanes, and the designations' salary effects
(CONTRACT.md section 2, "Salary credits")."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from .model import DistrictRules, Lane


class Salary(NamedTuple):
    district: DistrictRules
    microcredentials: int            # active micro-credential entries earned by as_of
    credits: Decimal
    lane: str | None
    lane_by_credits: str | None
    lane_by_designation: str | None  # the card whose salary_lane set the lane, if one did
    base_salary_pct: Decimal
    designations: tuple[str, ...]    # codes of the cards whose effects hold
    next_lane: Lane | None           # the next lane up by credits, if any

    @property
    def credits_to_next_lane(self) -> Decimal | None:
        return None if self.next_lane is None else self.next_lane.min_credits - self.credits


def salary(district: DistrictRules, entries: Iterable, results: Iterable, as_of: date) -> Salary:
    """`entries`: the educator's active entries; `results`: their PathwayResults."""
    count = sum(1 for e in entries if e.credential is not None and e.earned_on <= as_of)
    credits = district.salary_credits_per_mc * count
    lanes = district.lanes
    rank = -1
    for i, lane in enumerate(lanes):
        # the highest min_credits not above the credits; the later of equals ranks higher
        if lane.min_credits <= credits and (rank < 0 or lane.min_credits >= lanes[rank].min_credits):
            rank = i
    by_credits = lanes[rank].name if rank >= 0 else None
    names = [lane.name for lane in lanes]
    pct = Decimal(0)
    holding, lane_card, lane = [], None, by_credits
    for r in results:
        if not r.holds:
            continue
        holding.append(r.card.code)
        pct += r.card.effects.base_salary_pct or 0
        wanted = r.card.effects.salary_lane
        if wanted is None:
            continue
        if wanted in names:
            if names.index(wanted) > rank:
                rank, lane, lane_card = names.index(wanted), wanted, r.card.code
        elif not lanes and lane is None:
            lane, lane_card = wanted, r.card.code  # a district without a schedule
    next_lane = None
    for candidate in lanes[rank + 1:]:
        if candidate.min_credits > credits and (next_lane is None or candidate.min_credits < next_lane.min_credits):
            next_lane = candidate
    return Salary(
        district=district, microcredentials=count, credits=credits, lane=lane,
        lane_by_credits=by_credits, lane_by_designation=lane_card, base_salary_pct=pct,
        designations=tuple(holding), next_lane=next_lane,
    )
