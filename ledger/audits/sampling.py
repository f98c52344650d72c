"""Which renewed cycles an audit samples: pure, so the same candidates and the same seed
always give the same cases (TEA's random renewal audits, 19 TAC 232.16(d); Massachusetts'
603 CMR 44.09: renewal documentation "subject to audit").

The draw is `random.Random(seed).sample` over the candidate cycle ids sorted ascending:
Python documents `Random` with an integer seed as reproducible across versions for
`random()`, and `sample` is built on it. Nothing here reads the clock or the database."""

from __future__ import annotations

import math
import random
import secrets
from decimal import Decimal

MAX_SEED = 2**63 - 1  # the audits.seed column (BIGINT)


def sample_size(candidates: int, share: Decimal | None = None, count: int | None = None) -> int:
    """How many cycles to audit. A share is rounded *up* (5% of 30 = 1.5 -> 2), so any share
    of a non-empty period audits at least one cycle; a count larger than the candidates
    audits them all."""
    if candidates <= 0:
        return 0
    if count is not None:
        return min(count, candidates)
    assert share is not None
    return min(candidates, max(1, math.ceil(Decimal(candidates) * share)))


def draw(candidate_ids: list[int], size: int, seed: int) -> list[int]:
    """`size` ids from the candidates, by `seed`; answered in ascending order."""
    return sorted(random.Random(seed).sample(sorted(candidate_ids), size))


def new_seed() -> int:
    """A seed when none is given (kept with the audit, so the draw can be repeated)."""
    return secrets.randbelow(2**31)
