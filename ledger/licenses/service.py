"""Licenses through their life (CONTRACT.md section 6): add one, renew its latest cycle,
extend it, open a cycle after a gap. A license is its type in its state; its cycles are
the `licenses` rows of that (educator, state, type) numbered by `cycle_start`, and its id
is its first cycle's. Nothing is changed: each step adds a cycle or a `LicenseEvent` (who,
when, why), and a renewal freezes what the renewed cycle had earned."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from .. import engine
from ..access import audit
from ..access.principals import ADMIN, STATE_OFFICE, Principal, educator_in_scope
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import MAX_ID, Educator, License, LicenseEvent, State, lock_for_write
from ..rulebooks.engine_view import engine_rulebook
from ..rulebooks.service import newest_version
from ..standing.facts import facts_by_educator, license_facts, rulebook_for


@dataclass
class Cycle:
    number: int
    row: License
    events: list[LicenseEvent] = field(default_factory=list)
    status: str | None = None  # frozen at its renewal; else as judged today (None: no rule judges it)

    @property
    def renewal(self) -> LicenseEvent | None:
        return next((e for e in self.events if e.kind == "renewed"), None)

    @property
    def renewed_on(self) -> date | None:
        return self.renewal.renewed_on if self.renewal is not None else None

    @property
    def cycle_end(self) -> date:
        return self.row.current_cycle_end


@dataclass
class LicenseView:
    id: int
    educator_id: int
    state: str
    state_id: int
    type: str
    cycles: list[Cycle]
    progress: dict[int, engine.RenewalProgress] = field(default_factory=dict)  # by cycle row id

    @property
    def latest(self) -> Cycle:
        return self.cycles[-1]


def _group(rows: list[License], events: list[LicenseEvent]) -> list[LicenseView]:
    by_cycle: dict[int, list[LicenseEvent]] = {}
    for e in events:
        by_cycle.setdefault(e.cycle_id, []).append(e)
    views: dict[tuple, LicenseView] = {}
    for row in sorted(rows, key=lambda r: (r.cycle_start, r.id)):
        key = (row.state_id, row.type)
        if key not in views:
            views[key] = LicenseView(row.id, row.educator_id, row.state.code, row.state_id, row.type, [])
        view = views[key]
        view.cycles.append(Cycle(len(view.cycles) + 1, row, by_cycle.get(row.id, [])))
    return sorted(views.values(), key=lambda v: (v.state, v.type))


def _judge(session, views: list[LicenseView], educator_id: int, today: date) -> None:
    """Each cycle's progress as of `today` under its state's newest rulebook, and its
    status: as frozen at its renewal for a renewed cycle, else as judged today."""
    facts = facts_by_educator(session, [educator_id], today).get(educator_id, [])
    for state_id, code in {v.state_id: v.state for v in views}.items():
        try:
            rulebook = engine_rulebook(newest_version(session, code))
        except NotFound:
            continue
        s = engine.standing(facts, license_facts(session, educator_id, state_id), rulebook, today, pathways=False)
        progress = {p.license.id: p for p in s.renewal}
        for view in views:
            if view.state_id == state_id:
                view.progress = progress
    for view in views:
        for cycle in view.cycles:
            judged = view.progress.get(cycle.row.id)
            cycle.status = cycle.renewal.snapshot["status"] if cycle.renewal is not None else \
                None if judged is None else judged.status


def licenses_of(session, principal: Principal, educator_id: int, today: date) -> list[LicenseView]:
    educator = educator_in_scope(session, principal, educator_id)
    rows = session.scalars(select(License).where(License.educator_id == educator.id)).all()
    events = session.scalars(select(LicenseEvent).where(LicenseEvent.cycle_id.in_([r.id for r in rows]))
                             .order_by(LicenseEvent.id)).all() if rows else []
    views = _group(list(rows), list(events))
    _judge(session, views, educator.id, today)
    return views


def license_in_scope(session, principal: Principal, license_id: int, today: date) -> LicenseView:
    """The license whose first cycle is `license_id`, if its educator is in scope (404
    otherwise); writing it needs its state's office or an admin (403)."""
    row = session.get(License, license_id) if 1 <= license_id <= MAX_ID else None
    if row is None:
        raise NotFound(f"license {license_id} not found")
    view = next((v for v in licenses_of(session, principal, row.educator_id, today) if v.id == license_id), None)
    if view is None:  # a later cycle's id, not a license's
        raise NotFound(f"license {license_id} not found")
    return view


