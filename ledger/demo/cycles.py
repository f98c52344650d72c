"""Where each demo educator's license cycles lie and how their goal is reached in them:
the cycle the goal is about (ended or current) and, for most, the complete cycle before it,
renewed a few weeks after it ended. The planner inherits this."""

from __future__ import annotations

import random
from datetime import date, timedelta

from pathways import add_years

from ..engine.years import school_years_within
from .person import Person
from .plans import DAY, Cycle, Plan
from .profiles import EARLIER_CYCLE_SHARE

# How far into its current cycle an educator with each goal may be (a fraction of the cycle).
CURRENT_ELAPSED = {"renewed": (0.1, 0.6), "behind": (0.4, 0.95), "complete": (0.3, 1.0)}
ON_TRACK_ELAPSED = (0.2, 0.95)


def on_pace(elapsed: float, rng: random.Random, lo: float, hi: float) -> float:
    """A fraction of the required units at or a little above the pace of the cycle so far."""
    return min(hi, max(lo, elapsed * rng.uniform(0.95, 1.3)))


def before(cycle: Cycle, years: int) -> Cycle:
    """The cycle that a renewal of which opened `cycle` (`engine.next_cycle` backwards)."""
    return Cycle(cycle.type, add_years(cycle.start, -years), cycle.start - DAY)


class Cycles:
    """Placing cycles and reaching goals in them; `today` and `history_start` are the
    planner's."""

    today: date
    history_start: date

    def _cycle_list(self, years: int, anchor: tuple[int, int]) -> list[tuple[date, date]]:
        t = self.today
        out = []
        for y in range(t.year - years - 4, t.year + 1):
            start = date(y, *anchor)
            out.append((start, add_years(start, years) - DAY))
        return out

    def elapsed(self, start: date, end: date) -> float:
        return (self.today - start).days / max(1, (end - start).days)

    def current_cycle(self, rng, years, anchor, min_elapsed=0.0, max_elapsed=1.0) -> tuple[date, date]:
        t = self.today
        current = [(s, e) for s, e in self._cycle_list(years, anchor) if s <= t - timedelta(days=120) and e >= t]
        fitting = [c for c in current if min_elapsed <= self.elapsed(*c) <= max_elapsed]
        return rng.choice(fitting or current)

    def _ended(self, rng, years, anchor) -> tuple[date, date]:
        t = self.today
        ended = [(s, e) for s, e in self._cycle_list(years, anchor) if add_years(t, -2) <= e < t - timedelta(days=20)]
        if not ended:
            ended = [(s, e) for s, e in self._cycle_list(years, anchor) if e < t][-1:]
        return rng.choice(ended)

    def renewed_on(self, rng: random.Random, cycle: Cycle, earliest: date | None = None) -> date:
        """A renewal a few weeks after the cycle ended (once it was complete), never after today."""
        day = max(cycle.end, earliest or cycle.end) + timedelta(days=rng.randint(3, 40))
        return min(day, self.today)

    def _place_licenses(self, plan: Plan, rng, lic_type: str, years: int, anchor: tuple[int, int]) -> None:
        """The cycle the goal is about, ended or current, and (always when "renewed") the
        complete cycle before it, renewed."""
        if plan.goal == "lapsed":
            cycle = Cycle(lic_type, *self._ended(rng, years, anchor))
        else:
            cycle = Cycle(lic_type, *self.current_cycle(rng, years, anchor,
                                                   *CURRENT_ELAPSED.get(plan.goal, ON_TRACK_ELAPSED)))
        earlier = rng.random() < EARLIER_CYCLE_SHARE
        if plan.goal == "renewed" or earlier:
            prev = before(cycle, years)
            plan.licenses.append(prev)
            plan.renewed[0] = self.renewed_on(rng, prev)
        plan.licenses.append(cycle)

    def _reach_goal(self, me: Person, rng: random.Random, mc_share: float, avoid: tuple[str, ...]) -> None:
        plan = me.plan
        lic = plan.licenses[-1]
        for prev in plan.licenses[:-1]:
            me.fill(prev, "complete", mc_share)
        elapsed = self.elapsed(lic.start, lic.end)
        if plan.goal == "renewed":
            me.fill(lic, on_pace(elapsed, rng, 0.1, 0.9), mc_share)
        elif plan.goal == "complete":
            me.fill(lic, "complete", mc_share)
            if not plan.script:
                me.extras(lic, rng.choice((0, 1, 2, 3, 4)), lic.start, min(lic.end, self.today), keep_short=False)
        elif plan.goal == "on_track":
            me.fill(lic, on_pace(elapsed, rng, 0.12, 0.92), mc_share)
        elif plan.goal == "behind":
            me.fill(lic, elapsed * rng.uniform(0.1, 0.55), mc_share, avoid)
        elif plan.goal == "lapsed":
            self._lapse(me, rng, mc_share, avoid)

    def _lapse(self, me: Person, rng: random.Random, mc_share: float, avoid: tuple[str, ...]) -> None:
        lic = me.plan.licenses[-1]
        rule = me.rb.rule_for(lic.fact(0))
        if rule.annual_units is not None:
            # every school year met but one, which lapsed the cycle the day after it ended
            years = school_years_within(lic.start, lic.end, *rule.year_starts)
            me.fill(lic, "complete", mc_share, short=rng.choice(years)[0])
        elif avoid:
            me.fill(lic, rng.uniform(1.0, 1.15), mc_share, avoid)  # the hours, not the SEI minimum
        else:
            me.fill(lic, rng.uniform(0.3, 0.85), mc_share)
        # a little earned after the lapse (and any grace days), toward reinstatement
        if not me.plan.script and rng.random() < 0.4:
            after = lic.end + timedelta(days=rule.grace_days) + DAY
            if after <= self.today:
                me.draw(after, self.today, mc_share)
