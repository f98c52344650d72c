"""What the planner makes before anything is written: a plan per educator with its planned
entries, the catalog it draws credentials from, and the random dates it draws them on."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from .. import engine

MICRO = engine.MICROCREDENTIAL
ACTIVITY = engine.ACTIVITY
DAY = timedelta(days=1)


def between(rng: random.Random, lo: date, hi: date) -> date:
    if hi <= lo:
        return lo
    return lo + timedelta(days=rng.randint(0, (hi - lo).days))


def spread(rng: random.Random, lo: date, hi: date, n: int) -> list[date]:
    return sorted(between(rng, lo, hi) for _ in range(n))


@dataclass
class Item:
    """A planned ledger entry."""

    kind: str
    earned_on: date
    credential: str | None = None
    title: str | None = None
    hours: Decimal | None = None  # an activity's amount, in `measure`
    tags: tuple[str, ...] = ()
    measure: str | None = None  # None: clock hours
    external_id: str | None = None
    evidence_url: str | None = None
    void_reason: str | None = None


class Cycle(NamedTuple):
    """A planned license cycle: `end` with any extension, `first_end` as first recorded
    (when extended; it picks the rule that judges the cycle)."""

    type: str
    start: date
    end: date
    first_end: date | None = None

    def fact(self, n: int) -> engine.License:
        return engine.License(n, self.type, self.start, self.end, self.first_end)


@dataclass
class Plan:
    index: int
    state: str
    license_number: str
    first_name: str
    last_name: str
    email: str
    district: str | None
    goal: str
    script: str | None = None
    licenses: list[Cycle] = field(default_factory=list)  # one license's cycles, in order
    items: list[Item] = field(default_factory=list)
    # What the state office did, replayed through the licenses service (records.py), by
    # the index of the cycle in `licenses`: renewed on a day (which opens the next
    # cycle), extended (to the cycle's `end`) or opened after a gap (reinstated), each
    # with its reason.
    renewed: dict[int, date] = field(default_factory=dict)
    extended: dict[int, str] = field(default_factory=dict)
    reinstated: dict[int, str] = field(default_factory=dict)


@dataclass
class Catalog:
    issuer: dict[str, str]  # credential -> issuer
    tags: dict[str, frozenset[str]]

    @classmethod
    def from_raw(cls, raw: dict) -> Catalog:
        creds = raw.get("credentials") or []
        return cls(
            issuer={c["code"]: c["issuer"] for c in creds},
            tags={c["code"]: frozenset(c.get("tags") or ()) for c in creds},
        )
