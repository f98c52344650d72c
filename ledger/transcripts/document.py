"""What a transcript shows, assembled once from the standing every reader shares. The PDF
template and the machine-readable CLR both read this, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

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
    reason: str | None


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


def _cycle_key(lic) -> tuple:
    return (lic["license"], lic["cycle_start"], lic["cycle_end"])


def assemble(session, educator: Educator, standing: dict, *, office: str, official: bool,
             generated_at: datetime) -> Document:
    state = session.scalar(select(State).where(State.code == standing["state"]))
    as_of = date.fromisoformat(standing["as_of"])
    credentials = credentials_for(
        session, {e["credential"] for e in standing["entries"] if e["credential"]}
    )

    # Every license held in this state, each with its cycle; renewal progress where the
    # rulebook has a rule for the license type.
    progress = {_cycle_key(r): r for r in standing["renewal"]}
    licenses = []
    for lic in session.scalars(
        select(License).where(License.educator_id == educator.id, License.state_id == state.id)
        .order_by(License.cycle_start, License.id)
    ):
        key = (lic.type, lic.cycle_start.isoformat(), lic.cycle_end.isoformat())
        r = progress.get(key)
        licenses.append({
            "type": lic.type,
            "cycle_start": lic.cycle_start,
            "cycle_end": lic.cycle_end,
            "required": None if r is None else r["required_units"],
            "earned": None if r is None else r["earned_units"],
            "status": None if r is None else r["status"],
            "status_text": "No renewal rule for this license" if r is None else RENEWAL_STATUS[r["status"]],
            "rule": None if r is None else r["rule"],
        })

    rules: list[str] = []

    def cite(text):
        if not text:
            return None
        if text not in rules:
            rules.append(text)
        return rules.index(text) + 1

    rows = []
    for e in standing["entries"]:
        c = credentials.get(e["credential"] or "", {})
        rows.append(Row(
            earned_on=date.fromisoformat(e["earned_on"]), kind=e["kind"], code=e["credential"],
            title=c.get("title") or e.get("title") or e["credential"] or "",
            issuer=c.get("issuer"), units=e["units"], rule=cite(e["rule"]), reason=e["reason"],
        ))
    for lic in licenses:
        lic["rule_no"] = cite(lic["rule"])

    pathways = []
    for p in standing["pathways"]:
        m = p.get("maintenance")
        if p["status"] == "in_progress":
            detail = f"{p['counted']} of {p['required_count']} credentials"
        elif p["status"] == "permanent":
            detail = f"Permanent since {p['permanent_on']}"
        elif p["status"] == "lapsed":
            detail = f"Lapsed on {p['lapsed_on']}"
        elif m is not None:
            detail = (f"Maintenance period {m['period']}: {m['counted']} of {m['required_count']} "
                      f"by {m['period_end']}")
        else:
            detail = "Held"
        pathways.append({
            "code": p["code"], "name": p["name"], "designation": p["designation"],
            "status": p["status"], "status_text": PATHWAY_STATUS.get(p["status"], p["status"]),
            "awarded_on": p["awarded_on"], "detail": detail, "rule_no": cite(p["rule"]),
            "counted_entries": p["counted_entries"],
        })

    mcs = [r for r in rows if r.kind == "microcredential"]
    totals = {
        "microcredentials": len(mcs),
        "activities": len(rows) - len(mcs),
        "units": round(sum(r.units for r in rows), 2),
        "pathways_awarded": sum(1 for p in pathways if p["status"] in ("active", "permanent")),
    }
    return Document(
        official=official, state=state.code, state_name=state.name, office=office,
        unit=standing["unit"], rulebook_version=standing["rulebook_version"],
        name=educator.name, license_number=educator.license_number, as_of=as_of,
        generated_at=generated_at, licenses=licenses, pathways=pathways, rows=rows,
        rules=rules, totals=totals, credentials=credentials,
    )
