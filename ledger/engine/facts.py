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
    hours: Decimal | None = None
    title: str | None = None


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
class Minimum:
    tag: str
    units: Decimal


@dataclass(frozen=True, slots=True)
class RenewalRule:
    license: str
    required_units: Decimal
    max_microcredential_units: Decimal | None = None
    minimums: tuple[Minimum, ...] = ()
    cite: str = ""


@dataclass(frozen=True, slots=True)
class License:
    id: int
    type: str
    cycle_start: date
    cycle_end: date


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
    pathways: tuple[RoleCard, ...] = ()            # the state's own role cards
    districts: tuple[DistrictRules, ...] = ()
    document: dict = field(default_factory=dict, compare=False, hash=False)

    def district(self, code: str | None) -> DistrictRules | None:
        for d in self.districts:
            if d.code == code:
                return d
        return None

    def renewal_rule(self, license_type: str) -> RenewalRule | None:
        for rule in self.renewal:
            if rule.license == license_type:
                return rule
        return None
