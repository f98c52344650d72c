"""What a transcript shows, assembled once from the engine's standing, the one every reader
shares. The PDF template and the machine-readable CLR both read this, so they cannot
disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

import pathways

from .. import engine
from ..models import Credential, Educator, Issuer, License, State

RENEWAL_STATUS = {"complete": "Requirements met", "in_progress": "In progress", "lapsed": "Not met, cycle ended"}
PATHWAY_STATUS = {"in_progress": "In progress", "active": "Awarded", "lapsed": "Lapsed",
                  "permanent": "Awarded, permanent"}


@dataclass
class Row:
    earned_on: date
    kind: str
    code: str | None
    title: str
    issuer: str | None
    units: float
    rule: int | None   # the number of its cite in `rules`
    reason: str | None  # why it is worth nothing, or counted only in part or nowhere
    counted: float | None = None  # what it adds to a renewal cycle listed, after the caps


@dataclass
class Document:
    official: bool
    state: str
    state_name: str
    office: str
    unit: str
    rulebook_version: int
    name: str
    license_number: str
    as_of: date
    generated_at: datetime
    licenses: list[dict]
    pathways: list[dict]
    rows: list[Row]
    rules: list[str]
    totals: dict
    serial: str | None = None
    verify_url: str | None = None
    qr: str | None = None
    credentials: dict[str, dict] = field(default_factory=dict)


def office_name(rulebook_document: dict, state_name: str) -> str:
    return rulebook_document.get("office") or f"{state_name} Educator Licensure Office"


def credentials_for(session, codes) -> dict[str, dict]:
    """code -> {title, issuer, issuer_code, badge_id, description} for the codes shown."""
    if not codes:
        return {}
    rows = session.execute(
        select(Credential.code, Credential.title, Issuer.name, Issuer.code, Credential.badge_id)
        .join(Issuer, Credential.issuer_id == Issuer.id)
        .where(Credential.code.in_(sorted(codes)))
    )
    return {code: {"title": title, "issuer": issuer, "issuer_code": icode, "badge_id": badge}
            for code, title, issuer, icode, badge in rows}


def _detail(r: pathways.PathwayResult) -> str:
    m = r.maintenance
    if r.status == pathways.IN_PROGRESS:
        return f"{len(r.window)} of {r.required_count} credentials"
    if r.status == pathways.PERMANENT:
        return f"Permanent since {r.permanent_on}"
    if r.status == pathways.LAPSED:
        return f"Lapsed on {r.lapsed_on}"
    if m is not None:
        return f"Maintenance period {m.number}: {len(m.counted)} of {m.required_count} by {m.end}"
    return "Held"


def assemble(session, educator: Educator, standing: engine.Standing, *, office: str, official: bool,
             generated_at: datetime) -> Document:
    state = session.scalar(select(State).where(State.code == standing.rulebook.state))
    credentials = credentials_for(
        session, {v.entry.credential for v in standing.entries if v.entry.credential}
    )

    # Every license held in this state, each with its cycle; renewal progress where the
    # rulebook has a rule for the license type.
    progress = {p.license.id: p for p in standing.renewal}
    licenses = []
    for lic in session.scalars(
        select(License).where(License.educator_id == educator.id, License.state_id == state.id)
        .order_by(License.cycle_start, License.id)
    ):
        r = progress.get(lic.id)
        licenses.append({
            "type": lic.type,
            "cycle_start": lic.cycle_start,
            "cycle_end": lic.current_cycle_end,
            "required": None if r is None else float(r.rule.required_units),
            "earned": None if r is None else float(r.earned_units),
            "status": None if r is None else r.status,
            "status_text": "No renewal rule for this license" if r is None else RENEWAL_STATUS[r.status] + (
                f", renewed {r.renewed.renewed_on.isoformat()}" if r.renewed is not None else ""),
            "rule": None if r is None else r.rule.cite,
        })

    rules: list[str] = []

    def cite(text):
        if not text:
            return None
        if text not in rules:
            rules.append(text)
        return rules.index(text) + 1

    # What each entry adds to a renewal cycle (after the caps), so the record reconciles
    # with the licenses' figures: an entry counted nowhere, or cut by a cap, says so.
    shares = engine.cycle_shares(standing.renewal)
    rows = []
    for v in standing.entries:
        e = v.entry
        c = credentials.get(e.credential or "", {})
        share, why = shares.get(e.id, (None, None))
        note = engine.REASON_TEXT.get(v.reason, v.reason)
        if v.reason is None and share is None and standing.renewal:
            note = "counted toward no renewal cycle above"
        elif why is not None:
            note = f"{share:g} counted ({why})"
        rows.append(Row(
            earned_on=e.earned_on, kind=e.kind, code=e.credential,
            title=c.get("title") or e.title or e.credential or "",
            issuer=c.get("issuer"), units=float(v.units), rule=cite(v.rule), reason=note,
            counted=None if share is None else float(share),
        ))
    for lic in licenses:
        lic["rule_no"] = cite(lic["rule"])

    cards = []
    for r in standing.pathways:
        card = r.card
        cards.append({
            "code": card.code, "name": card.name, "designation": card.designation,
            "status": r.status, "status_text": PATHWAY_STATUS.get(r.status, r.status),
            "awarded_on": r.awarded_on, "detail": _detail(r), "rule_no": cite(card.cite),
            "counted_entries": [{"entry_id": c.entry.id} for c in r.counted],  # the CLR links them
        })

    mcs = [r for r in rows if r.kind == engine.MICROCREDENTIAL]
    totals = {
        "microcredentials": len(mcs),
        "activities": len(rows) - len(mcs),
        "units": round(sum(r.units for r in rows), 2),
        "counted": round(sum(r.counted or 0 for r in rows), 2),
        "pathways_awarded": sum(1 for p in cards if p["status"] in (pathways.ACTIVE, pathways.PERMANENT)),
    }
    return Document(
        official=official, state=state.code, state_name=state.name, office=office,
        unit=standing.rulebook.unit, rulebook_version=standing.rulebook.version,
        name=educator.name, license_number=educator.license_number, as_of=standing.as_of,
        generated_at=generated_at, licenses=licenses, pathways=cards, rows=rows,
        rules=rules, totals=totals, credentials=credentials,
    )
