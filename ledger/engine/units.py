"""What one entry is worth in a state's renewal units (CONTRACT.md section 2, "Units of an
entry")."""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from .facts import ACTIVITY, Conversion, Entry, Rate, Rulebook

ZERO = Decimal(0)
NO_RATE = "no_rate"
NO_CONVERSION = "no_conversion"
NOT_REVIEWED = "not_reviewed"  # a badge imported into the catalog, not yet approved (CONTRACT.md section 3)
REJECTED = "rejected"
CLOCK_HOUR = "clock_hour"
# Why an entry is worth nothing, in words a teacher reads (the codes are the API's)
REASON_TEXT = {
    NO_RATE: "no exchange rate in force on that day",
    NO_CONVERSION: "no conversion for its measure",
    NOT_REVIEWED: "awaiting the state office's review of this badge",
    REJECTED: "the state office's review rejected this badge",
}


class Valued(NamedTuple):
    """An entry with its units and the rule that produced them (`reason` says why 0)."""

    entry: Entry
    units: Decimal
    rule: str | None
    reason: str | None = None


class RateTable:
    """The exchange rates of one rulebook, indexed for matching.

    A micro-credential takes the rate in force on its `earned_on` that matches it most
    specifically (credential, then issuer, then a general rate); among equals the latest
    `effective_from`. A rate naming a credential and an issuer must match both.
    Matching is memoised per (credential, issuer) as a timeline of the days the answer may
    change: a state's worth of entries shares few such keys.
    """

    __slots__ = ("_by_credential", "_by_issuer", "_general", "_memo")

    def __init__(self, rates: tuple[Rate, ...] | list[Rate]):
        self._by_credential: dict[str, list[Rate]] = {}
        self._by_issuer: dict[str, list[Rate]] = {}
        self._general: list[Rate] = []
        for rate in rates:
            if rate.credential is not None:
                self._by_credential.setdefault(rate.credential, []).append(rate)
            elif rate.issuer is not None:
                self._by_issuer.setdefault(rate.issuer, []).append(rate)
            else:
                self._general.append(rate)
        newest_first = lambda r: r.effective_from  # noqa: E731
        for group in (*self._by_credential.values(), *self._by_issuer.values(), self._general):
            group.sort(key=newest_first, reverse=True)
        self._memo: dict[tuple, tuple[list[date], list[Rate | None]]] = {}

    def match(self, credential: str | None, issuer: str | None, on: date) -> Rate | None:
        key = (credential, issuer)
        timeline = self._memo.get(key)
        if timeline is None:
            timeline = self._memo[key] = self._timeline(credential, issuer)
        days, rates = timeline
        i = bisect_right(days, on) - 1
        return rates[i] if i >= 0 else None

    def _timeline(self, credential: str | None, issuer: str | None) -> tuple[list[date], list[Rate | None]]:
        """The rate this (credential, issuer) takes from each day on where it may change:
        a piecewise-constant answer, found by bisection, so a state's entries spread over
        many years cost one search each rather than one scan per distinct day."""
        candidates = [*self._by_credential.get(credential, ()), *self._by_issuer.get(issuer, ()),  # type: ignore[arg-type]
                      *self._general]
        days = sorted({r.effective_from for r in candidates}
                      | {r.effective_to + timedelta(days=1) for r in candidates if r.effective_to is not None})
        return days, [self._scan(credential, issuer, day) for day in days]

    def _scan(self, credential: str | None, issuer: str | None, on: date) -> Rate | None:
        for rate in self._by_credential.get(credential, ()):  # type: ignore[arg-type]
            if (rate.issuer is None or rate.issuer == issuer) and rate.in_force(on):
                return rate
        for rate in self._by_issuer.get(issuer, ()):  # type: ignore[arg-type]
            if rate.in_force(on):
                return rate
        for rate in self._general:
            if rate.in_force(on):
                return rate
        return None


class Conversions:
    """A rulebook's conversions by measure: for an amount earned on a day, the conversion
    of its measure in force then (`effective_to` inclusive), the latest `effective_from`
    among several. Memoised per (measure, day)."""

    __slots__ = ("_by_measure", "_memo")

    def __init__(self, conversions: tuple[Conversion, ...] | list[Conversion]):
        self._by_measure: dict[str, list[Conversion]] = {}
        for c in conversions:
            self._by_measure.setdefault(c.measure, []).append(c)
        for group in self._by_measure.values():
            group.sort(key=lambda c: c.effective_from, reverse=True)
        self._memo: dict[tuple[str, date], Conversion | None] = {}

    def match(self, measure: str, on: date) -> Conversion | None:
        key = (measure, on)
        if key not in self._memo:
            self._memo[key] = next((c for c in self._by_measure.get(measure, ()) if c.in_force(on)), None)
        return self._memo[key]


class Valuer:
    """Values entries under one rulebook."""

    __slots__ = ("rulebook", "rates", "conversions", "_activity_rule")

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        self.rates = RateTable(rulebook.rates)
        self.conversions = Conversions(rulebook.conversions)
        self._activity_rule = (
            f"{rulebook.units_per_clock_hour} {rulebook.unit} per clock hour"
            + (f" ({rulebook.cite})" if rulebook.cite else "")
        )

    def value(self, entry: Entry) -> Valued:
        if entry.kind == ACTIVITY:
            amount = entry.hours if entry.hours is not None else ZERO
            measure = entry.measure or CLOCK_HOUR
            conversion = self.conversions.match(measure, entry.earned_on) if self.rulebook.conversions else None
            if conversion is not None:
                return Valued(entry, amount * conversion.units,
                              conversion.cite or f"{conversion.units} {self.rulebook.unit} per {measure}")
            if measure == CLOCK_HOUR:
                return Valued(entry, amount * self.rulebook.units_per_clock_hour, self._activity_rule)
            return Valued(entry, ZERO, None, NO_CONVERSION)
        if entry.review is not None:  # not approved: no units under any rate, before no_rate
            return Valued(entry, ZERO, None, entry.review)
        rate = self.rates.match(entry.credential, entry.issuer, entry.earned_on)
        if rate is None:
            return Valued(entry, ZERO, None, NO_RATE)
        return Valued(entry, rate.units, rate.cite)
