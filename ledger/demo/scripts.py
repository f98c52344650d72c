"""The role-card scripts: how a few chosen educators' micro-credentials are placed so
that every stage of every card shows (Juab's Teacher Leader: Mathematics, Kentucky's
Rank 2, the Louisiana and Missouri cards), and which script goes to whom."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING, Protocol

from pathways import add_months, add_years

from .plans import DAY, spread

if TYPE_CHECKING:
    from .person import Person


class Cards(Protocol):
    """What a script reads of the planner (which imports the scripts): the day, and the
    role cards it places micro-credentials for."""

    today: date
    juab: dict | None
    rank2: dict | None
    cards: dict[str, dict]


def _juab(planner: Cards, me: Person, rng: random.Random, *, award_months: int | None,
          span_months: int, core_n: int | None = None, electives_n: int | None = None,
          periods: tuple[int, ...] = (), after: int = 0, before: int = 0) -> None:
    """Place a Juab teacher's micro-credentials on the Teacher Leader: Mathematics card:
    all of it, with its last credential on the award date, then the maintenance
    `periods` and `after` (see `_maintain`); or, with no award, `core_n` core and
    `electives_n` elective credentials."""
    p, t = planner.juab, planner.today
    core = list(p["core"])
    group = (p.get("electives") or [{"choose": 0}])[0]
    electives = list(group.get("from") or [])
    rng.shuffle(electives)
    if award_months is None:
        end = t - timedelta(days=rng.randint(10, 60))
        start = add_months(end, -span_months)
        codes = rng.sample(core, core_n) + electives[:electives_n]
        for code, day in zip(rng.sample(codes, len(codes)), spread(rng, start, end, len(codes))):
            me.micro(code, day)
        return
    award = add_months(t, -award_months)
    start = add_months(award, -span_months)
    codes = core + electives[: group["choose"]]
    rng.shuffle(codes)
    days = spread(rng, start, award - DAY, len(codes) - 1) + [award]
    for code, day in zip(codes, days):
        me.micro(code, day)
    # Something off the card before the award; never an elective, which could move the
    # award date earlier.
    for _ in range(before):
        me.draw_micro(start, award - DAY, exclude=electives)
    years = [m["years"] for m in p.get("maintenance") or []] or [3]
    _maintain(me, award, years, periods, after, t)


def _maintain(me: Person, award: date, years: list[int], periods: tuple[int, ...], after: int,
              today: date) -> None:
    """`periods[k]` micro-credentials inside maintenance period k (its length the k-th of
    `years`, the last repeating), strictly after the award; `after` once they are over."""
    pstart = award
    for k, n in enumerate(periods):
        plen = years[min(k, len(years) - 1)]
        pend = add_years(pstart, plen) - DAY
        for _ in range(n):
            me.draw_micro(pstart + DAY, min(pend, today))
        pstart = pend + DAY
    for _ in range(after):
        me.draw_micro(pstart, today)


def _rank2(planner: Cards, me: Person, rng: random.Random, *, award_months: int | None,
           span_months: int, core_n: int = 0, electives_n: int = 0, aged_core: int = 0) -> None:
    """Place a Kentucky teacher's micro-credentials on the Rank 2 pathway: all of it
    inside the window (capstone last, on the award date), or a partial record, with
    `aged_core` core credentials earned too long ago to count in the window now."""
    p, t = planner.rank2, planner.today
    core = list(p["core"])
    rng.shuffle(core)
    tag_groups = [g for g in p.get("electives") or [] if g.get("tags")]
    from_groups = [g for g in p.get("electives") or [] if g.get("from")]
    tags = set(tag_groups[0]["tags"]) if tag_groups else set()
    pool = [c for c in me.mc_pool() if c[0] not in core and me.catalog.tags[c[0]] & tags]
    pool_codes = [c for c, _ in pool]
    rng.shuffle(pool_codes)
    window = p.get("window_years") or 3
    if award_months is None:
        end = t - timedelta(days=rng.randint(5, 40))
        start = add_months(end, -span_months)
        codes = core[:core_n] + pool_codes[:electives_n]
        for code, day in zip(rng.sample(codes, len(codes)), spread(rng, start, end, len(codes))):
            me.micro(code, day)
        old_end = add_years(t, -window) - timedelta(days=20)
        for code, day in zip(core[core_n:core_n + aged_core], spread(rng, add_months(old_end, -6), old_end, aged_core)):
            me.micro(code, day)
        return
    award = add_months(t, -award_months)
    start = add_months(award, -span_months)
    start = max(start, add_years(award, -window) + timedelta(days=30))  # inside the window
    choose = tag_groups[0]["choose"] if tag_groups else 0
    capstones = [c for g in from_groups for c in g["from"]][:len(from_groups)]
    codes = core + pool_codes[:choose]
    rng.shuffle(codes)
    days = spread(rng, start, award - DAY, len(codes))
    for code, day in zip(codes, days):
        me.micro(code, day)
    for code in capstones:
        me.micro(code, award)


def _stack(planner: Cards, me: Person, rng: random.Random, *, card: str, award_months: int | None,
           span_months: int, have: int = 0, aged: int = 0) -> None:
    """Place an educator's micro-credentials on one of the Louisiana or Missouri cards:
    all of it, the last one on the award date (inside the window, if the card has one),
    or `have` of what it needs, with `aged` more earned just before the window opens
    today (too old to count)."""
    p, t = planner.cards[card], planner.today
    core = list(p.get("core") or [])
    needed = core + _electives(p, core, me.catalog.tags, rng)
    window = p.get("window_years")
    if award_months is None:
        end = t - timedelta(days=rng.randint(5, 40))
        start = add_months(end, -span_months)
        codes = rng.sample(needed, have + aged)
        for code, day in zip(codes[:have], spread(rng, start, end, have)):
            me.micro(code, day)
        if aged and window:
            old_end = add_years(t, -window) - timedelta(days=10)
            for code, day in zip(codes[have:], spread(rng, add_months(old_end, -4), old_end, aged)):
                me.micro(code, day)
        return
    award = add_months(t, -award_months)
    start = add_months(award, -span_months)
    if window:
        start = max(start, add_years(award, -window) + timedelta(days=30))
    rng.shuffle(needed)
    days = spread(rng, start, award - DAY, len(needed) - 1) + [award]
    for code, day in zip(needed, days):
        me.micro(code, day)


def _electives(card: dict, core: list[str], catalog_tags: dict[str, frozenset[str]],
               rng: random.Random) -> list[str]:
    """As many electives as each of the card's groups asks for: none of the core, none twice."""
    electives: list[str] = []
    for group in card.get("electives") or []:
        if group.get("from"):
            pool = [c for c in group["from"] if c not in core and c not in electives]
        else:
            wanted = set(group["tags"])
            pool = sorted(c for c, tags in catalog_tags.items()
                          if tags & wanted and c not in core and c not in electives)
        rng.shuffle(pool)
        electives += pool[: group["choose"]]
    return electives


