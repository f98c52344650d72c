"""License stories told once each (profiles.STORIES): a cycle in its grace days today, one
completed in its grace days and renewed, a hardship extension, North Carolina's rule
change on 2024-06-30 seen from both sides with National Board credits banked, a North
Carolina course that counts toward one of two minimums only, and an
Arkansas license lapsed over a short school year and reinstated a year later. Each places
the educator's cycles and what the state office did to them (replayed through the
licenses service by records.py), then draws the entries that make them so; each returns
False when `today` is too early for it (the educator then gets an ordinary history)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from pathways import add_years

from .. import engine
from .cycles import before, on_pace
from .plans import ACTIVITY, DAY, Cycle, Item, between

if TYPE_CHECKING:
    from .cycles import Cycles
    from .person import Person

EXTENSION_REASON = ("One-year extension at the superintendent's request (16 KAR 4:060): on medical leave for "
                    "most of the {year} school year")
REINSTATEMENT_REASON = ("Reinstated after a lapse: the {year} school year ended short of its 36 hours. 36 hours "
                        "earned within the year before applying, as Arkansas asks of a license expired over a year")


def _chain(first: Cycle, years: int, today: date) -> list[Cycle]:
    """`first` and the cycles each renewal opened after it, up to the one holding today."""
    cycles = [first]
    while cycles[-1].end < today:
        start, end = engine.next_cycle(cycles[-1].end, years)
        cycles.append(Cycle(first.type, start, end))
    return cycles


def _renew_all_but_last(pl: Cycles, me: Person, rng: random.Random) -> None:
    for n, cycle in enumerate(me.plan.licenses[:-1]):
        me.plan.renewed[n] = pl.renewed_on(rng, cycle)


def in_grace(pl: Cycles, me: Person, rng: random.Random, mc_share: float) -> bool:
    """A Tennessee professional license whose cycle ended a few weeks ago a little short:
    in its 61 days of grace today, with a workshop taken since counting toward it."""
    plan, t = me.plan, pl.today
    start = add_years(t - timedelta(days=rng.randint(12, 35)) + DAY, -6)
    cycle = Cycle("professional", start, add_years(start, 6) - DAY)
    plan.goal = "in_grace"
    plan.licenses += [before(cycle, 6), cycle]
    _renew_all_but_last(pl, me, rng)
    me.fill(plan.licenses[0], "complete", mc_share)
    me.fill(cycle, rng.uniform(0.8, 0.9), mc_share)
    for _ in range(12):  # a few workshops more, to within a few PDPs of the 60
        if me.progress(cycle).earned_units >= 50:
            break
        item = me.activity(cycle.start, cycle.end)
        if me.progress(cycle).earned_units >= 57:
            me.drop(item)
    for _ in range(8):  # and one since it ended, which counts toward it
        item = me.activity(cycle.end + DAY, t)
        if me.progress(cycle).status == engine.IN_PROGRESS:
            break
        me.drop(item)
    return True


def completed_in_grace(pl: Cycles, me: Person, rng: random.Random, mc_share: float) -> bool:
    """The cycle before the current one ended short and was completed in its grace days
    (those entries count toward it, not the next), then renewed."""
    plan = me.plan
    cycle = Cycle("professional", *pl.current_cycle(rng, 6, (9, 1), 0.15, 0.6))
    prev = before(cycle, 6)
    plan.goal = "on_track"
    plan.licenses += [prev, cycle]
    me.fill(prev, rng.uniform(0.85, 0.95), mc_share)
    done_on = prev.end
    for _ in range(8):
        if me.progress(prev).status == engine.COMPLETE:
            break
        done_on = max(done_on, me.activity(prev.end + DAY, prev.end + timedelta(days=50)).earned_on)
    plan.renewed[0] = pl.renewed_on(rng, prev, earliest=done_on)
    me.fill(cycle, on_pace(pl.elapsed(cycle.start, cycle.end), rng, 0.12, 0.9), mc_share)
    return True


def extended(pl: Cycles, me: Person, rng: random.Random, mc_share: float) -> bool:
    """A Kentucky cycle that ended on the last 30 June short, extended one year."""
    plan, t = me.plan, pl.today
    first_end = date(t.year, 6, 30) if date(t.year, 6, 30) < t else date(t.year - 1, 6, 30)
    recorded = Cycle("rank3", date(first_end.year - 5, 7, 1), first_end)
    cycle = Cycle("rank3", recorded.start, date(first_end.year + 1, 6, 30), first_end)
    plan.goal = "extended"
    plan.licenses += [before(recorded, 5), cycle]
    _renew_all_but_last(pl, me, rng)
    plan.extended[1] = EXTENSION_REASON.format(year=f"{first_end.year - 1}-{first_end.year % 100:02d}")
    me.fill(plan.licenses[0], "complete", mc_share)
    me.fill(cycle, rng.uniform(0.55, 0.8), mc_share)
    return True


def _north_carolina(pl: Cycles, me: Person, rng: random.Random, mc_share: float, first: Cycle,
                    bank: bool) -> bool:
    if pl.today < first.end + timedelta(days=120):
        return False
    plan = me.plan
    plan.goal = "renewed"
    plan.licenses += _chain(first, 5, pl.today)
    _renew_all_but_last(pl, me, rng)
    for cycle in plan.licenses[:-1]:
        me.fill(cycle, "complete", mc_share)
    if bank:  # National Board in the cycle's last year: 8 credits beyond it, banked for the next
        me.micro("NBPTS-NBC", between(rng, add_years(first.end, -1), first.end - timedelta(days=30)))
    last = plan.licenses[-1]
    hi = min(last.end, pl.today)
    for tag in ("content", "literacy"):
        me.draw(last.start, hi, mc_share, tag=tag)
    me.fill(last, on_pace(pl.elapsed(last.start, last.end), rng, 0.12, 0.9), mc_share)
    return True


def nc_old_rule(pl: Cycles, me: Person, rng: random.Random, mc_share: float) -> bool:
    """A cycle that ended 2023-06-30, complete under the rule before 2024-06-30 (its
    digital-learning credits included), renewed, with National Board credits banked."""
    return _north_carolina(pl, me, rng, mc_share, Cycle("continuing", date(2018, 7, 1), date(2023, 6, 30)), True)


def nc_boundary(pl: Cycles, me: Person, rng: random.Random, mc_share: float) -> bool:
    """The cycle that ended on 2024-06-30 itself: judged by the rule from that day."""
    return _north_carolina(pl, me, rng, mc_share, Cycle("continuing", date(2019, 7, 1), date(2024, 6, 30)), False)


def nc_one_course(pl: Cycles, me: Person, rng: random.Random, mc_share: float) -> bool:
    """A North Carolina cycle under way with its 8 credits earned, but one summer literacy
    institute (3 CEUs, tagged literacy and content) is the only entry for either
    minimum: a course counts toward one sub-category only, so the cycle is not complete
    until 3 more credits in the other come."""
    plan = me.plan
    cycle = Cycle("continuing", *pl.current_cycle(rng, 5, (7, 1), 0.55, 0.95))
    plan.goal = "one_course_two_minimums"
    plan.licenses.append(cycle)
    hi = min(cycle.end, pl.today)
    day = between(rng, cycle.start, hi)
    plan.items.append(Item(ACTIVITY, day, title=f"Summer Literacy Institute {day.year}", hours=Decimal(3),
                           measure="ceu", tags=("content", "institute", "literacy")))
    for _ in range(20):
        p = me.progress(cycle)
        if p.earned_units >= p.rule.required_units:
            break
        me.activity(cycle.start, hi, avoid=("content", "literacy"))
    return True


def ar_reinstated(pl: Cycles, me: Person, rng: random.Random, mc_share: float) -> bool:
    """An Arkansas license that lapsed when a school year ended short, expired, and was
    reinstated with a new cycle a year later, after 36 hours earned in that year."""
    plan, t = me.plan, pl.today
    year_start = date(t.year if (t.month, t.day) >= (7, 1) else t.year - 1, 7, 1)  # the school year today
    lapsed = Cycle("standard", date(year_start.year - 6, 7, 1), date(year_start.year - 1, 6, 30))
    fresh = Cycle("standard", year_start, date(year_start.year + 5, 6, 30))
    short = date(year_start.year - 4, 7, 1)
    plan.goal = "reinstated"
    plan.licenses += [lapsed, fresh]
    plan.reinstated[1] = REINSTATEMENT_REASON.format(year=f"{short.year}-{(short.year + 1) % 100:02d}")
    me.fill(lapsed, "complete", mc_share, short=short)
    gap_hours = Decimal(0)
    for _ in range(20):
        if gap_hours >= 36:
            break
        item = me.draw(lapsed.end + DAY, fresh.start - DAY, mc_share)
        gap_hours += me.valuer.value(me.entry_fact(item)).units
    me.fill(fresh, on_pace(pl.elapsed(fresh.start, fresh.end), rng, 0.0, 0.9), mc_share)
    return True


def ar_renewed(pl: Cycles, me: Person, rng: random.Random, mc_share: float) -> bool:
    """Every school year of the cycle before met, renewed: the ordinary "renewed" goal."""
    me.plan.goal = "renewed"
    return False


STORIES = {
    "in_grace": in_grace, "completed_in_grace": completed_in_grace, "extended": extended,
    "nc_old_rule": nc_old_rule, "nc_boundary": nc_boundary, "nc_one_course": nc_one_course,
    "ar_reinstated": ar_reinstated, "ar_renewed": ar_renewed,
}
