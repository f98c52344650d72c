"""Plain, immutable facts the standing engine reads.

The database layer loads these in bulk; the engine never touches Flask, SQLAlchemy or
the clock. Units are `Decimal` so that 7.5 hours or 0.5 credits add up exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from pathways import DistrictRules, RoleCard

MICROCREDENTIAL = "microcredential"
ACTIVITY = "activity"


class Entry(NamedTuple):
    """One active (not voided) ledger entry.

    A micro-credential entry carries its catalog credential's code, issuer and tags; an
    activity entry carries its own hours and tags. A named tuple: as immutable as a frozen
    dataclass and four times cheaper to make, which a state's report does millions of times.
    """

    id: int
    kind: str
    earned_on: date
    credential: str | None = None
    issuer: str | None = None
    tags: frozenset[str] = frozenset()
    hours: Decimal | None = None  # an activity's amount, in `measure`
    title: str | None = None
    measure: str | None = None  # None: clock hours
    review: str | None = None  # a micro-credential not approved: not_reviewed or rejected (it counts for nothing)


@dataclass(frozen=True, slots=True)
class Rate:
    """An exchange rate: what one micro-credential is worth while it is in force."""

    units: Decimal
    effective_from: date
    effective_to: date | None = None
    issuer: str | None = None
    credential: str | None = None
    cite: str = ""

    @property
    def rank(self) -> int:
        """Specificity: a credential rate beats an issuer rate beats a general one."""
        if self.credential is not None:
            return 2
        if self.issuer is not None:
            return 1
        return 0

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True, slots=True)
class Conversion:
    """What one of a measure (a CEU, a semester hour) is worth while in force (CONTRACT.md
    section 2b, "Activity units")."""

    measure: str
    units: Decimal
    effective_from: date
    effective_to: date | None = None
    cite: str = ""

    def in_force(self, on: date) -> bool:
        return self.effective_from <= on and (self.effective_to is None or on <= self.effective_to)


@dataclass(frozen=True, slots=True)
class Minimum:
    """Units (uncapped) from entries bearing `tag`, or with `count` a number of them."""

    tag: str
    units: Decimal | None = None
    count: int | None = None


@dataclass(frozen=True, slots=True)
class Category:
    """An area of learning of a renewal rule (CONTRACT.md section 2b, "Categories"):
    entries bearing one of its tags, counted up to `max_units` and to `max_fraction` of
    the rule's required units."""

    name: str
    tags: frozenset[str]
    max_units: Decimal | None = None
    max_fraction: Decimal | None = None

    def cap(self, required: Decimal) -> Decimal | None:
        caps = [c for c in (self.max_units, None if self.max_fraction is None else self.max_fraction * required)
                if c is not None]
        return min(caps) if caps else None


@dataclass(frozen=True, slots=True)
class RenewalRule:
    """A state's rule for renewing one license type, for the cycles whose end (as first
    recorded) falls in `cycles_ending_from..cycles_ending_to` (both inclusive; a missing
    bound is open). `grace_days`: entries earned this many days after `cycle_end` still
    count toward the cycle (CONTRACT.md section 2b, "Grace"). `cycle_years`: the next
    cycle's length when a license is renewed (`cycles.next_cycle`)."""

    license: str
    required_units: Decimal
    max_microcredential_units: Decimal | None = None
    minimums: tuple[Minimum, ...] = ()
    cite: str = ""
    cycles_ending_from: date | None = None
    cycles_ending_to: date | None = None
    cycle_years: int | None = None
    grace_days: int = 0
    carry_over_max_units: Decimal | None = None  # units beyond the requirement that move to the next cycle
    annual_units: Decimal | None = None  # each school year wholly inside the cycle needs this many
    year_starts: tuple[int, int] = (7, 1)  # (month, day) a school year starts
    categories: tuple[Category, ...] = ()  # areas of learning with their caps, in order
    min_categories: int | None = None  # categories that must each count some units
    satisfied_by: frozenset[str] = frozenset()  # credentials that complete a cycle on their own
    # (credential, valid_years): holding one current on the cycle's end completes it, earned
    # before the cycle or in it (a National Board certificate valid for some years)
    held_current: tuple[tuple[str, int], ...] = ()
    units_per_other_license: Decimal | None = None  # added for each other license type held (MA)
    highest_of_held: bool = False  # holding several: the highest requirement among them (TX)
    exclusive_minimums: bool = False  # a unit counts toward one minimum only (engine.minimums)

    def judges(self, cycle_end: date) -> bool:
        return ((self.cycles_ending_from is None or self.cycles_ending_from <= cycle_end)
                and (self.cycles_ending_to is None or cycle_end <= self.cycles_ending_to))


@dataclass(frozen=True, slots=True)
class Renewed:
    """What a renewal froze of the cycle it closed (CONTRACT.md section 6): its status,
    what it had earned, the entries that counted and what it carried to the next cycle,
    as judged on `renewed_on`. From that day on the cycle is never judged again."""

    renewed_on: date
    status: str | None
    earned_units: Decimal | None = None
    counted: frozenset[int] = frozenset()
    carry_out_units: Decimal | None = None  # None: not kept (older renewals): computed
    rulebook_version: int | None = None


@dataclass(frozen=True, slots=True)
class License:
    """One cycle of a license (its `id` is the cycle's row)."""

    id: int
    type: str
    cycle_start: date
    cycle_end: date
    original_cycle_end: date | None = None  # before any extension: what picks the rule
    renewed: Renewed | None = None  # what its renewal froze, if it was renewed

    @property
    def judged_by_end(self) -> date:
        """The end that picks the cycle's rule: as first recorded (an extension moves
        everything else)."""
        return self.original_cycle_end or self.cycle_end


@dataclass(frozen=True, slots=True)
class Rulebook:
    """One version of one state's rulebook, as the engine needs it."""

    state: str
    version: int
    name: str
    unit: str
    units_per_clock_hour: Decimal
    rates: tuple[Rate, ...] = ()
    renewal: tuple[RenewalRule, ...] = ()
    cite: str = ""
    conversions: tuple[Conversion, ...] = ()       # activity units by measure
    pathways: tuple[RoleCard, ...] = ()            # the state's own role cards
    districts: tuple[DistrictRules, ...] = ()
    document: dict = field(default_factory=dict, compare=False, hash=False)

    def district(self, code: str | None) -> DistrictRules | None:
        for d in self.districts:
            if d.code == code:
                return d
        return None

    def renewal_rule(self, license_type: str, cycle_end: date | None = None) -> RenewalRule | None:
        """The rule that judges a cycle of this type ending on `cycle_end` (its end as
        first recorded); without `cycle_end`, whether the type has a rule at all (the
        first). None: no rule's range holds it, and the cycle is left out."""
        for rule in self.renewal:
            if rule.license == license_type and (cycle_end is None or rule.judges(cycle_end)):
                return rule
        return None

    def rule_for(self, license: License) -> RenewalRule | None:
        return self.renewal_rule(license.type, license.judged_by_end)