STACK_CARDS = ("LA-MENTOR", "LA-CONTENT", "MO-CCAC-MC")
STACK_SCRIPTS = {  # state -> (script, card), given to every other educator of the state
    "LA": (("mt_awarded", "LA-MENTOR"), ("mt_one_short", "LA-MENTOR"),
           ("cl_awarded_last_month", "LA-CONTENT"), ("cl_aging", "LA-CONTENT"),
           ("mt_started", "LA-MENTOR"), ("cl_started", "LA-CONTENT")),
    "MO": (("mo_awarded", "MO-CCAC-MC"), ("mo_one_short", "MO-CCAC-MC"),
           ("mo_halfway", "MO-CCAC-MC"), ("mo_aged_out", "MO-CCAC-MC"),
           ("mo_started", "MO-CCAC-MC")),
}

JUAB_SCRIPTS = (
    "tl_active_period2", "tl_progress_11", "tl_active_period1", "tl_lapsed", "tl_permanent",
    "tl_at_risk", "tl_progress_8", "tl_new",
)
RANK2_SCRIPTS = ("r2_awarded", "r2_progress", "r2_awarded_recent", "r2_aged_out", "r2_awarded_early", "r2_started")

SCRIPTS = {
    # awarded 40 months ago: period 1 met (7 of 6), period 2 under way (1 of 3)
    "tl_active_period2": lambda pl, me, rng: _juab(pl, me, rng, award_months=40, span_months=22, periods=(7, 1)),
    "tl_active_period1": lambda pl, me, rng: _juab(pl, me, rng, award_months=20, span_months=26, periods=(3,)),
    # period 1 ends within months with 1 of 6: active, at risk
    "tl_at_risk": lambda pl, me, rng: _juab(pl, me, rng, award_months=33, span_months=24, periods=(1,)),
    # period 1 ended a year ago with 4 of 6: lapsed
    "tl_lapsed": lambda pl, me, rng: _juab(pl, me, rng, award_months=50, span_months=20, periods=(4, 1)),
    # awarded 80 months ago, both periods met: permanent; 30 MCs reach the BA+15 lane
    "tl_permanent": lambda pl, me, rng: _juab(pl, me, rng, award_months=80, span_months=24, periods=(9, 5),
                                              after=3, before=1),
    # awarded last month: the 5% raise starts with this year's salary run
    "tl_new": lambda pl, me, rng: _juab(pl, me, rng, award_months=1, span_months=30, periods=(0,)),
    "tl_progress_11": lambda pl, me, rng: _juab(pl, me, rng, award_months=None, span_months=30, core_n=6,
                                                electives_n=5),
    "tl_progress_8": lambda pl, me, rng: _juab(pl, me, rng, award_months=None, span_months=24, core_n=3,
                                               electives_n=5),
    # 24 MCs inside three years, capstone last
    "r2_awarded": lambda pl, me, rng: _rank2(pl, me, rng, award_months=15, span_months=32),
    "r2_awarded_recent": lambda pl, me, rng: _rank2(pl, me, rng, award_months=5, span_months=34),
    "r2_awarded_early": lambda pl, me, rng: _rank2(pl, me, rng, award_months=30, span_months=33),
    "r2_progress": lambda pl, me, rng: _rank2(pl, me, rng, award_months=None, span_months=20, core_n=10,
                                              electives_n=7),
    # two core credentials earned more than three years ago no longer count in the window
    "r2_aged_out": lambda pl, me, rng: _rank2(pl, me, rng, award_months=None, span_months=30, core_n=10,
                                              electives_n=8, aged_core=2),
    "r2_started": lambda pl, me, rng: _rank2(pl, me, rng, award_months=None, span_months=8, core_n=5),
}
SCRIPTS.update({
    "mt_awarded": lambda pl, me, rng: _stack(pl, me, rng, card="LA-MENTOR", award_months=14, span_months=20),
    "mt_one_short": lambda pl, me, rng: _stack(pl, me, rng, card="LA-MENTOR", award_months=None,
                                               span_months=18, have=5),
    "mt_started": lambda pl, me, rng: _stack(pl, me, rng, card="LA-MENTOR", award_months=None,
                                             span_months=6, have=2),
    "cl_awarded_last_month": lambda pl, me, rng: _stack(pl, me, rng, card="LA-CONTENT", award_months=1,
                                                        span_months=20),
    # four of five, the oldest earned almost three years ago: the window is closing
    "cl_aging": lambda pl, me, rng: _stack(pl, me, rng, card="LA-CONTENT", award_months=None,
                                           span_months=34, have=4),
    "cl_started": lambda pl, me, rng: _stack(pl, me, rng, card="LA-CONTENT", award_months=None,
                                             span_months=4, have=1),
    "mo_awarded": lambda pl, me, rng: _stack(pl, me, rng, card="MO-CCAC-MC", award_months=10, span_months=40),
    "mo_one_short": lambda pl, me, rng: _stack(pl, me, rng, card="MO-CCAC-MC", award_months=None,
                                               span_months=36, have=14),
    "mo_halfway": lambda pl, me, rng: _stack(pl, me, rng, card="MO-CCAC-MC", award_months=None,
                                             span_months=24, have=8),
    # fourteen earned, three of them more than four years ago
    "mo_aged_out": lambda pl, me, rng: _stack(pl, me, rng, card="MO-CCAC-MC", award_months=None,
                                              span_months=40, have=11, aged=3),
    "mo_started": lambda pl, me, rng: _stack(pl, me, rng, card="MO-CCAC-MC", award_months=None,
                                             span_months=5, have=2),
})

SCRIPT_GOALS = {
    "tl_active_period2": "complete", "tl_active_period1": "on_track", "tl_at_risk": "behind",
    "tl_lapsed": "complete", "tl_permanent": "complete", "tl_new": "on_track",
    "tl_progress_11": "on_track", "tl_progress_8": "behind",
    "r2_awarded": "complete", "r2_awarded_recent": "complete", "r2_awarded_early": "complete",
    "r2_progress": "complete", "r2_aged_out": "on_track", "r2_started": "on_track",
}
