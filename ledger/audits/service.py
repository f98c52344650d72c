"""Audits for the state office (issue 15, item 3): draw a reproducible sample of the
cycles a state renewed in a period, read each case's entries with their evidence, and
record the outcome: passed, or findings that void the entries disallowed (through the
ledger's one void path, `entries.service.void_entry`).

A renewed cycle stays as its renewal kept it: a finding voids entries from now on (they
count nowhere any more), it does not re-judge the renewal already granted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select, update

from ..access import audit as trail
from ..access.principals import ADMIN, STATE_OFFICE, Principal
from ..entries.service import void_entry
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import (
    MAX_ID,
    Audit,
    AuditCase,
    AuditFinding,
    Entry,
    EntryEvidence,
    License,
    LicenseEvent,
    State,
    utcnow,
)
from . import sampling

MAX_REASON = 900  # the void keeps "Audit N: " + the reason in 1,000 characters


def _may_audit(principal: Principal, state: State) -> None:
    principal.require("audit")
    if principal.role == STATE_OFFICE and principal.state_id != state.id:
        raise Forbidden(f"a state office audits its own state's renewals, not {state.code}'s")


def candidates(session, state_id: int, period_from: date, period_to: date) -> list[tuple[LicenseEvent, int]]:
    """The `renewed` events of the state's cycles renewed in the period (both days
    included), each with its educator's id."""
    return list(session.execute(
        select(LicenseEvent, License.educator_id).join(License, License.id == LicenseEvent.cycle_id)
        .where(LicenseEvent.kind == "renewed", License.state_id == state_id,
               LicenseEvent.renewed_on >= period_from, LicenseEvent.renewed_on <= period_to)
        .order_by(LicenseEvent.cycle_id)))


def sample(session, principal: Principal, data: dict) -> Audit:
    """Draw and keep an audit: `data` as AuditIn loads it (state, period_from, period_to,
    share or count, seed). No candidates is refused (nothing is kept)."""
    code = data.get("state")
    if code is None and principal.role == STATE_OFFICE:
        state = session.get(State, principal.state_id)
    else:
        state = session.scalar(select(State).where(State.code == (code or "").upper())) if code else None
    if state is None:
        raise Invalid(f"no rulebook loaded for state {code!r}" if code else "state: which state's renewals",
                      {"state": ["no rulebook loaded" if code else "required"]})
    _may_audit(principal, state)
    start, end = data["period_from"], data["period_to"]
    renewals = candidates(session, state.id, start, end)  # (event, educator id)
    if not renewals:
        raise Invalid(f"no {state.code} cycle was renewed from {start.isoformat()} to {end.isoformat()}: "
                      "nothing to audit (no audit was kept)",
                      {"period": [f"no {state.code} cycle was renewed from {start.isoformat()} to "
                                  f"{end.isoformat()}: choose another period"]})
    seed = data["seed"] if data.get("seed") is not None else sampling.new_seed()
    size = sampling.sample_size(len(renewals), data.get("share"), data.get("count"))
    chosen = set(sampling.draw([r.cycle_id for r, _ in renewals], size, seed))
    row = Audit(state_id=state.id, period_from=start, period_to=end, share=data.get("share"),
                count_asked=data.get("count"), seed=seed, candidates=len(renewals), created_by=principal.actor)
    session.add(row)
    session.flush()
    for r, educator_id in renewals:
        if r.cycle_id in chosen:
            session.add(AuditCase(audit_id=row.id, educator_id=educator_id, license_id=r.license_id,
                                  cycle_id=r.cycle_id, renewal_id=r.id, status="open"))
    trail.record(session, principal.actor, "sample_audit", "audit", row.id, {
        "state": state.code, "from": start.isoformat(), "to": end.isoformat(),
        "share": None if row.share is None else str(row.share), "count": row.count_asked, "seed": seed,
        "candidates": len(renewals), "cases": size})
    session.flush()
    session.refresh(row)
    return row


def audits_of(session, principal: Principal, state: State) -> list[tuple[Audit, dict[str, int]]]:
    """The state's audits, newest first, each with its cases counted by status."""
    _may_audit(principal, state)
    rows = session.scalars(select(Audit).where(Audit.state_id == state.id).order_by(Audit.id.desc())).all()
    counts: dict[int, dict[str, int]] = {r.id: {"open": 0, "passed": 0, "findings": 0} for r in rows}
    if rows:
        for audit_id, status, n in session.execute(
                select(AuditCase.audit_id, AuditCase.status, func.count()).where(
                    AuditCase.audit_id.in_(list(counts))).group_by(AuditCase.audit_id, AuditCase.status)):
            counts[audit_id][status] = n
    return [(r, counts[r.id]) for r in rows]