def _for_write(session, principal: Principal, license_id: int, today: date, read_first: bool = False) -> LicenseView:
    """The license, if the caller may write it, with its lock held (one change to a
    license at a time). Read after taking the lock, so each change decides from what the
    one before left; `read_first` for a renewal: a duplicate sent at the same moment then
    names the cycle it meant and is told it was already renewed (409, by the unique
    index), not judged against the cycle the first one opened."""
    if not read_first and 1 <= license_id <= MAX_ID:
        lock_for_write(session, License, license_id)
    view = license_in_scope(session, principal, license_id, today)
    _may_write(principal, view.state_id, view.state)
    if read_first:
        lock_for_write(session, License, view.id)
    return view


def _may_write(principal: Principal, state_id: int, state: str) -> None:
    if principal.role == ADMIN or (principal.role == STATE_OFFICE and principal.state_id == state_id):
        return
    if principal.role == STATE_OFFICE:
        raise Forbidden(f"a state_office token may write only its own state's licenses, not {state}'s")
    raise Forbidden(f"the {principal.role} role may not write licenses (a state office or an admin does)")


def unknown_type(rulebook: engine.Rulebook, type_: str) -> str | None:
    """Why a license of this type cannot be recorded in the rulebook's state (no rule
    for it at all), or None."""
    if rulebook.renewal_rule(type_) is not None:
        return None
    known = ", ".join(dict.fromkeys(r.license for r in rulebook.renewal)) or "none"
    return f"{rulebook.state} has no license type {type_!r} (known: {known})"


def record_cycle(session, principal: Principal, license_id: int | None, educator_id: int, state_id: int,
                 type_: str, start: date, end: date, reason: str) -> License:
    """Record a cycle and its `opened` event. `license_id`: the license's first cycle; None
    looks it up (the first cycle of this educator's type in this state, or this one)."""
    row = License(educator_id=educator_id, state_id=state_id, type=type_, cycle_start=start, cycle_end=end)
    session.add(row)
    session.flush()
    if license_id is None:
        license_id = session.scalar(
            select(License.id).where(License.educator_id == educator_id, License.state_id == state_id,
                                     License.type == type_).order_by(License.cycle_start, License.id).limit(1))
    session.add(LicenseEvent(license_id=license_id, cycle_id=row.id, kind="opened", reason=reason,
                             cycle_end=end, actor=principal.actor))
    return row


def add_license(session, principal: Principal, educator_id: int, data: dict, today: date) -> LicenseView:
    educator = educator_in_scope(session, principal, educator_id)
    state = session.scalar(select(State).where(State.code == data["state"]))
    if state is None:
        raise Invalid(f"no rulebook loaded for state {data['state']!r}", {"state": ["no rulebook loaded"]})
    _may_write(principal, state.id, state.code)
    rulebook, _ = rulebook_for(session, state.code)
    if (why := unknown_type(rulebook, data["type"])) is not None:
        raise Invalid(why, {"type": [f"no renewal rule for {data['type']!r} in {state.code}"]})
    lock_for_write(session, Educator, educator.id)  # two offices adding the same license: one wins
    held = session.scalar(select(License.id).where(License.educator_id == educator.id, License.state_id == state.id,
                                                   License.type == data["type"]).limit(1))
    if held is not None:
        raise Conflict(f"educator {educator.id} already holds a {state.code} {data['type']} license",
                       {"type": [f"already held: license {held}"]})
    row = record_cycle(session, principal, None, educator.id, state.id, data["type"], data["cycle_start"],
                data["cycle_end"], data.get("reason") or "license added")
    audit.record(session, principal.actor, "add_license", "license", row.id,
                 {"educator_id": educator.id, "state": state.code, "type": data["type"]})
    session.flush()
    return license_in_scope(session, principal, row.id, today)


