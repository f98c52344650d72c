"""What the planner makes before anything is written: a plan per educator with its planned
entries, the catalog it draws credentials from, and the random dates it draws them on."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

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
    hours: Decimal | None = None
    tags: tuple[str, ...] = ()
    external_id: str | None = None
    evidence_url: str | None = None
    void_reason: str | None = None


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
    licenses: list[tuple[str, date, date]] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


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
