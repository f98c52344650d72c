"""Loading facts for the standing engine, and the standing answer every reader shares
(API, pages, transcripts, reports)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from sqlalchemy import case, exists, select, text

import pathways

from . import engine
from .errors import Invalid, NotFound
from .models import Credential, Educator, Entry, Issuer, License, Void
from .rulebooks import engine_rulebook, newest_version

_ENTRY_COLUMNS = (
    Entry.educator_id, Entry.id, Entry.kind, Entry.earned_on, Entry.credential_id,
    # Only activities carry their own tags: decoding JSON on every row is the report's
    # largest cost, so micro-credentials take theirs from the catalog map instead.
    case((Entry.kind == "activity", Entry.tags), else_=None), Entry.hours, Entry.title,
)


def _active_entries():
    return (
        select(*_ENTRY_COLUMNS)
        # NOT EXISTS, which PostgreSQL plans as an anti-join: the outer join with
        # `voids.id IS NULL` is estimated at one row and gets nested-loop plans.
        .where(~exists().where(Void.entry_id == Entry.id))
    )


def credential_map(session, ids=None) -> dict[int, tuple[str, str, frozenset[str]]]:
    """credential id -> (code, issuer code, tags)."""
    stmt = select(Credential.id, Credential.code, Issuer.code, Credential.tags).join(
        Issuer, Credential.issuer_id == Issuer.id
    )
    if ids is not None:
        stmt = stmt.where(Credential.id.in_(ids))
    return {id_: (code, issuer, frozenset(tags or ())) for id_, code, issuer, tags in session.execute(stmt)}


def _fact(row, credentials) -> engine.Entry:
    _, id_, kind, earned_on, credential_id, etags, hours, title = row
    if credential_id is not None:
        code, issuer, tags = credentials[credential_id]
        return engine.Entry(id=id_, kind=kind, earned_on=earned_on, credential=code, issuer=issuer, tags=tags)
    return engine.Entry(id=id_, kind=kind, earned_on=earned_on, tags=frozenset(etags or ()), hours=hours, title=title)


def entry_facts(session, educator_id: int) -> list[engine.Entry]:
    rows = session.execute(_active_entries().where(Entry.educator_id == educator_id)).all()
    credentials = credential_map(session, {r[4] for r in rows if r[4] is not None})
    return [_fact(r, credentials) for r in rows]


def facts_by_educator(session, ids: list[int], as_of: date) -> dict[int, list]:
    """Every active entry earned by `as_of` of these educators, as engine facts."""
    out: dict[int, list] = {}
    if not ids:
        return out
    credentials = credential_map(session)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for row in session.execute(
            _active_entries().where(Entry.educator_id.in_(chunk), Entry.earned_on <= as_of)
        ):
            out.setdefault(row[0], []).append(_fact(row, credentials))
    return out


def license_facts(session, educator_id: int, state_id: int) -> list[engine.License]:
    rows = session.scalars(
        select(License).where(License.educator_id == educator_id, License.state_id == state_id)
    )
    return [engine.License(l.id, l.type, l.cycle_start, l.cycle_end) for l in rows]


def rulebook_for(session, state_code: str, field: str = "state") -> tuple[engine.Rulebook, int]:
    try:
        row = newest_version(session, state_code)
    except NotFound:
        raise Invalid(f"no rulebook loaded for state {state_code!r}",
                      {field: [f"no rulebook loaded for {state_code!r}"]}) from None
    return engine_rulebook(row), row.state_id


def educator_standing(session, educator: Educator, state_code: str | None, as_of: date) -> dict:
    rulebook, state_id = rulebook_for(session, state_code or educator.state.code)
    result = engine.standing(
        entry_facts(session, educator.id), license_facts(session, educator.id, state_id), rulebook,
        as_of, district=educator.district.code if educator.district is not None else None,
    )
    return standing_dict(educator, result)


def number(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def standing_dict(educator: Educator, s: engine.Standing) -> dict:
    rb = s.rulebook
    return {
        "educator_id": educator.id,
        "state": rb.state,
        "as_of": s.as_of.isoformat(),
        "unit": rb.unit,
        "rulebook_version": rb.version,
        "entries": [
            {
                "id": v.entry.id,
                "kind": v.entry.kind,
                "credential": v.entry.credential,
                "title": v.entry.title,
                "earned_on": v.entry.earned_on.isoformat(),
                "units": float(v.units),
                "rule": v.rule,
                "reason": v.reason,
            }
            for v in s.entries
        ],
        "renewal": [renewal_dict(p, rb) for p in s.renewal],
        "pathways": [pathway_dict(p) for p in s.pathways],
        "salary": None if s.salary is None else salary_dict(s.salary),
    }


def _day(value) -> str | None:
    return None if value is None else value.isoformat()


def period_dict(p: pathways.PeriodResult) -> dict:
    return {
        "period": p.number,
        "period_start": p.start.isoformat(),
        "period_end": p.end.isoformat(),
        "counted": len(p.counted),
        "required_count": p.required_count,
        "remaining": p.remaining,
        "status": p.status,
        "counted_entries": [e.id for e in p.counted],
    }


def pathway_dict(r: pathways.PathwayResult) -> dict:
    card = r.card
    return {
        "code": card.code,
        "status": r.status,
        "awarded_on": _day(r.awarded_on),
        "counted": len(r.window),
        "required_count": r.required_count,
        "missing_core": list(r.missing_core),
        "maintenance": None if r.maintenance is None else period_dict(r.maintenance),
        "lapsed_on": _day(r.lapsed_on),
        # beyond the contract's fields: what a teacher's checklist and forecast need
        "name": card.name,
        "designation": card.designation,
        "owner": card.owner,
        "window_years": card.window_years,
        "window_opens": _day(r.window_opens),
        "permanent_on": _day(r.permanent_on),
        "effects_hold": r.holds,
        "effects": {
            "base_salary_pct": float(card.effects.base_salary_pct),
            "salary_lane": card.effects.salary_lane,
        },
        "core": list(card.core),
        "electives": [
            {"group": g.group, "choose": g.choose, "counted": g.counted, "missing": g.missing,
             "from": sorted(card.electives[g.group].from_ or ()) or None,
             "tags": sorted(card.electives[g.group].tags or ()) or None}
            for g in r.groups
        ],
        "missing_total": r.missing_total,
        "counted_entries": [
            {"entry_id": c.entry.id, "credential": c.entry.credential,
             "earned_on": c.entry.earned_on.isoformat(), "role": c.role, "group": c.group,
             "extra": c.extra}
            for c in r.counted
        ],
        "periods": [period_dict(p) for p in r.periods],
        "forecast": None if r.forecast is None else forecast_dict(r),
        "rule": card.cite,
    }


def forecast_dict(r: pathways.PathwayResult) -> dict:
    f = r.forecast
    return {
        "needed": f.needed,
        "by": _day(f.by),
        "core": list(f.core),
        "electives": [{"group": g.group, "missing": g.missing} for g in f.groups],
        "falls_out": list(f.falls_out),
        "period": f.period,
        "summary": forecast_summary(r),
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def forecast_summary(r: pathways.PathwayResult) -> str:
    """One sentence a teacher can act on."""
    f = r.forecast
    title = r.card.designation or r.card.name
    if f.period is not None:
        return (f"Earn {_plural(f.needed, 'more new micro-credential')} by {f.by.isoformat()} "
                f"to keep {title} (maintenance period {f.period}).")
    parts = []
    if f.core:
        parts.append(f"{_plural(len(f.core), 'core credential')} ({', '.join(f.core)})")
    electives = sum(g.missing for g in f.groups)
    if electives:
        parts.append(_plural(electives, "elective"))
    other = f.needed - len(f.core) - electives
    if other > 0:
        parts.append(_plural(other, "more credential") if parts else _plural(other, "credential"))
    what = " and ".join(parts) if parts else _plural(f.needed, "credential")
    sentence = f"Earn {what} for {title}"
    if f.by is not None:
        leaving = ", ".join(f.falls_out)
        sentence += (f" by {f.by.isoformat()}, or {leaving} "
                     f"{'falls' if len(f.falls_out) == 1 else 'fall'} out of the "
                     f"{r.card.window_years}-year window")
    return sentence + "."


def salary_dict(pay: pathways.Salary) -> dict:
    return {
        "district": pay.district.code,
        "credits": float(pay.credits),
        "lane": pay.lane,
        "base_salary_pct": float(pay.base_salary_pct),
        "credits_per_mc": float(pay.district.salary_credits_per_mc),
        "microcredentials": pay.microcredentials,
        "lane_by_credits": pay.lane_by_credits,
        "lane_by_designation": pay.lane_by_designation,
        "designations": list(pay.designations),
        "next_lane": None if pay.next_lane is None else {
            "name": pay.next_lane.name,
            "min_credits": float(pay.next_lane.min_credits),
            "credits_needed": float(pay.credits_to_next_lane),
        },
    }


def renewal_dict(p: engine.RenewalProgress, rb: engine.Rulebook) -> dict:
    return {
        "license": p.license.type,
        "cycle_start": p.license.cycle_start.isoformat(),
        "cycle_end": p.license.cycle_end.isoformat(),
        "required_units": float(p.rule.required_units),
        "earned_units": float(p.earned_units),
        "remaining_units": float(p.remaining_units),
        "status": p.status,
        "microcredential_units": float(p.microcredential_units),
        "microcredential_units_counted": float(p.microcredential_units_counted),
        "max_microcredential_units": number(p.rule.max_microcredential_units),
        "activity_units": float(p.activity_units),
        "minimums": [
            {"tag": m.tag, "required_units": float(m.required_units),
             "earned_units": float(m.earned_units), "met": m.met}
            for m in p.minimums
        ],
        "pace": None if p.pace is None else {
            "days_left": p.pace.days_left,
            "months_left": float(p.pace.months_left),
            "units_per_month": float(p.pace.units_per_month),
        },
        "counted_entries": [v.entry.id for v in p.counted],
        "rule": p.rule.cite,
        "rulebook_version": rb.version,
    }


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
