"""A role card read against one educator's entries on one day: the award, what was
counted for which group, what is missing, the maintenance periods, the status, and what
to do next (the forecast)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from .award import CORE, Fill, Roles, fill, find_award
from .dates import ONE_DAY, add_years, last_day_in_window, window_opens
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


@dataclass(frozen=True, slots=True)
class PeriodResult:
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


@dataclass(frozen=True, slots=True)
class Forecast:
    """What keeps the pathway moving: `needed` more micro-credentials (of them the core
    ones in `core` and per group in `groups`) by `by` (None when nothing presses), and
    the credentials that leave the window the day after (`falls_out`)."""

    needed: int
    by: date | None
    core: tuple[str, ...] = ()
    groups: tuple[GroupGap, ...] = ()
    falls_out: tuple[str, ...] = ()
    period: int | None = None


@dataclass(frozen=True, slots=True)
class PathwayResult:
    card: RoleCard
    as_of: date
    status: str
    awarded_on: date | None
    counted: tuple[Counted, ...]
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
    def required_count(self) -> int:
        return self.card.count_needed


class PathwayEvaluator:
    """Evaluates role cards for many educators: each card's credential roles are
    memoised across them."""

    __slots__ = ("_roles",)

    def __init__(self, cards: Iterable[RoleCard] = ()):
        self._roles: dict[RoleCard, Roles] = {c: Roles(c) for c in cards}

    def roles(self, card: RoleCard) -> Roles:
        try:
            return self._roles[card]
        except KeyError:
            r = self._roles[card] = Roles(card)
            return r

    def evaluate(self, card: RoleCard, entries: Sequence, as_of: date) -> PathwayResult:
        """`entries`: the educator's active entries in (earned_on, id) order."""
        roles = self.roles(card)
        mcs = [e for e in entries if e.credential is not None and e.earned_on <= as_of]
        eligible = [e for e in mcs if roles.of(e)]
        award = find_award(roles, eligible)
        if award is None:
            return _in_progress(roles, eligible, as_of)
        return _awarded(roles, award, mcs, as_of)


def evaluate(card: RoleCard, entries: Iterable, as_of: date) -> PathwayResult:
    """One card, one educator; entries in any order."""
    ordered = sorted(entries, key=lambda e: (e.earned_on, e.id))
    return PathwayEvaluator((card,)).evaluate(card, ordered, as_of)


def _counted(roles: Roles, window: Sequence, f: Fill) -> tuple[Counted, ...]:
    out = []
    for e in window:
        r = roles.of(e)
        if r[0] == CORE:
            out.append(Counted(e, "core", None))
        elif e.credential in f.groups:
            out.append(Counted(e, "elective", f.groups[e.credential]))
        else:
            out.append(Counted(e, "elective", r[0], True))
    return tuple(out)


def _gaps(roles: Roles, f: Fill) -> tuple[GroupGap, ...]:
    return tuple(GroupGap(g, cap, n) for g, (cap, n) in enumerate(zip(roles.caps, f.filled)))


def _in_progress(roles: Roles, eligible: list, as_of: date) -> PathwayResult:
    card = roles.card
    years = card.window_years
    opens = window_opens(as_of, years) if years is not None else None
    window = [e for e in eligible if opens is None or e.earned_on >= opens]
    f = fill(roles, window)
    missing = f.missing_total(roles)
    missing_core = f.missing_core(roles)
    gaps = _gaps(roles, f)
    by, falls_out = None, ()
    if years is not None and window:
        by, falls_out = _deadline(roles, window, missing)
    forecast = Forecast(
        needed=missing, by=by, core=missing_core,
        groups=tuple(g for g in gaps if g.missing), falls_out=falls_out,
    )
    return PathwayResult(
        card=card, as_of=as_of, status=IN_PROGRESS, awarded_on=None,
        counted=_counted(roles, window, f), missing_core=missing_core, groups=gaps,
        missing_total=missing, window_opens=opens, periods=(), maintenance=None,
        lapsed_on=None, permanent_on=None, forecast=forecast,
    )


def _deadline(roles: Roles, window: list, missing: int) -> tuple[date | None, tuple[str, ...]]:
    """The last day on which earning what is missing still completes the card: the day
    before the first credential whose leaving the window would leave more to earn."""
    years = roles.card.window_years
    i, n = 0, len(window)
    while i < n:
        day = window[i].earned_on
        j = i
        while j < n and window[j].earned_on == day:
            j += 1
        if fill(roles, window[j:]).missing_total(roles) > missing:
            return last_day_in_window(day, years), tuple(e.credential for e in window[i:j])
        i = j
    return None, ()


def _awarded(roles: Roles, award, mcs: list, as_of: date) -> PathwayResult:
    card = roles.card
    counted = _counted(roles, award.window, award.fill)
    counted_ids = {e.id for e in award.window}
    periods: list[PeriodResult] = []
    status, current, lapsed_on, permanent_on, forecast = ACTIVE, None, None, None, None
    start = award.on
    for number, period in enumerate(card.maintenance, 1):
        end = add_years(start, period.years) - ONE_DAY
        if status != ACTIVE or current is not None:
            periods.append(PeriodResult(number, start, end, period, (), UPCOMING))
        else:
            inside = tuple(
                e for e in mcs
                if start <= e.earned_on <= end and e.id not in counted_ids
                and period.admits(e.credential, e.tags)
            )
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
        card=card, as_of=as_of, status=status, awarded_on=award.on, counted=counted,
        missing_core=(), groups=_gaps(roles, award.fill), missing_total=0,
        window_opens=window_opens(award.on, card.window_years) if card.window_years else None,
        periods=tuple(periods), maintenance=current, lapsed_on=lapsed_on,
        permanent_on=permanent_on, forecast=forecast,
    )
