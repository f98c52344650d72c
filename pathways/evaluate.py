"""A role card read against one educator's entries on one day: the award, what was
counted for which group, what is missing, the maintenance periods, the status, and what
to do next (the forecast)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from datetime import date
from operator import attrgetter
from typing import NamedTuple

from .award import CORE, MULTI, Fill, Roles, fill, scan, search
from .dates import ONE_DAY, add_years, window_opens
from .model import Period, RoleCard

IN_PROGRESS = "in_progress"
ACTIVE = "active"
LAPSED = "lapsed"
PERMANENT = "permanent"
HOLDING = frozenset({ACTIVE, PERMANENT})

# Period statuses
MET = "met"
OPEN = "open"        # the period holds as_of
FAILED = "lapsed"
UPCOMING = "upcoming"


class Counted(NamedTuple):
    """An entry counted toward the award, and the role it fills: "core", or "elective"
    with its group; `extra` when it is eligible but beyond what its groups need."""

    entry: object
    role: str
    group: int | None
    extra: bool = False


class GroupGap(NamedTuple):
    group: int
    choose: int
    counted: int

    @property
    def missing(self) -> int:
        return self.choose - self.counted


class PeriodResult(NamedTuple):
    number: int              # from 1
    start: date
    end: date                # the last day inside the period
    period: Period
    counted: tuple           # entries counted so far (earned on or before as_of)
    status: str              # met, open, lapsed or upcoming

    @property
    def required_count(self) -> int:
        return self.period.required_count

    @property
    def remaining(self) -> int:
        return max(0, self.period.required_count - len(self.counted))


class Forecast(NamedTuple):
    """What keeps the pathway moving: `needed` more micro-credentials (of them the core
    ones in `core` and per group in `groups`) by `by` (None when nothing presses), and
    the credentials that leave the window the day after (`falls_out`)."""

    needed: int
    by: date | None
    core: tuple[str, ...] = ()
    groups: tuple[GroupGap, ...] = ()
    falls_out: tuple[str, ...] = ()
    period: int | None = None


class PathwayResult(NamedTuple):
    # Named tuples, not frozen dataclasses: as immutable, and several times cheaper to
    # make, which a state's worth of standings does for every card.
    card: RoleCard
    as_of: date
    status: str
    awarded_on: date | None
    window: tuple                    # the entries counted: in the award's window, or today's
    filling: Fill                    # how they fill the card
    roles: Roles
    missing_core: tuple[str, ...]
    groups: tuple[GroupGap, ...]
    missing_total: int
    window_opens: date | None        # first day of the window the counts describe
    periods: tuple[PeriodResult, ...]
    maintenance: PeriodResult | None
    lapsed_on: date | None
    permanent_on: date | None
    forecast: Forecast | None

    @property
    def holds(self) -> bool:
        """Effects hold while the designation is active or permanent."""
        return self.status in HOLDING

    @property
    def counted(self) -> tuple[Counted, ...]:
        """Each counted entry with the role it fills. Derived when asked for (a page or
        an answer shows it; a state-wide report of statuses never needs it)."""
        return _counted(self.roles, self.window, self.filling)

    @property
    def required_count(self) -> int:
        return self.card.count_needed


class PathwayEvaluator:
    """Evaluates role cards for many educators: each card's credential roles are
    memoised across them."""

    __slots__ = ("_roles",)

    def __init__(self, cards: Iterable[RoleCard] = ()):
        # keyed by identity: hashing a frozen card hashes every field, on every lookup
        self._roles: dict[int, Roles] = {id(c): Roles(c) for c in cards}

    def roles(self, card: RoleCard) -> Roles:
        r = self._roles.get(id(card))
        if r is None or r.card is not card:
            r = self._roles[id(card)] = Roles(card)
        return r

    def evaluate(self, card: RoleCard, entries: Sequence, as_of: date) -> PathwayResult:
        """`entries`: the educator's active entries in (earned_on, id) order."""
        return self.evaluate_all((card,), entries, as_of)[0]

    def evaluate_all(self, cards: Sequence[RoleCard], entries: Sequence, as_of: date,
                     *, microcredentials_by_as_of: bool = False) -> tuple[PathwayResult, ...]:
        """Every card for one educator; `entries` in (earned_on, id) order. A caller that
        passes only micro-credential entries earned by `as_of` says so with
        `microcredentials_by_as_of=True` and saves a pass."""
        if microcredentials_by_as_of:
            mcs = entries
        else:
            mcs = [e for e in entries if e.credential is not None and e.earned_on <= as_of]
        out = []
        for card in cards:
            roles = self.roles(card)
            eligible, whole = scan(roles, mcs)
            award = search(roles, eligible, whole)
            if award is None:
                out.append(_in_progress(roles, eligible, as_of, whole))
            else:
                out.append(_awarded(roles, award, mcs, as_of))
        return tuple(out)


def evaluate(card: RoleCard, entries: Iterable, as_of: date) -> PathwayResult:
    """One card, one educator; entries in any order."""
    ordered = sorted(entries, key=lambda e: (e.earned_on, e.id))
    return PathwayEvaluator((card,)).evaluate(card, ordered, as_of)


def _counted(roles: Roles, window: Sequence, f: Fill) -> tuple[Counted, ...]:
    memo, caps, groups = roles._memo, roles.caps, f.groups
    new = tuple.__new__
    out = []
    if groups is None:  # each group took its credentials in date order
        taken = [0] * len(caps)
        seen: dict[str, Counted] = {}
    for e in window:
        r = memo[e.credential]
        if r[0] == CORE:
            out.append(new(Counted, (e, "core", None, False)))
        elif groups is not None:
            g = groups.get(e.credential)
            out.append(new(Counted, (e, "elective", r[0], True) if g is None else (e, "elective", g, False)))
        else:
            g = r[0]
            first = seen.get(e.credential)
            extra = first.extra if first is not None else taken[g] >= caps[g]
            if first is None:
                taken[g] += 1
            c = new(Counted, (e, "elective", g, extra))
            seen.setdefault(e.credential, c)
            out.append(c)
    return tuple(out)


