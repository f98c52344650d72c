"""What the pages show, computed from the engine's results for the standing every reader
shares (so a page can never disagree with the API or a transcript), with the engine's
rules for which cycle is current and what is behind pace (engine.cycles)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

import pathways

from .. import engine
from ..models import Credential, Issuer
from .forecast import forecast_summary

RENEWAL_LABEL = {"complete": ("Renewal requirements met", "good"),
                 "in_progress": ("In progress", "info"),
                 "lapsed": ("Cycle ended short", "bad")}
PATHWAY_LABEL = {"in_progress": ("In progress", "info"), "active": ("Held", "good"),
                 "permanent": ("Permanent", "good"), "lapsed": ("Lapsed", "bad")}
PERIOD_LABEL = {"met": "met", "open": "now", "lapsed": "missed", "upcoming": "next"}


def long_date(d: date | None) -> str:
    if d is None:
        return ""
    return f"{d.day} {d.strftime('%B %Y')}"


def renewal_view(p: engine.RenewalProgress, unit: str) -> dict:
    """One license's renewal as of its standing's day: figures as floats for display,
    dates as dates."""
    lic = p.license
    share = float(engine.cycle_share(lic, p.as_of))
    required, earned = float(p.rule.required_units), float(p.earned_units)
    behind = engine.behind_pace(p)
    label, tone = RENEWAL_LABEL[p.status]
    if p.in_grace:
        label, tone = f"In grace until {long_date(p.grace_ends)}", "warn"
    elif p.status == engine.IN_PROGRESS:
        label, tone = ("Behind pace", "warn") if behind else ("On pace", "good")
    deadline = p.grace_ends if p.in_grace else lic.cycle_end
    cap = p.rule.max_microcredential_units
    return {
        "license": lic.type, "cycle_start": lic.cycle_start, "cycle_end": lic.cycle_end, "status": p.status,
        "required_units": required, "earned_units": earned, "remaining_units": float(p.remaining_units),
        "microcredential_units": float(p.microcredential_units),
        "microcredential_units_counted": float(p.microcredential_units_counted),
        "max_microcredential_units": None if cap is None else float(cap),
        "minimums": p.minimums, "rule": p.rule.cite,
        "behind": behind, "due_soon": engine.due_soon(p), "lapsed": p.status == engine.LAPSED,
        "expected": round(required * share, 2), "gone_pct": round(share * 100),
        "pct": 100 if required == 0 else min(100, round(100 * earned / required)),
        "label": label, "tone": tone, "unit": unit,
        "deadline": long_date(deadline), "days_left": (deadline - p.as_of).days,
        "grace_ends": p.grace_ends, "in_grace": p.in_grace,
        "per_month": p.pace and float(p.pace.units_per_month),
    }


def pathway_view(r: pathways.PathwayResult) -> dict:
    card = r.card
    label, tone = PATHWAY_LABEL.get(r.status, (r.status, "plain"))
    earned = {c.entry.credential: c.entry.earned_on for c in r.counted}
    return {
        "code": card.code, "name": card.name, "designation": card.designation, "effects": card.effects,
        "rule": card.cite, "window_years": card.window_years, "status": r.status, "label": label, "tone": tone,
        "counted": len(r.window), "required_count": r.required_count,
        "awarded_on": r.awarded_on, "permanent_on": r.permanent_on, "lapsed_on": r.lapsed_on,
        "core_list": [{"code": c, "done": c not in r.missing_core, "earned_on": earned.get(c)} for c in card.core],
        "electives": [{"choose": g.choose, "counted": g.counted, "from": sorted(card.electives[g.group].from_ or ()),
                       "tags": sorted(card.electives[g.group].tags or ())} for g in r.groups],
        "period_list": [{"period": m.number, "status": m.status, "label": PERIOD_LABEL.get(m.status, m.status),
                         "counted": len(m.counted), "required_count": m.required_count, "end": long_date(m.end)}
                        for m in r.periods],
        "summary": None if r.forecast is None else forecast_summary(r),
    }


def dashboard(session, s: engine.Standing) -> dict:
    """The educator's page: each renewal (the current cycles first), each role card, every
    entry (newest first, with its issuer and the number of its rule), and the headline."""
    day, unit = s.as_of, s.rulebook.unit
    current = {id(p) for p in engine.current_cycles(s.renewal, day, key=engine.LICENSE)}
    renewals = [{**renewal_view(p, unit), "current": id(p) in current} for p in s.renewal]
    codes = {v.entry.credential for v in s.entries if v.entry.credential}
    names, titles = {}, {}
    if codes:
        for code, title, issuer in session.execute(
            select(Credential.code, Credential.title, Issuer.name)
            .join(Issuer, Credential.issuer_id == Issuer.id).where(Credential.code.in_(codes))
        ):
            names[code], titles[code] = issuer, title
    rules: list[str] = []
    entries = []
    for v in reversed(s.entries):
        e, cite = v.entry, v.rule
        if cite and cite not in rules:
            rules.append(cite)
        entries.append({"id": e.id, "earned_on": e.earned_on, "credential": e.credential, "title": e.title,
                        "units": float(v.units), "rule": cite, "reason": v.reason,
                        "issuer": names.get(e.credential), "name": titles.get(e.credential) or e.title,
                        "rule_no": rules.index(cite) + 1 if cite else None})
    return {"renewals": sorted(renewals, key=lambda r: (not r["current"], r["cycle_start"])),
            "pathways": [pathway_view(r) for r in s.pathways], "entries": entries,
            "verdict": _verdict([r for r in renewals if r["current"]], s.rulebook.state), "rules": rules,
            "unit": unit, "total_units": round(sum(float(v.units) for v in s.entries), 2)}


def _verdict(current: list[dict], state: str) -> tuple[str, str]:
    """The headline judges the current cycles only: an old lapse is history, a cycle that
    has not begun is not yet due."""
    if any(r["status"] == engine.LAPSED for r in current):
        return "A renewal cycle ended short", "bad"
    if any(r["behind"] for r in current):
        return "Behind pace for renewal", "warn"
    if current and all(r["status"] == engine.COMPLETE for r in current):
        return "Renewal requirements met", "good"
    if current:
        return "On pace for renewal", "good"
    return f"No renewal rule for your licenses in {state}", "plain"
