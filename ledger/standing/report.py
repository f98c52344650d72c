"""State-wide figures: every licensed educator's renewal through the same engine as a
single standing, streamed; and the state office's overview counts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from sqlalchemy import exists, func, select, text

from .. import engine
from ..models import Credential, Entry, Issuer, License, State, Void
from ..rulebooks.service import newest_version
from .facts import _active_entries, _fact, credential_map, rulebook_for
from .labels import current_cycles, renewal_flags


def state_renewal_report(session, state_code: str, as_of: date, batch: int = 5000,
                         with_cycle: bool = False) -> Iterator[tuple]:
    """Every educator licensed in a state: (educator_id, license type, earned units,
    status) for each license (and its cycle_start, cycle_end `with_cycle`), through the same
    engine as a single standing. Facts stream
    in educator order, so memory stays flat however large the state. Only entries that
    can count are loaded: earned on or before `as_of` inside one of the educator's
    license cycles in this state (the engine would set the others aside)."""
    rulebook, state_id = rulebook_for(session, state_code)
    valuer = engine.Valuer(rulebook)
    licenses: dict[int, list[engine.License]] = {}
    for educator_id, id_, type_, start, end in session.execute(
        select(License.educator_id, License.id, License.type, License.cycle_start, License.cycle_end)
        .where(License.state_id == state_id)
    ):
        licenses.setdefault(educator_id, []).append(engine.License(id_, type_, start, end))

    credentials = credential_map(session)
    in_a_cycle = exists().where(
        License.educator_id == Entry.educator_id, License.state_id == state_id,
        License.cycle_start <= Entry.earned_on, Entry.earned_on <= License.cycle_end,
    )
    connection = session.connection()
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        # A cursor is planned for its first rows: an index scan in educator order over a
        # table stored in time order. Plan this one for all its rows (scan, then sort).
        connection.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    # Core rows (connection.execute), not ORM rows: the ORM's result layer costs more per
    # row than the fetch itself.
    rows = connection.execute(
        _active_entries().where(Entry.earned_on <= as_of, in_a_cycle).order_by(Entry.educator_id),
        execution_options={"yield_per": batch},
    )
    if postgresql:
        connection.execute(text("SET LOCAL cursor_tuple_fraction TO DEFAULT"))
    current, facts = None, []

    def report(educator_id, facts):
        result = engine.standing(facts, licenses.pop(educator_id, ()), rulebook, as_of, valuer,
                                 pathways=False)
        if with_cycle:
            return [(educator_id, p.license.type, p.earned_units, p.status, p.license.cycle_start,
                     p.license.cycle_end) for p in result.renewal]
        return [(educator_id, p.license.type, p.earned_units, p.status) for p in result.renewal]

    for row in rows:
        if row[0] != current:
            if current is not None:
                yield from report(current, facts)
            current, facts = row[0], []
        facts.append(_fact(row, credentials))
    if current is not None:
        yield from report(current, facts)
    for educator_id in sorted(licenses):  # licensed educators with nothing that counts
        yield from report(educator_id, [])


def renewal_summary(session, state: State, day: date) -> dict:
    """Counts from the state-wide renewal report (the same engine as each standing), of
    each educator's current cycles (views.current_cycles, as on every page); behind pace
    as on the educator page (renewal_flags), from the cycle's own dates."""
    required = {r["license"]: float(r["required_units"])
                for r in newest_version(session, state.code).document.get("renewal", [])}
    counts = {"complete": 0, "in_progress": 0, "behind": 0, "lapsed": 0}
    educators: set[int] = set()

    def count(rows):
        for _, type_, earned, status, start, end in current_cycles(rows, day, key=lambda r: (r[1], r[4], r[5])):
            counts[status] = counts.get(status, 0) + 1
            if status == "in_progress":
                flags = renewal_flags({"cycle_start": start.isoformat(), "cycle_end": end.isoformat(),
                                       "required_units": required.get(type_, 0), "earned_units": float(earned),
                                       "status": status}, day)
                counts["behind"] += flags["behind"]

    current, rows = None, []
    for row in state_renewal_report(session, state.code, day, with_cycle=True):
        educators.add(row[0])
        if row[0] != current:
            count(rows)
            current, rows = row[0], []
        rows.append(row)
    count(rows)
    counts["educators"] = len(educators)
    counts["licenses"] = counts["complete"] + counts["in_progress"] + counts["lapsed"]
    counts["on_pace"] = counts["in_progress"] - counts["behind"]
    return counts


def mcs_by_issuer(session, state: State) -> list[tuple[str, int]]:
    """Active (never voided) micro-credential entries of educators licensed in the state,
    by issuer name."""
    licensed = exists().where(License.educator_id == Entry.educator_id, License.state_id == state.id)
    rows = session.execute(
        select(Issuer.name, func.count(Entry.id))
        .select_from(Entry)
        .join(Credential, Entry.credential_id == Credential.id)
        .join(Issuer, Credential.issuer_id == Issuer.id)
        .where(Entry.kind == "microcredential", ~exists().where(Void.entry_id == Entry.id), licensed)
        .group_by(Issuer.name)
        .order_by(func.count(Entry.id).desc(), Issuer.name)
    ).all()
    return [(name, count) for name, count in rows]
