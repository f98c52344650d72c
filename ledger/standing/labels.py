"""What the pages show, computed from the standing answer every reader shares (so a page
can never disagree with the API or a transcript)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from pathways import add_months

from ..models import Credential, Issuer

RENEWAL_LABEL = {"complete": ("Renewal requirements met", "good"),
                 "in_progress": ("In progress", "info"),
                 "lapsed": ("Cycle ended short", "bad")}
PATHWAY_LABEL = {"in_progress": ("In progress", "info"), "active": ("Held", "good"),
                 "permanent": ("Permanent", "good"), "lapsed": ("Lapsed", "bad")}
PERIOD_LABEL = {"met": "met", "open": "now", "lapsed": "missed", "upcoming": "next"}


def long_date(d: date | str | None) -> str:
    if d is None:
        return ""
    if isinstance(d, str):
        d = date.fromisoformat(d)
    return f"{d.day} {d.strftime('%B %Y')}"


def current_cycles(items, day: date, key=lambda x: (x.type, x.cycle_start, x.cycle_end)) -> list:
    """Of each license type, the cycle that holds `day`, else the latest that has started
    (a cycle that has not begun yet is not current; earlier cycles are history). `key`
    gives (type, cycle_start, cycle_end) of an item. One rule for every page."""
    best: dict[str, tuple] = {}
    for item in items:
        type_, start, end = key(item)
        if start > day:
            continue
        rank = (start <= day <= end, start)
        if type_ not in best or rank > best[type_][0]:
            best[type_] = (rank, item)
    chosen = {id(v[1]) for v in best.values()}
    return [item for item in items if id(item) in chosen]


def renewal_flags(r: dict, day: date) -> dict:
    """behind pace: less earned than the share of the cycle gone by; due soon: the cycle
    ends within 6 months and is not complete; lapsed: ended short."""
    start, end = date.fromisoformat(r["cycle_start"]), date.fromisoformat(r["cycle_end"])
    span = max((end - start).days, 1)
    gone = min(max((day - start).days, 0), span) / span
    expected = r["required_units"] * gone
    in_progress = r["status"] == "in_progress"
    return {
        "behind": in_progress and r["earned_units"] + 1e-9 < expected,
        "due_soon": in_progress and end <= add_months(day, 6),
        "lapsed": r["status"] == "lapsed",
        "expected": round(expected, 2),
        "gone_pct": round(gone * 100),
    }


def renewal_view(r: dict, unit: str, day: date) -> dict:
    flags = renewal_flags(r, day)
    required = r["required_units"] or 0
    pct = 100 if required == 0 else min(100, round(100 * r["earned_units"] / required))
    label, tone = RENEWAL_LABEL[r["status"]]
    if r["status"] == "in_progress":
        if flags["behind"]:
            label, tone = "Behind pace", "warn"
        else:
            label, tone = "On pace", "good"
    pace = r.get("pace")
    return {**r, **flags, "pct": pct, "label": label, "tone": tone, "unit": unit,
            "deadline": long_date(r["cycle_end"]),
            "days_left": (date.fromisoformat(r["cycle_end"]) - day).days,
            "per_month": pace and pace["units_per_month"]}


def pathway_view(p: dict) -> dict:
    label, tone = PATHWAY_LABEL.get(p["status"], (p["status"], "plain"))
    counted = {c["credential"]: c for c in p["counted_entries"]}
    core = [{"code": c, "done": c not in p["missing_core"], "earned_on": counted.get(c, {}).get("earned_on")}
            for c in p["core"]]
    periods = [{**m, "label": PERIOD_LABEL.get(m["status"], m["status"]), "end": long_date(m["period_end"])}
               for m in p["periods"]]
    return {**p, "label": label, "tone": tone, "core_list": core, "period_list": periods,
            "window_closes": p["forecast"]["by"] if p.get("forecast") else None}


def dashboard(session, person, standing: dict, day: date) -> dict:
    unit = standing["unit"]
    renewals = [renewal_view(r, unit, day) for r in standing["renewal"]]
    current = current_cycles(renewals, day, key=lambda r: (
        r["license"], date.fromisoformat(r["cycle_start"]), date.fromisoformat(r["cycle_end"])))
    for r in renewals:
        r["current"] = any(r is c for c in current)
    paths = [pathway_view(p) for p in standing["pathways"]]
    codes = {e["credential"] for e in standing["entries"] if e["credential"]}
    names, titles = {}, {}
    if codes:
        for code, title, issuer in session.execute(
            select(Credential.code, Credential.title, Issuer.name)
            .join(Issuer, Credential.issuer_id == Issuer.id).where(Credential.code.in_(codes))
        ):
            names[code], titles[code] = issuer, title
    rules: list[str] = []
    entries = []
    for e in reversed(standing["entries"]):
        cite = e["rule"]
        if cite and cite not in rules:
            rules.append(cite)
        entries.append({**e, "issuer": names.get(e["credential"]), "name": titles.get(e["credential"]) or e["title"],
                        "rule_no": rules.index(cite) + 1 if cite else None})
    # the headline judges the current cycles only: an old lapse is history, a cycle
    # that has not begun is not yet due
    if any(r["status"] == "lapsed" for r in current):
        verdict = ("A renewal cycle ended short", "bad")
    elif any(r["behind"] for r in current):
        verdict = ("Behind pace for renewal", "warn")
    elif current and all(r["status"] == "complete" for r in current):
        verdict = ("Renewal requirements met", "good")
    elif current:
        verdict = ("On pace for renewal", "good")
    else:
        verdict = (f"No renewal rule for your licenses in {standing['state']}", "plain")
    renewals.sort(key=lambda r: (not r["current"], r["cycle_start"]))
    return {"renewals": renewals, "pathways": paths, "entries": entries, "verdict": verdict, "rules": rules,
            "unit": unit, "total_units": round(sum(e["units"] for e in standing["entries"]), 2)}
