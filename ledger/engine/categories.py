"""Areas of learning inside a renewal rule (CONTRACT.md section 2b, "Categories"): an
entry belongs to the first category (in rulebook order) one of whose tags it bears, and a
category counts its entries' units up to its `max_units` and its `max_fraction` of the
required units. The micro-credential cap applies first: past `max_microcredential_units`,
the latest-earned micro-credentials are cut (the one crossing the cap in part)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .facts import MICROCREDENTIAL, RenewalRule
from .units import ZERO, Valued


@dataclass(frozen=True, slots=True)
class CategoryProgress:
    name: str
    units: Decimal  # its entries' units, after the micro-credential cap
    cap: Decimal | None  # the lower of max_units and max_fraction of the required units
    counted: Decimal  # what it adds to the total

    @property
    def full(self) -> bool:
        return self.cap is not None and self.units >= self.cap


def tags_of(v: Valued) -> frozenset[str]:
    """The tags an entry bears for categories: a micro-credential bears its catalog
    credential's tags and `microcredential`; an activity its own tags."""
    if v.entry.kind == MICROCREDENTIAL:
        return v.entry.tags | {MICROCREDENTIAL}
    return v.entry.tags


def categorize(counted: Iterable[Valued], rule: RenewalRule) -> tuple[tuple[CategoryProgress, ...], Decimal]:
    """(each category's figures in rulebook order, the units of entries in no category),
    for entries in (earned_on, id) order."""
    cap = rule.max_microcredential_units
    left = cap
    units = [ZERO] * len(rule.categories)
    other = ZERO
    for v in counted:
        u = v.units
        if cap is not None and v.entry.kind == MICROCREDENTIAL:
            u = min(u, left)
            left -= u
        tags = tags_of(v)
        for i, category in enumerate(rule.categories):
            if category.tags & tags:
                units[i] += u
                break
        else:
            other += u
    out = []
    for category, total in zip(rule.categories, units):
        limit = category.cap(rule.required_units)
        out.append(CategoryProgress(category.name, total, limit, total if limit is None else min(total, limit)))
    return tuple(out), other


MC_CAP = "the micro-credential cap"


def entry_shares(counted: Iterable[Valued], rule: RenewalRule) -> dict[int, tuple[Decimal, str | None]]:
    """For each counted entry (in (earned_on, id) order), the units it adds to the total
    and, when a cap cut it, which: the micro-credential cap cuts the latest-earned first,
    then each category's cap the latest-earned of its entries. Their sum is the cycle's
    own units, so a page or a transcript listing entries reconciles with the renewal."""
    cap = rule.max_microcredential_units
    left = cap
    room = [c.cap(rule.required_units) for c in rule.categories]
    out: dict[int, tuple[Decimal, str | None]] = {}
    for v in counted:
        u, why = v.units, None
        if cap is not None and v.entry.kind == MICROCREDENTIAL:
            kept = min(u, left)
            left -= kept
            if kept < u:
                u, why = kept, MC_CAP
        if rule.categories:
            tags = tags_of(v)
            for i, category in enumerate(rule.categories):
                if category.tags & tags:
                    if room[i] is not None:
                        kept = min(u, room[i])
                        room[i] -= kept
                        if kept < u:
                            u, why = kept, f"the cap of the {category.name} area"
                    break
        out[v.entry.id] = (u, why)
    return out


def cycle_shares(cycles: Iterable) -> dict[int, tuple[Decimal, str | None]]:
    """`entry_shares` over several judged cycles (RenewalProgress), keyed by entry: an
    entry counted in two cycles (two licenses) keeps the first cycle's share."""
    out: dict[int, tuple[Decimal, str | None]] = {}
    for p in cycles:
        for entry_id, share in entry_shares(p.counted, p.rule).items():
            out.setdefault(entry_id, share)
    return out
