"""How many renewed cycles an audit samples, and which: pure (ledger/audits/sampling.py)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from ledger.audits.sampling import draw, sample_size


@pytest.mark.parametrize("candidates, share, count, size", [
    (30, Decimal("0.05"), None, 2),    # 1.5 is rounded up
    (20, Decimal("0.05"), None, 1),    # exactly 1
    (21, Decimal("0.05"), None, 2),    # 1.05 is rounded up too
    (1, Decimal("0.05"), None, 1),     # any share of a non-empty period audits one at least
    (7, Decimal("1"), None, 7),
    (0, Decimal("0.5"), None, 0),
    (5, None, 3, 3),
    (5, None, 9, 5),                   # a count beyond the candidates takes them all
])
def test_the_sample_size_rounds_a_share_up(candidates, share, count, size):
    assert sample_size(candidates, share, count) == size


def test_the_draw_depends_on_the_seed_and_the_candidates_only_not_their_order():
    ids = [41, 7, 19, 3, 88, 56, 23, 12, 64, 30]
    assert draw(ids, 4, 2024) == draw(list(reversed(ids)), 4, 2024) == draw(sorted(ids), 4, 2024)
    assert draw(ids, 4, 2024) == sorted(random.Random(2024).sample(sorted(ids), 4))
    assert len({tuple(draw(ids, 4, seed)) for seed in range(10)}) > 1
    assert draw(ids, 10, 5) == sorted(ids)
