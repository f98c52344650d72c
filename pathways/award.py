"""When a role card is earned: the sliding-window award rule.

The award date is the earliest day D on which the micro-credentials earned in the window
ending at D (after D minus `window_years`, up to D; the whole history without a window)
hold every core credential, `choose` distinct credentials for each elective group, and
`required_count` distinct eligible credentials in all. A credential fills one role at
most: a core credential never fills a group, and one credential fills one group.

The window only gains credentials on the day one is earned, so D is always the date of
an entry: one pass over the entries in date order, with the window's counts kept up to
date as it slides, finds it. Filling groups whose lists overlap is a small bipartite
matching, run only on days when the plain counts already allow an award.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple

from .dates import add_years, last_day_in_window
from .model import RoleCard

CORE = -1  # the role of a core credential; elective groups are numbered from 0
MULTI = -2  # a credential that fits more than one group
NONE = -3  # a credential with no role on the card


class Roles:
    """What each credential can be on one role card: core, eligible for some elective
    groups, or nothing. Memoised by credential code (a credential's tags are its
    catalog's, the same for every educator)."""

    __slots__ = ("card", "core", "caps", "need", "_memo", "_kind", "_opens_after", "_last_day")

    def __init__(self, card: RoleCard):
        self.card = card
        self.core = frozenset(card.core)
        self.caps = tuple(g.choose for g in card.electives)
        self.need = card.count_needed
        self._memo: dict[str, tuple[int, ...]] = {}
        self._kind: dict[str, int] = {}  # CORE, a group's number, MULTI or NONE
        self._opens_after: dict[date, date] = {}
        self._last_day: dict[date, date] = {}

    def last_day(self, earned_on: date) -> date:
        """The last day whose window still holds `earned_on` (memoised)."""
        try:
            return self._last_day[earned_on]
        except KeyError:
            day = self._last_day[earned_on] = last_day_in_window(earned_on, self.card.window_years)
            return day

    def __eq__(self, other) -> bool:  # the memos are caches: two for one card are equal
        return isinstance(other, Roles) and other.card == self.card

    def __hash__(self) -> int:
        return hash(self.card.code)

    def opens_after(self, day: date) -> date:
        """The last day outside the window ending on `day` (memoised: a state's entries
        share few days)."""
        try:
            return self._opens_after[day]
        except KeyError:
            cut = self._opens_after[day] = add_years(day, -self.card.window_years)
            return cut

    def kind_of(self, entry) -> int:
        r = self.of(entry)
        k = self._kind[entry.credential] = NONE if not r else r[0] if len(r) == 1 else MULTI
        return k

    def of(self, entry) -> tuple[int, ...]:
        """(CORE,) for a core credential, the groups it can fill, or () if neither."""
        code = entry.credential
        try:
            return self._memo[code]
        except KeyError:
            pass
        if code in self.core:
            roles: tuple[int, ...] = (CORE,)
        else:
            roles = tuple(i for i, g in enumerate(self.card.electives) if g.admits(code, entry.tags))
        self._memo[code] = roles
        return roles


class Fill(NamedTuple):
    """How one window's credentials fill a role card."""

    core: frozenset[str]                 # core credentials held
    groups: dict[str, int] | None        # credential -> the group it fills; None: in date order
    filled: tuple[int, ...]              # per group, how many it holds (at most choose)
    distinct: int                        # distinct eligible credentials in the window

    def missing_core(self, roles: Roles) -> tuple[str, ...]:
        return tuple(c for c in roles.card.core if c not in self.core)

    def missing_total(self, roles: Roles) -> int:
        gaps = sum(cap - n for cap, n in zip(roles.caps, self.filled))
        return max(roles.need - self.distinct, len(roles.core) - len(self.core) + gaps)


def scan(roles: Roles, entries: Sequence) -> tuple[list, Fill]:
    """One pass over an educator's micro-credential entries (in date order): those with
    a role on the card, and how the whole history fills it."""
    kinds, kind_of, caps = roles._kind, roles.kind_of, roles.caps
    eligible: list = []
    append = eligible.append
    core: set[str] = set()
    candidates: set[str] = set()
    avail = [0] * len(caps)
    overlapping = False
    for e in entries:
        code = e.credential
        k = kinds.get(code)
        if k is None:
            k = kind_of(e)
        if k == NONE:
            continue
        append(e)
        if k == CORE:
            core.add(code)
        elif code not in candidates:
            candidates.add(code)
            if k == MULTI:
                overlapping = True
            else:
                avail[k] += 1
    if overlapping:
        return eligible, fill(roles, eligible)
    filled = tuple([a if a < c else c for a, c in zip(avail, caps)])
    return eligible, Fill(frozenset(core), None, filled, len(core) + len(candidates))


def fill(roles: Roles, entries: Sequence) -> Fill:
    """Fill the card from `entries` (eligible, in date order): the most group places
    that can be filled, earliest credentials first.

    When no credential fits two groups (the usual card), each group simply takes its
    credentials in date order and `groups` is None; otherwise a matching places them."""
    core: set[str] = set()
    candidates: dict[str, tuple[int, ...]] = {}
    memo = roles._memo
    caps = roles.caps
    avail = [0] * len(caps)
    overlapping = False
    for e in entries:
        code = e.credential
        r = memo.get(code)
        if r is None:
            r = roles.of(e)
        if not r:
            continue  # no role on this card
        if r[0] == CORE:
            core.add(code)
        elif code not in candidates:
            candidates[code] = r
            if len(r) > 1:
                overlapping = True
            else:
                avail[r[0]] += 1
    if not overlapping:
        filled = tuple([a if a < c else c for a, c in zip(avail, caps)])
        return Fill(frozenset(core), None, filled, len(core) + len(candidates))
    placed: dict[str, int] = {}
    members: list[list[str]] = [[] for _ in caps]

    def place(code: str, seen: set[int]) -> bool:
        # An augmenting path: put `code` in a group with room, or move one of a full
        # group's members to another group to make room.
        for g in candidates[code]:
            if g in seen:
                continue
            seen.add(g)
            if len(members[g]) < roles.caps[g]:
                members[g].append(code)
                placed[code] = g
                return True
            for other in members[g]:
                if place(other, seen):
                    members[g].remove(other)
                    members[g].append(code)
                    placed[code] = g
                    return True
        return False

    for code in candidates:
        place(code, set())
    return Fill(frozenset(core), placed, tuple(len(m) for m in members), len(core) + len(candidates))


class Award(NamedTuple):
    on: date
    window: tuple            # every eligible entry in the window at the award: all counted
    fill: Fill


def search(roles: Roles, entries: Sequence, whole: Fill) -> Award | None:  # noqa: C901 (the hot path, kept whole for speed)
    """The award, if any, from the eligible entries and the whole history's filling."""
    card = roles.card
    years = card.window_years
    ncore, need, caps = len(roles.core), roles.need, roles.caps
    # The window only loses credentials: if the whole history cannot fill the card, no
    # day can, and most educators in progress are answered here without sliding.
    if len(whole.core) < ncore or whole.distinct < need or whole.filled != caps:
        return None
    memo, kinds = roles._memo, roles._kind  # complete for these entries now
    n = len(entries)
    codes = [e.credential for e in entries]
    days = [e.earned_on for e in entries]
    ks = [kinds[c] for c in codes]
    # The ledger holds one active entry per credential, so usually each entry is its
    # own credential and the window needs no count per credential.
    held: dict[str, int] | None = None if whole.distinct == n else {}
    avail = [0] * len(caps)
    short = sum(1 for c in caps if c > 0)  # groups below their choice
    core_have = distinct = overlapping = 0
    left = i = 0
    while i < n:
        day = days[i]
        while i < n and days[i] == day:  # every entry of this day joins
            k = ks[i]
            if held is not None:
                h = held.get(codes[i], 0)
                held[codes[i]] = h + 1
                if h:
                    i += 1
                    continue
            i += 1
            distinct += 1
            if k == CORE:
                core_have += 1
            elif k == MULTI:
                for g in memo[codes[i - 1]]:
                    avail[g] += 1
                    if avail[g] == caps[g]:
                        short -= 1
                overlapping += 1
            else:
                avail[k] += 1
                if avail[k] == caps[k]:
                    short -= 1
        if years is not None:
            opens_after = roles.opens_after(day)
            while days[left] <= opens_after:  # left the window
                k = ks[left]
                if held is not None:
                    h = held[codes[left]] - 1
                    held[codes[left]] = h
                    if h:
                        left += 1
                        continue
                left += 1
                distinct -= 1
                if k == CORE:
                    core_have -= 1
                elif k == MULTI:
                    for g in memo[codes[left - 1]]:
                        if avail[g] == caps[g]:
                            short += 1
                        avail[g] -= 1
                    overlapping -= 1
                else:
                    if avail[k] == caps[k]:
                        short += 1
                    avail[k] -= 1
        if short or core_have < ncore or distinct < need:
            continue
        window = tuple(entries[left:i])
        if not overlapping:  # the counts are the filling
            return Award(day, window, Fill(roles.core, None, caps, distinct))
        f = fill(roles, window)
        if any(n_ < c for n_, c in zip(f.filled, caps)):
            continue  # overlapping groups that cannot all be filled at once
        return Award(day, window, f)
    return None
