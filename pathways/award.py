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

from .dates import add_years
from .model import RoleCard

CORE = -1  # the role of a core credential; elective groups are numbered from 0


class Roles:
    """What each credential can be on one role card: core, eligible for some elective
    groups, or nothing. Memoised by credential code (a credential's tags are its
    catalog's, the same for every educator)."""

    __slots__ = ("card", "core", "caps", "need", "_memo")

    def __init__(self, card: RoleCard):
        self.card = card
        self.core = frozenset(card.core)
        self.caps = tuple(g.choose for g in card.electives)
        self.need = card.count_needed
        self._memo: dict[str, tuple[int, ...]] = {}

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
    groups: dict[str, int]               # credential -> the group it fills
    filled: tuple[int, ...]              # per group, how many it holds (at most choose)
    distinct: int                        # distinct eligible credentials in the window

    def missing_core(self, roles: Roles) -> tuple[str, ...]:
        return tuple(c for c in roles.card.core if c not in self.core)

    def missing_total(self, roles: Roles) -> int:
        gaps = sum(cap - n for cap, n in zip(roles.caps, self.filled))
        return max(roles.need - self.distinct, len(roles.core) - len(self.core) + gaps)


def fill(roles: Roles, entries: Sequence) -> Fill:
    """Fill the card from `entries` (eligible, in date order): the most group places
    that can be filled, earliest credentials first."""
    core: set[str] = set()
    candidates: dict[str, tuple[int, ...]] = {}
    for e in entries:
        r = roles.of(e)
        if r == (CORE,):
            core.add(e.credential)
        elif r and e.credential not in candidates:
            candidates[e.credential] = r
    members: list[list[str]] = [[] for _ in roles.caps]
    placed: dict[str, int] = {}

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


def find_award(roles: Roles, entries: Sequence) -> Award | None:
    """`entries`: the educator's eligible micro-credential entries in date order."""
    card = roles.card
    years = card.window_years
    ncore, need, caps = len(roles.core), roles.need, roles.caps
    held: dict[str, int] = {}
    avail = [0] * len(caps)
    core_have = distinct = overlapping = 0
    left = 0
    n = len(entries)
    i = 0
    while i < n:
        day = entries[i].earned_on
        while i < n and entries[i].earned_on == day:  # every entry of this day joins
            e = entries[i]
            i += 1
            k = held.get(e.credential, 0)
            held[e.credential] = k + 1
            if k:
                continue
            distinct += 1
            r = roles.of(e)
            if r[0] == CORE:
                core_have += 1
            else:
                for g in r:
                    avail[g] += 1
                overlapping += len(r) > 1
        if years is not None:
            opens_after = add_years(day, -years)
            while entries[left].earned_on <= opens_after:  # left the window
                e = entries[left]
                left += 1
                k = held[e.credential] - 1
                held[e.credential] = k
                if k:
                    continue
                distinct -= 1
                r = roles.of(e)
                if r[0] == CORE:
                    core_have -= 1
                else:
                    for g in r:
                        avail[g] -= 1
                    overlapping -= len(r) > 1
        if core_have < ncore or distinct < need:
            continue
        if any(a < c for a, c in zip(avail, caps)):
            continue
        window = tuple(entries[left:i])
        f = fill(roles, window)
        if overlapping and any(n_ < c for n_, c in zip(f.filled, caps)):
            continue  # overlapping groups that cannot all be filled at once
        return Award(day, window, f)
    return None
