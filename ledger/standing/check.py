"""`flask ledger check-standings`: the engine judges educators again and every difference
from the projection, as the lists read it on that day, is reported (none is expected).
For each educator: each current cycle's status (lists.STATUSES) and units earned, and
each role card begun with its stage and count."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import engine
from ..models import StandingCard, StandingCycle
from ..reminders.rules import what_is_left
from . import lists
from .many import standings_for
from .projection import BATCH, _groups, _newest_versions

STAGE = {"in_progress": "in_progress", "active": "held", "permanent": "permanent", "lapsed": "lapsed"}


@dataclass(frozen=True)
class Difference:
    educator_id: int
    what: str  # "cycle <id>" or "card <code>"
    engine: object
    projection: object

    def __str__(self) -> str:
        return f"educator {self.educator_id} {self.what}: engine {self.engine}, projection {self.projection}"


def engine_status(p) -> str:
    """A current cycle's status as the lists name it, from the engine's progress."""
    if p.status == engine.COMPLETE:
        return "complete"
    if p.status == engine.LAPSED:
        return "lapsed"
    if p.in_grace:
        return "in_grace"
    return "behind_pace" if engine.behind_pace(p) else "on_pace"


def _expected(session, ids: list[int], day: date) -> tuple[dict, dict]:
    cycles, cards = {}, {}
    groups = _groups(session, ids)
    versions = _newest_versions(session, {state_id for state_id, _, _ in groups})
    for (state_id, district, with_cards), members in groups.items():
        version = versions.get(state_id)
        if version is None:
            continue
        for educator_id, s in standings_for(session, version, day, members, district=district, pathways=with_cards):
            for p in engine.current_cycles(s.renewal, day, key=engine.LICENSE):
                frozen = p.renewed is not None and day >= p.renewed.renewed_on
                left = what_is_left(p, s.rulebook.unit)[:200] if p.status == engine.IN_PROGRESS and not frozen else None
                cycles[(educator_id, p.license.id)] = (engine_status(p), p.earned_units, left)
            for r in s.pathways:
                if r.status != "in_progress" or r.window:
                    m = r.maintenance if r.status == "active" and r.maintenance is not None \
                        and r.maintenance.status == "open" else None
                    cards.setdefault((educator_id, r.card.code), (
                        STAGE[r.status], len(r.window), m and m.end, m and m.period.required_count - len(m.counted)))
    return cycles, cards


def _stored(session, ids: list[int], day: date) -> tuple[dict, dict]:
    status = lists.read_status(session.get_bind().dialect.name, day)
    C, K = StandingCycle, StandingCard
    # what is left is read only while the cycle is open, the maintenance while the card is held
    cycles = {(e, c): (st, units, left if st not in ("complete", "lapsed") else None)
              for e, c, st, units, left in session.execute(
        select(C.educator_id, C.cycle_id, status, C.earned_units, C.left)
        .where(C.educator_id.in_(ids), lists.current_on(day)))}
    cards = {(e, code): (stage, n, *((end, needed) if stage == "held" else (None, None)))
             for e, code, stage, n, end, needed in session.execute(
        select(K.educator_id, K.card_code, lists.stage_expr(day), K.counted, K.maintenance_end, K.maintenance_needed)
        .where(K.educator_id.in_(ids)))}
    return cycles, cards


def differences(session, ids: list[int], day: date, progress: Callable[[int], None] | None = None
                ) -> Iterator[Difference]:
    """Every difference between the engine and the projection for these educators."""
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        want_cycles, want_cards = _expected(session, chunk, day)
        have_cycles, have_cards = _stored(session, chunk, day)
        for key in sorted(want_cycles.keys() | have_cycles.keys()):
            if want_cycles.get(key) != have_cycles.get(key):
                yield Difference(key[0], f"cycle {key[1]}", want_cycles.get(key), have_cycles.get(key))
        for key in sorted(want_cards.keys() | have_cards.keys()):
            if want_cards.get(key) != have_cards.get(key):
                yield Difference(key[0], f"card {key[1]}", want_cards.get(key), have_cards.get(key))
        if progress is not None:
            progress(min(start + BATCH, len(ids)))


def sample(ids: list[int], size: int | None, seed: int | None) -> list[int]:
    if size is None or size >= len(ids):
        return ids
    return sorted(random.Random(seed).sample(ids, size))


def count_differences(session, state, day: date) -> list[str]:
    """Where the state's kept status counts, as the overview reads them, differ from
    judging every row from its dates."""
    from .counts import differences
    return differences(session, state.id, day)


def issuer_differences(session, state) -> list[str]:
    """Where the state's kept issuer totals differ from counting the entries themselves."""
    from .issuers import totals
    from .report import mcs_by_issuer
    want, have = dict(mcs_by_issuer(session, state)), dict(totals(session, state))
    return [f"state {state.code} issuer {name}: entries {want.get(name, 0)}, kept {have.get(name, 0)}"
            for name in sorted(want.keys() | have.keys()) if want.get(name, 0) != have.get(name, 0)]