def renew(session, principal: Principal, license_id: int, data: dict, today: date) -> tuple[Cycle, Cycle]:
    view = _for_write(session, principal, license_id, today, read_first=True)
    number = data.get("cycle_number") or view.latest.number
    cycle = next((c for c in view.cycles if c.number == number), None)
    if cycle is None or cycle.renewal is not None or cycle is not view.latest:
        why = "was already renewed" if cycle is not None and cycle.renewal is not None else \
            "is not the license's latest cycle" if cycle is not None else "does not exist"
        raise Conflict(f"cycle {number} of license {view.id} {why}", {"cycle_number": [why]})
    renewed_on = data.get("renewed_on") or today
    if renewed_on > today:
        raise Invalid("renewed_on is after today", {"renewed_on": [f"after today ({today.isoformat()})"]})
    if renewed_on < cycle.row.cycle_start:
        raise Invalid("renewed_on is before the cycle begins",
                      {"renewed_on": [f"before the cycle's start ({cycle.row.cycle_start.isoformat()})"]})
    progress = view.progress.get(cycle.row.id) if renewed_on == today else \
        _progress_on(session, view, cycle, renewed_on)
    status = progress.status if progress is not None else None
    waive = data.get("waive_reason")
    if status != engine.COMPLETE and not waive:
        shown = status or "not judged (no rule for this cycle)"
        raise Invalid(f"cycle {number} is {shown} on {renewed_on.isoformat()}: it can be renewed once complete, "
                      "or with a waive_reason", {"status": [f"{shown} on {renewed_on.isoformat()}"]})
    start, end = _next_dates(cycle, progress, data.get("next_cycle_end"))
    snapshot = {"status": status, "as_of": renewed_on.isoformat(), "waive_reason": waive}
    if progress is not None:
        snapshot.update(earned_units=_units(progress.earned_units), required_units=_units(progress.rule.required_units),
                        rule=progress.rule.cite, rulebook_version=progress.rulebook_version,
                        counted_entries=[v.entry.id for v in progress.counted],
                        carry_out_units=_units(progress.carry_out_units))
    session.add(LicenseEvent(license_id=view.id, cycle_id=cycle.row.id, kind="renewed", renewed_on=renewed_on,
                             reason=waive, snapshot=snapshot, actor=principal.actor))
    row = record_cycle(session, principal, view.id, view.educator_id, view.state_id, view.type, start, end,
                f"renewal of cycle {number}")
    audit.record(session, principal.actor, "renew_license", "license", view.id,
                 {"cycle_number": number, "renewed_on": renewed_on.isoformat(), "status": status,
                  "next_cycle": [start.isoformat(), end.isoformat()], "waived": bool(waive)})
    session.flush()
    after = license_in_scope(session, principal, view.id, today)
    return after.cycles[number - 1], next(c for c in after.cycles if c.row.id == row.id)


def _units(value) -> str:
    """A Decimal as exact text, without trailing zeros: 60.00 -> "60", 7.50 -> "7.5"."""
    return format(value.normalize(), "f")


def _progress_on(session, view: LicenseView, cycle: Cycle, day: date) -> engine.RenewalProgress | None:
    rulebook = engine_rulebook(newest_version(session, view.state))
    facts = facts_by_educator(session, [view.educator_id], day).get(view.educator_id, [])
    s = engine.standing(facts, license_facts(session, view.educator_id, view.state_id), rulebook, day,
                        pathways=False)
    return next((p for p in s.renewal if p.license.id == cycle.row.id), None)


def _next_dates(cycle: Cycle, progress, next_end: date | None) -> tuple[date, date]:
    years = progress.rule.cycle_years if progress is not None else None
    if next_end is None and years is None:
        raise Invalid("the next cycle's end is not known: the rule gives no cycle_years",
                      {"next_cycle_end": ["required: the rule that judged this cycle gives no cycle_years"]})
    start, end = engine.next_cycle(cycle.cycle_end, years or 1)
    if next_end is not None:
        if next_end < start:
            raise Invalid("next_cycle_end is before the next cycle begins",
                          {"next_cycle_end": [f"before {start.isoformat()}, the day after this cycle ends"]})
        end = next_end
    return start, end


def extend(session, principal: Principal, license_id: int, data: dict, today: date) -> Cycle:
    view = _for_write(session, principal, license_id, today)
    cycle = view.latest
    if data["cycle_end"] <= cycle.cycle_end:
        raise Invalid("an extension moves the cycle's end later",
                      {"cycle_end": [f"not later than the cycle's end now ({cycle.cycle_end.isoformat()})"]})
    session.add(LicenseEvent(license_id=view.id, cycle_id=cycle.row.id, kind="extended", cycle_end=data["cycle_end"],
                             reason=data["reason"], actor=principal.actor))
    audit.record(session, principal.actor, "extend_license", "license", view.id,
                 {"cycle_number": cycle.number, "cycle_end": data["cycle_end"].isoformat(), "reason": data["reason"]})
    session.flush()
    session.expire(cycle.row, ["current_cycle_end"])
    return license_in_scope(session, principal, view.id, today).cycles[cycle.number - 1]


def open_cycle(session, principal: Principal, license_id: int, data: dict, today: date) -> Cycle:
    """A new cycle after the last one ends (a reinstatement after a lapse, a correction)."""
    view = _for_write(session, principal, license_id, today)
    last = view.latest
    if data["cycle_start"] <= last.cycle_end:
        raise Invalid("a new cycle starts after the last one ends",
                      {"cycle_start": [f"not after the last cycle's end ({last.cycle_end.isoformat()})"]})
    row = record_cycle(session, principal, view.id, view.educator_id, view.state_id, view.type, data["cycle_start"],
                data["cycle_end"], data["reason"])
    audit.record(session, principal.actor, "open_cycle", "license", view.id,
                 {"cycle": [data["cycle_start"].isoformat(), data["cycle_end"].isoformat()], "reason": data["reason"]})
    session.flush()
    return next(c for c in license_in_scope(session, principal, view.id, today).cycles if c.row.id == row.id)