def get_audit(session, principal: Principal, audit_id: int) -> Audit:
    """The audit, if the caller audits its state: another state's office is told it does
    not exist (404); HR and educators may not audit (403)."""
    principal.require("audit")
    row = session.get(Audit, audit_id) if 1 <= audit_id <= MAX_ID else None
    if row is None or (principal.role != ADMIN and principal.state_id != row.state_id):
        raise NotFound(f"audit {audit_id} not found")
    return row


def get_case(session, principal: Principal, audit_id: int, case_id: int) -> AuditCase:
    row = get_audit(session, principal, audit_id)
    case = session.get(AuditCase, case_id) if 1 <= case_id <= MAX_ID else None
    if case is None or case.audit_id != row.id:
        raise NotFound(f"case {case_id} of audit {audit_id} not found")
    return case


@dataclass
class CaseEntry:
    entry: Entry
    evidence: EntryEvidence | None
    finding: AuditFinding | None


def case_entries(session, case: AuditCase) -> tuple[list[CaseEntry], bool]:
    """The entries that counted toward the renewal (its snapshot's `counted_entries`), each
    with its evidence file and this case's finding; without a snapshot list, the entries
    earned in the cycle. Second: whether they come from the snapshot."""
    counted = (case.renewal.snapshot or {}).get("counted_entries")
    if counted is not None:
        stmt = select(Entry).where(Entry.id.in_([int(i) for i in counted]))
    else:
        stmt = select(Entry).where(Entry.educator_id == case.educator_id,
                                   Entry.earned_on >= case.cycle.cycle_start,
                                   Entry.earned_on <= case.cycle.current_cycle_end)
    entries = session.scalars(stmt.order_by(Entry.earned_on, Entry.id)).unique().all()
    ids = [e.id for e in entries]
    evidence = {x.entry_id: x for x in session.scalars(
        select(EntryEvidence).where(EntryEvidence.entry_id.in_(ids)))} if ids else {}
    found = {f.entry_id: f for f in case.findings}
    return [CaseEntry(e, evidence.get(e.id), found.get(e.id)) for e in entries], counted is not None


def decide(session, principal: Principal, audit_id: int, case_id: int, outcome: str,
           findings: dict[int, str], today: date) -> tuple[AuditCase, list[str]]:
    """Record a case's outcome: "passed" (no findings), or "findings": {entry_id: reason}
    for the entries disallowed, each voided as "Audit <id>: <reason>". An entry void
    already is recorded as found, not voided again; the notes name it. Deciding a case
    that was decided is 409."""
    case = get_case(session, principal, audit_id, case_id)
    _may_audit(principal, case.audit.state)
    if case.status != "open":
        raise Conflict(f"case {case.id} was already decided ({case.status}) by {case.decided_by} on "
                       f"{case.decided_at:%Y-%m-%d}", {"status": [f"already {case.status}"]})
    errors: dict[str, list[str]] = {}
    if outcome not in ("passed", "findings"):
        errors["outcome"] = ["choose passed, or findings"]
    elif outcome == "passed" and findings:
        errors["outcome"] = ["a case with entries disallowed is decided as findings, not passed"]
    elif outcome == "findings" and not findings:
        errors["findings"] = ["disallow at least one entry, with the reason"]
    listed = {ce.entry.id: ce.entry for ce in case_entries(session, case)[0]}
    for entry_id, reason in findings.items():
        key = f"findings.{entry_id}"
        if entry_id not in listed:
            errors[key] = [f"entry {entry_id} is not an entry of this case"]
        elif not (reason or "").strip():
            errors[key] = [f"say why entry {entry_id} is disallowed"]
        elif len(reason.strip()) > MAX_REASON:
            errors[key] = [f"at most {MAX_REASON} characters"]
    if errors:
        raise Invalid("the outcome was not recorded: " + "; ".join(m for ms in errors.values() for m in ms), errors)
    notes = []
    for entry_id, reason in sorted(findings.items()):
        entry, reason = listed[entry_id], reason.strip()
        void_id = None
        if entry.void is not None:
            notes.append(f"entry {entry_id} was already void (since {entry.void.voided_at:%Y-%m-%d}: "
                         f"{entry.void.reason}); the finding is kept, nothing was voided again")
        else:
            void_id = void_entry(session, principal, entry_id, f"Audit {case.audit_id}: {reason}").void.id
        session.add(AuditFinding(case_id=case.id, entry_id=entry_id, reason=reason, void_id=void_id,
                                 recorded_by=principal.actor))
    done = session.execute(update(AuditCase).where(AuditCase.id == case.id, AuditCase.status == "open")
                           .values(status=outcome, decided_by=principal.actor, decided_at=utcnow())
                           .execution_options(synchronize_session=False)).rowcount
    if done != 1:
        raise Conflict(f"case {case.id} was decided a moment ago", {"status": ["already decided"]})
    trail.record(session, principal.actor, "decide_audit_case", "audit_case", case.id, {
        "audit_id": case.audit_id, "outcome": outcome, "disallowed": sorted(findings), "on": today.isoformat()})
    session.flush()
    session.refresh(case)
    return case, notes