_earned_on = attrgetter("earned_on")
_new = tuple.__new__


def _gaps(roles: Roles, f: Fill) -> tuple[GroupGap, ...]:
    new = tuple.__new__
    return tuple([new(GroupGap, (g, cap, n)) for g, (cap, n) in enumerate(zip(roles.caps, f.filled))])


def _in_progress(roles: Roles, eligible: list, as_of: date, whole: Fill | None = None) -> PathwayResult:
    card = roles.card
    years = card.window_years
    if years is None:
        opens, window = None, eligible
        f = whole if whole is not None else fill(roles, window)
    else:
        opens = roles.opens_after(as_of) + ONE_DAY
        window = eligible[bisect_left(eligible, opens, key=_earned_on):]  # in date order
        f = whole if whole is not None and len(window) == len(eligible) else fill(roles, window)
    missing = f.missing_total(roles)
    missing_core = f.missing_core(roles)
    gaps = _gaps(roles, f)
    by, falls_out = None, ()
    if years is not None and window:
        by, falls_out = _deadline(roles, window, missing)
    forecast = _new(Forecast, (missing, by, missing_core, tuple([g for g in gaps if g[2] < g[1]]), falls_out, None))
    # positional, in PathwayResult's field order: a standing makes one per card
    return _new(PathwayResult, (
        card, as_of, IN_PROGRESS, None, tuple(window), f, roles, missing_core, gaps, missing, opens,
        (), None, None, None, forecast,
    ))


def _deadline(roles: Roles, window: list, missing: int) -> tuple[date | None, tuple[str, ...]]:
    """The last day on which earning what is missing still completes the card: the day
    before the first credential whose leaving the window would leave more to earn.

    Entries leave in groups by their last day in the window, not by their earned_on:
    across 29 February two earned_on days can leave together (with a 1-year window the
    entries of 2020-02-29 and 2020-03-01 both leave after 2021-02-28). The window's
    counts are kept as entries leave; only groups that overlap need a fresh filling."""
    kinds, caps, need, ncore = roles._kind, roles.caps, roles.need, len(roles.core)
    last_day = roles.last_day
    n = len(window)
    codes = [e.credential for e in window]
    ends = [last_day(e.earned_on) for e in window]
    held: dict[str, int] = {}
    for c in codes:
        held[c] = held.get(c, 0) + 1
    avail = [0] * len(caps)
    core_have = 0
    overlapping = False
    for c in held:
        k = kinds[c]
        if k == CORE:
            core_have += 1
        elif k == MULTI:
            overlapping = True
        else:
            avail[k] += 1
    distinct = len(held)
    i = 0
    while i < n:
        last = ends[i]
        j = i
        while j < n and ends[j] == last:
            c = codes[j]
            j += 1
            h = held[c] - 1
            held[c] = h
            if h:
                continue
            distinct -= 1
            k = kinds[c]
            if k == CORE:
                core_have -= 1
            elif k != MULTI:
                avail[k] -= 1
        if overlapping:
            now = fill(roles, window[j:]).missing_total(roles)
        else:
            gaps = sum(c - a for a, c in zip(avail, caps) if a < c)
            now = max(need - distinct, ncore - core_have + gaps)
        if now > missing:
            return last, tuple(dict.fromkeys(e.credential for e in window[i:j]))
        i = j
    return None, ()


def _awarded(roles: Roles, award, mcs: list, as_of: date) -> PathwayResult:
    card = roles.card
    periods: list[PeriodResult] = []
    if card.maintenance:
        # every micro-credential from the award day on that was not counted toward it
        counted_ids = {e.id for e in award.window}
        first = bisect_left(mcs, award.on, key=_earned_on)
        later = [e for e in mcs[first:] if e.id not in counted_ids]
    status, current, lapsed_on, permanent_on, forecast = ACTIVE, None, None, None, None
    start = award.on
    for number, period in enumerate(card.maintenance, 1):
        end = add_years(start, period.years) - ONE_DAY
        if status != ACTIVE or current is not None:
            periods.append(PeriodResult(number, start, end, period, (), UPCOMING))
        else:
            inside = tuple([
                e for e in later
                if start <= e.earned_on <= end and (period.open or period.admits(e.credential, e.tags))
            ])
            if as_of <= end:
                pr = PeriodResult(number, start, end, period, inside,
                                  MET if len(inside) >= period.required_count else OPEN)
                current = pr
                if pr.remaining:
                    forecast = Forecast(needed=pr.remaining, by=end, period=number)
            elif len(inside) < period.required_count:
                pr = PeriodResult(number, start, end, period, inside, FAILED)
                status, current, lapsed_on = LAPSED, pr, end + ONE_DAY
            else:
                pr = PeriodResult(number, start, end, period, inside, MET)
            periods.append(pr)
        start = end + ONE_DAY
    if status == ACTIVE and current is None:
        status, permanent_on = PERMANENT, start  # the day after the last period, or D
    return PathwayResult(
        card=card, as_of=as_of, status=status, awarded_on=award.on, window=award.window,
        filling=award.fill, roles=roles,
        missing_core=(), groups=_gaps(roles, award.fill), missing_total=0,
        window_opens=window_opens(award.on, card.window_years) if card.window_years else None,
        periods=tuple(periods), maintenance=current, lapsed_on=lapsed_on,
        permanent_on=permanent_on, forecast=forecast,
    )
