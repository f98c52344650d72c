"""Minimums of a renewal rule (CONTRACT.md section 2b, "Minimums"): units (uncapped) or a
number of entries bearing a tag; with `exclusive_minimums`, an allocation in which each
unit of an entry counts toward at most one minimum (an entry's units may be split; an entry
counted toward a `count` minimum is spent whole).

The allocation is a flow from entries to the minimums whose tags they bear. Every minimum
is met only if one allocation meets them all; otherwise the figures come from an allocation
meeting as many as possible (earlier minimums first among equals). The flow is a small
augmenting-path search written here rather than a graph library's, because after the
minimums to be met are saturated it must go on augmenting toward the others from that same
allocation, which the libraries' one-shot max-flow calls do not offer; units stay exact
Decimals throughout.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import combinations
from typing import NamedTuple

from .facts import Minimum
from .units import ZERO, Valued

SEARCH_BUDGET = 2000  # allocations tried for count minimums before settling for the best found


class Fed(NamedTuple):
    """Units of one entry allocated to one minimum (exclusive minimums)."""

    entry_id: int
    units: Decimal


@dataclass(frozen=True, slots=True)
class MinimumProgress:
    tag: str
    required_units: Decimal | None
    earned_units: Decimal | None
    required_count: int | None = None
    earned_count: int | None = None
    fed: tuple[Fed, ...] = ()  # with exclusive minimums: the entries feeding it

    @property
    def met(self) -> bool:
        if self.required_count is not None:
            return (self.earned_count or 0) >= self.required_count
        return (self.earned_units or ZERO) >= (self.required_units or ZERO)

    @property
    def remaining_units(self) -> Decimal:
        if self.required_units is None:
            return ZERO
        return max(ZERO, self.required_units - (self.earned_units or ZERO))


def shared(counted: Sequence[Valued], minimums: Sequence[Minimum]) -> tuple[MinimumProgress, ...]:
    """Without `exclusive_minimums`: each minimum counts every entry bearing its tag."""
    out = []
    for m in minimums:
        mine = [v for v in counted if m.tag in v.entry.tags]
        if m.count is not None:
            out.append(MinimumProgress(m.tag, None, None, m.count, len(mine)))
        else:
            out.append(MinimumProgress(m.tag, m.units, sum((v.units for v in mine), ZERO)))
    return tuple(out)


def exclusive(counted: Sequence[Valued], minimums: Sequence[Minimum]) -> tuple[MinimumProgress, ...]:
    """With `exclusive_minimums`: the figures of an allocation meeting as many minimums as
    possible (all of them when one allocation can)."""
    entries = [v for v in counted if any(m.tag in v.entry.tags for m in minimums)]
    budget = [SEARCH_BUDGET]
    for size in range(len(minimums), -1, -1):
        for chosen in combinations(range(len(minimums)), size):
            found = _feasible(entries, minimums, set(chosen), budget)
            if found is not None:
                return found
    raise AssertionError("the empty set of minimums is always met")  # pragma: no cover


def _feasible(entries, minimums, chosen: set[int], budget: list[int]) -> tuple[MinimumProgress, ...] | None:
    """An allocation meeting every minimum in `chosen` (indexes), with the others fed from
    what is left, or None."""
    counts = [i for i in sorted(chosen) if minimums[i].count is not None]
    unit_tags = {minimums[i].tag for i in chosen if minimums[i].count is None}
    for picks in _picks(entries, minimums, counts, unit_tags, budget):
        spent = {id(v) for vs in picks.values() for v in vs}
        rest = [v for v in entries if id(v) not in spent]
        flow = _Flow(rest, minimums)
        must = [i for i in sorted(chosen) if minimums[i].count is None]
        flow.run(must)
        if any(flow.into[i] < minimums[i].units for i in must):
            continue
        flow.run([i for i in range(len(minimums)) if i not in chosen and minimums[i].count is None])
        return _figures(minimums, flow, picks, rest)
    return None


def _picks(entries, minimums, counts: list[int], unit_tags: set[str], budget: list[int]):
    """Ways to give each chosen count minimum its entries, whole and distinct: entries
    bearing no tag a chosen unit minimum needs first, then the smallest."""
    def order(v):
        return (bool(unit_tags & v.entry.tags), v.units, v.entry.earned_on, v.entry.id)

    def go(k: int, taken: set[int], acc: dict[int, list]):
        if k == len(counts):
            budget[0] -= 1
            yield dict(acc)
            return
        i = counts[k]
        candidates = sorted((v for v in entries if minimums[i].tag in v.entry.tags and id(v) not in taken), key=order)
        for combo in combinations(candidates, minimums[i].count):
            if budget[0] <= 0:
                return
            acc[i] = list(combo)
            yield from go(k + 1, taken | {id(v) for v in combo}, acc)
            del acc[i]

    yield from go(0, set(), {})


class _Flow:
    """Source -> entry (its units) -> minimum (bearing its tag) -> sink (the minimum's
    units), augmented along shortest paths, one group of minimums at a time."""

    def __init__(self, entries: list[Valued], minimums: Sequence[Minimum]):
        self.entries, self.minimums = entries, minimums
        self.left = [v.units for v in entries]  # source -> entry, residual
        self.on: dict[tuple[int, int], Decimal] = {}  # (entry, minimum) -> units flowing
        self.into = [ZERO] * len(minimums)
        self.feeders: list[set[int]] = [set() for _ in minimums]
        self.bears = [[j for j, m in enumerate(minimums) if m.count is None and m.tag in v.entry.tags]
                      for v in entries]

    def run(self, targets: list[int]) -> None:
        """Augment toward these minimums until none can take more."""
        wanted = set(targets)
        while (path := self._path(wanted)) is not None:
            start, steps, end = path
            amount = min([self.left[start], self.minimums[end].units - self.into[end]]
                         + [self.on[(e, j)] for e, j, sign in steps if sign < 0])
            self.left[start] -= amount
            for e, j, sign in steps:
                self.on[(e, j)] = self.on.get((e, j), ZERO) + sign * amount
                (self.feeders[j].add if self.on[(e, j)] > 0 else self.feeders[j].discard)(e)
            self.into[end] += amount

    def _path(self, targets: set[int]):
        """A shortest augmenting path: (its first entry, its steps (entry, minimum, +1 for
        more flow or -1 for less), the target minimum it fills), or None."""
        came_e: dict[int, int | None] = {e: None for e, units in enumerate(self.left) if units > 0}
        came_j: dict[int, int] = {}
        queue = deque(came_e)
        while queue:
            e = queue.popleft()
            for j in self.bears[e]:
                if j in came_j:
                    continue
                came_j[j] = e
                if j in targets and self.into[j] < self.minimums[j].units:
                    return self._unwind(came_e, came_j, j)
                for other in self.feeders[j]:  # move an entry feeding j elsewhere
                    if other not in came_e:
                        came_e[other] = j
                        queue.append(other)
        return None

    @staticmethod
    def _unwind(came_e, came_j, end: int):
        steps, j = [], end
        while True:
            e = came_j[j]
            steps.append((e, j, 1))
            previous = came_e[e]
            if previous is None:
                return e, steps[::-1], end
            steps.append((e, previous, -1))
            j = previous


def _figures(minimums, flow: _Flow, picks: dict[int, list], rest: list[Valued]) -> tuple[MinimumProgress, ...]:
    spent = {id(v) for vs in picks.values() for v in vs}
    fed_units = {e for (e, _), units in flow.on.items() if units > 0}
    out = []
    for i, m in enumerate(minimums):
        if m.count is not None:
            mine = picks.get(i)
            if mine is None:  # not chosen: what is left whole, bearing its tag
                mine = [v for k, v in enumerate(rest) if k not in fed_units and m.tag in v.entry.tags
                        and id(v) not in spent][:m.count]
            out.append(MinimumProgress(m.tag, None, None, m.count, len(mine),
                                       tuple(Fed(v.entry.id, v.units) for v in mine)))
        else:
            fed = tuple(Fed(flow.entries[e].entry.id, units) for (e, j), units in sorted(flow.on.items())
                        if j == i and units > 0)
            out.append(MinimumProgress(m.tag, m.units, flow.into[i], fed=fed))
    return tuple(out)
