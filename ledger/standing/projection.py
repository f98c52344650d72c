"""The standing projection written: educators judged by the engine (many.standings_for,
the same read as every report) and their rows in `standing_cycles` and `standing_cards`
replaced. tracking.py calls `project` for the educators a transaction wrote about; a new
rulebook version, the daily refresh and `flask ledger refresh-standings` call it in
batches."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from uuid import uuid4

from sqlalchemy import delete, func, insert, select, update

from pathways import last_day_in_window

from .. import engine
from ..integrity import chain
from ..models import (
    District,
    Educator,
    Entry,
    License,
    RulebookVersion,
    StandingAnswer,
    StandingCard,
    StandingCycle,
    StandingEducator,
    StandingState,
    State,
)
from ..reminders.rules import what_is_left
from . import counts, issuers
from . import status as judge
from .many import standings_for

BATCH = 1000
DAY = timedelta(days=1)


def _newest_versions(session, state_ids: Iterable[int]) -> dict[int, RulebookVersion]:
    newest = (select(RulebookVersion.state_id, func.max(RulebookVersion.version).label("v"))
              .where(RulebookVersion.state_id.in_(list(state_ids))).group_by(RulebookVersion.state_id).subquery())
    rows = session.scalars(select(RulebookVersion).join(
        newest, (RulebookVersion.state_id == newest.c.state_id) & (RulebookVersion.version == newest.c.v)))
    return {v.state_id: v for v in rows}


def _groups(session, ids: list[int]) -> dict[tuple[int, str | None, bool], list[int]]:
    """(state id, district code, role cards?) -> educators judged so: in their home state
    with their district's cards, and in each other state where they hold a license, for
    renewal only."""
    groups: dict[tuple[int, str | None, bool], list[int]] = defaultdict(list)
    home = {}
    for educator_id, state_id, district_code, district_state in session.execute(
            select(Educator.id, Educator.state_id, District.code, District.state_id)
            .outerjoin(District, Educator.district_id == District.id).where(Educator.id.in_(ids))):
        home[educator_id] = state_id
        groups[(state_id, district_code if district_state == state_id else None, True)].append(educator_id)
    for educator_id, state_id in session.execute(
            select(License.educator_id, License.state_id).where(License.educator_id.in_(ids)).distinct()):
        if home.get(educator_id) != state_id:
            groups[(state_id, None, False)].append(educator_id)
    return groups


def _later(ids: list[int], today: date, session) -> dict[int, date]:
    """Educators with an entry earned after `today` (a day's grace allows tomorrow): the
    day it starts to count."""
    return dict(session.execute(select(Entry.educator_id, func.min(Entry.earned_on))
                                .where(Entry.educator_id.in_(ids), Entry.earned_on > today)
                                .group_by(Entry.educator_id)).all())


def _min(*days):
    days = [d for d in days if d is not None]
    return min(days) if days else None


def cycle_rows(educator_id: int, state_id: int, version_id: int, s: engine.Standing, today: date,
               later: date | None) -> list[dict]:
    """The rows of one educator's cycles in one state: those current on `today` or after,
    each with the first day any of the educator's figures there moves by date alone."""
    by_license: dict[int, list] = defaultdict(list)
    for p in s.renewal:
        by_license[p.license_id or p.license.id].append(p)
    rows = []
    for progress in by_license.values():
        progress.sort(key=lambda p: p.license.cycle_start)
        for p, nxt in zip(progress, [*progress[1:], None]):
            lic = p.license
            superseded = nxt.license.cycle_start if nxt is not None else None
            fixed, lapses, stale = None, None, None
            if p.renewed is not None and today >= p.renewed.renewed_on:
                fixed = p.status
            elif p.status != engine.IN_PROGRESS:
                fixed = p.status
            else:
                ends = [(p.grace_ends or lic.cycle_end)] + [y.end for y in p.school_years if not y.met]
                lapses = min(ends) + DAY
                if p.grace_ends is not None:
                    # a lapse in grace gives its grace entries to the next cycle
                    stale = p.grace_ends + DAY
            if lic.cycle_start > today:
                stale = _min(stale, lic.cycle_start)
            if lic.renewed is not None and lic.renewed.renewed_on > today:
                stale = _min(stale, lic.renewed.renewed_on)
            if stale is not None and stale > today:
                later = _min(later, stale)  # a cycle no longer current may still move the next one
            if superseded is not None and superseded <= today:
                continue  # history: a later cycle of the license has begun
            rows.append({
                "cycle_id": lic.id, "educator_id": educator_id, "state_id": state_id,
                "license_id": p.license_id or lic.id, "license_type": lic.type, "cycle_number": p.cycle_number,
                "cycle_start": lic.cycle_start, "cycle_end": lic.cycle_end, "superseded_on": superseded,
                "grace_ends": p.grace_ends, "lapses_on": lapses, "fixed_status": fixed,
                "renewed": p.renewed is not None, "required_units": p.rule.required_units,
                "earned_units": p.earned_units,
                "left": what_is_left(p, s.rulebook.unit)[:200] if fixed is None else None,
                "rulebook_version_id": version_id, "computed_on": today, "stale_on": None})
    for row in rows:  # the educator is judged again as a whole: the earliest day for every row
        row["stale_on"] = later
        row.update(judge.judged(row, today))
    return rows


def card_rows(educator_id: int, state_id: int, version_id: int, s: engine.Standing, today: date,
              later: date | None) -> list[dict]:
    """The role cards begun, held or lapsed (a card not begun is every teacher's: not kept)."""
    rows, seen = [], set()
    for r in s.pathways:
        if (r.status == "in_progress" and not r.window) or r.card.code in seen:
            continue
        seen.add(r.card.code)
        m, lapses, stale, open_period = r.maintenance, None, later, None
        if m is not None:
            stale = _min(stale, m.end + DAY)  # the next period opens, or this one lapses
            if r.status == "active" and m.status != "met":
                lapses = m.end + DAY
            if r.status == "active" and m.status == "open":
                open_period = m
        if r.status == "in_progress" and r.card.window_years and r.window:
            stale = _min(stale, min(last_day_in_window(e.earned_on, r.card.window_years) for e in r.window) + DAY)
        if r.permanent_on is not None and r.permanent_on > today:
            stale = _min(stale, r.permanent_on)
        rows.append({"educator_id": educator_id, "card_code": r.card.code, "state_id": state_id,
                     "name": r.card.name[:200], "designation": (r.card.designation or None),
                     "status": r.status, "counted": len(r.window), "required": r.required_count,
                     "lapses_on": lapses, "rulebook_version_id": version_id, "computed_on": today,
                     "maintenance_number": open_period.number if open_period else None,
                     "maintenance_end": open_period.end if open_period else None,
                     "maintenance_needed": (open_period.period.required_count - len(open_period.counted)
                                            if open_period else None),
                     "stale_on": stale})
    return rows


def project(session, educator_ids: Iterable[int], today: date) -> int:
    """Judge these educators as of `today` and replace their rows; how many were judged.
    Educators in a state with no rulebook get no rows there (nothing judges them)."""
    ids = sorted(set(educator_ids))
    for start in range(0, len(ids), BATCH):
        _project_batch(session, ids[start:start + BATCH], today)
    return len(ids)


def _project_batch(session, ids: list[int], today: date) -> None:
    # one projector at a time (the chain's append lock, which every writing commit takes):
    # two transactions never project the same educator from different pasts
    chain.lock(session.connection())
    groups = _groups(session, ids)
    versions = _newest_versions(session, {state_id for state_id, _, _ in groups})
    later = _later(ids, today, session)
    cycles, cards = [], []
    for (state_id, district, with_cards), members in groups.items():
        version = versions.get(state_id)
        if version is None:
            continue
        for educator_id, s in standings_for(session, version, today, members, district=district,
                                            pathways=with_cards):
            cycles += cycle_rows(educator_id, state_id, version.id, s, today, later.get(educator_id))
            if with_cards:
                cards += card_rows(educator_id, state_id, version.id, s, today, later.get(educator_id))
    states = {state_id for state_id, _, _ in groups}
    for model in (StandingCycle, StandingCard):
        states.update(session.scalars(select(model.state_id).where(model.educator_id.in_(ids)).distinct()))
    connection = session.connection()
    change = counts.contributions(cycles)
    change.subtract(counts.stored(connection, ids))
    for model in (StandingCycle, StandingCard, StandingEducator, StandingAnswer):
        connection.execute(delete(model.__table__).where(model.__table__.c.educator_id.in_(ids)))
    token = uuid4().hex  # a new token: an answer kept under the old one no longer holds
    # Core rows on the connection (one multi-row INSERT a thousand rows), not the ORM's bulk path
    connection.execute(insert(StandingEducator.__table__),
                       [{"educator_id": i, "token": token, "computed_on": today} for i in ids])
    issuers.recount(session, ids)
    counts.move(connection, change)
    _bump(session, states)
    if cycles:
        connection.execute(insert(StandingCycle.__table__), cycles)
    if cards:
        connection.execute(insert(StandingCard.__table__), cards)


def _bump(session, state_ids: set[int]) -> None:
    """A new generation for each of these states (under the projector's lock)."""
    token = uuid4().hex
    known = set(session.scalars(select(StandingState.state_id).where(StandingState.state_id.in_(state_ids))))
    if known:
        session.execute(update(StandingState).where(StandingState.state_id.in_(known)).values(generation=token))
    if state_ids - known:
        session.execute(insert(StandingState),
                        [{"state_id": s, "generation": token} for s in sorted(state_ids - known)])


def generation(session, state_id: int) -> str:
    return session.scalar(select(StandingState.generation).where(StandingState.state_id == state_id)) or ""


# -- refreshing many: a state after a new rulebook version, the stale, every state

def state_educators(session, state_id: int):
    """The ids of everyone judged in a state (its residents, its license holders)."""
    return (select(Educator.id).where(Educator.state_id == state_id)
            .union(select(License.educator_id).where(License.state_id == state_id)))


def outdated(session, state: State) -> int:
    """How many educators the state's rows still judge under an older rulebook version
    than its newest: what a refresh after a new version has left to do."""
    version = _newest_versions(session, [state.id]).get(state.id)
    if version is None:
        return 0
    # versions only grow: an older one has a smaller id (an index range, not a scan)
    old = (select(StandingCycle.educator_id).where(StandingCycle.state_id == state.id,
                                                    StandingCycle.rulebook_version_id < version.id)
           .union(select(StandingCard.educator_id).where(StandingCard.state_id == state.id,
                                                         StandingCard.rulebook_version_id < version.id)))
    return session.scalar(select(func.count()).select_from(old.subquery())) or 0


def refresh(session, educator_ids: Iterable[int], today: date, *, batch: int = BATCH,
            checkpoint: Callable[[], None] | None = None,
            progress: Callable[[int], None] | None = None) -> int:
    """Project these educators a batch at a time, calling `checkpoint` (a commit) after
    each and `progress` with how many are done: memory and lock time stay bounded."""
    ids, done = sorted(set(educator_ids)), 0
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        _project_batch(session, chunk, today)
        done += len(chunk)
        if checkpoint is not None:
            checkpoint()
        if progress is not None:
            progress(done)
    return done


def stale_educators(session, today: date, state_id: int | None = None) -> list[int]:
    """Educators with a figure that moves by date alone on or before `today`."""
    found = set()
    for model in (StandingCycle, StandingCard):
        stmt = select(model.educator_id).where(model.stale_on <= today)
        if state_id is not None:
            stmt = stmt.where(model.state_id == state_id)
        found.update(session.scalars(stmt.distinct()))
    return sorted(found)


def catch_up(session, today: date, state_id: int | None = None) -> int:
    """Judge again, now, whoever has a figure that moved by date alone by `today` (the
    daily job does it first; a page that reads the projection asks too, so the rows never
    lag the calendar): an indexed look when nobody is due."""
    due = stale_educators(session, today, state_id)
    judged = project(session, due, today) if due else 0
    counts.settle(session, today, state_id, limit=counts.SETTLE_INLINE)
    return judged


def every_educator(session, state_id: int | None = None) -> list[int]:
    if state_id is None:
        return list(session.scalars(select(Educator.id).order_by(Educator.id)))
    return sorted(session.scalars(state_educators(session, state_id)))

