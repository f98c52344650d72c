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
        "grace_ends": p.grace_ends, "in_grace": p.in_grace, "number": p.cycle_number,
        "carried_over_units": float(p.carried_over_units),
        "school_years": [{"start": long_date(y.start), "end": long_date(y.end), "units": float(y.units),
                          "required": float(y.required_units), "met": y.met, "over": y.end < p.as_of,
                          "current": y.start <= p.as_of <= y.end} for y in p.school_years],
        "short_year": next((y for y in p.school_years if y.end < p.as_of and not y.met), None),
        "renewed_on": long_date(p.renewed.renewed_on) if p.renewed is not None else None,
        "per_month": p.pace and float(p.pace.units_per_month),
        "full": (_full(p) or "").replace("{unit}", unit) or None,
        "satisfied": _satisfied(p),
    }


def _satisfied(p: engine.RenewalProgress) -> str | None:
    """The sentence naming the credential that completes the cycle whatever the units."""
    if p.satisfied_by is None or p.status != engine.COMPLETE:
        return None
    if p.satisfied_until is None:
        return f"{p.satisfied_by}, earned in this cycle, completes it on its own, whatever the units."
    return (f"{p.satisfied_by}, current through {long_date(p.satisfied_until)}, completes this cycle on its own, "
            "whatever the units.")


def _full(p: engine.RenewalProgress) -> str | None:
    """What is left must come from other kinds of learning: a sentence naming the cap that
    is full, when one is and units are still missing."""
    if p.status == engine.COMPLETE or p.remaining_units <= 0:
        return None
    full = [f"the {c.name} area" for c in p.categories if c.full]
    cap = p.rule.max_microcredential_units
    if cap is not None and p.microcredential_units >= cap:
        full.insert(0, "micro-credentials")
    if not full:
        return None
    singular = len(full) == 1 and full[0] != "micro-credentials"
    return (f"{' and '.join(full).capitalize()} already count{'s' if singular else ''} as much as the rule "
            f"allows: the {p.remaining_units:g} {{unit}} still needed must come from other kinds of learning.")


def pathway_view(r: pathways.PathwayResult, titles: dict[str, str] | None = None) -> dict:
    """One role card for the page; `titles` (code -> catalog title) names the credentials
    its checklists list, so a teacher reads what to take, not only its code."""
    card = r.card
    titles = titles or {}
    label, tone = PATHWAY_LABEL.get(r.status, (r.status, "plain"))
    earned = {c.entry.credential: c.entry.earned_on for c in r.counted}
    in_group = {(c.group, c.entry.credential) for c in r.counted if c.group is not None}
    return {
        "code": card.code, "name": card.name, "designation": card.designation, "effects": card.effects,
        "rule": card.cite, "window_years": card.window_years, "status": r.status, "label": label, "tone": tone,
        "counted": len(r.window), "required_count": r.required_count,
        "awarded_on": r.awarded_on, "permanent_on": r.permanent_on, "lapsed_on": r.lapsed_on,
        "core_list": [{"code": c, "title": titles.get(c), "done": c not in r.missing_core, "earned_on": earned.get(c)}
                      for c in card.core],
        "electives": [{"choose": g.choose, "counted": g.counted,
                       "from": sorted(card.electives[g.group].from_ or ()),
                       "options": [{"code": c, "title": titles.get(c), "done": (g.group, c) in in_group}
                                   for c in sorted(card.electives[g.group].from_ or ())],
                       "tags": sorted(card.electives[g.group].tags or ())} for g in r.groups],
        # after a lapse nothing can count in a later period: those are not shown as if they could
        "period_list": [{"period": m.number, "status": m.status, "label": PERIOD_LABEL.get(m.status, m.status),
                         "counted": len(m.counted), "required_count": m.required_count, "end": long_date(m.end)}
                        for m in r.periods if not (r.status == pathways.LAPSED and m.status == "upcoming")],
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
    toward = counts_toward(s)
    card_names = card_titles(session, s.pathways)
    for v in reversed(s.entries):
        e, cite = v.entry, v.rule
        if cite and cite not in rules:
            rules.append(cite)
        entries.append({"id": e.id, "earned_on": e.earned_on, "credential": e.credential, "title": e.title,
                        "units": float(v.units), "rule": cite,
                        "reason": engine.REASON_TEXT.get(v.reason, v.reason),
                        "issuer": names.get(e.credential), "name": titles.get(e.credential) or e.title,
                        "rule_no": rules.index(cite) + 1 if cite else None, "toward": toward.get(e.id)})
    return {"renewals": sorted(renewals, key=lambda r: (not r["current"], r["cycle_start"])),
            "pathways": [pathway_view(r, card_names) for r in s.pathways], "entries": entries,
            "verdict": _verdict(renewals, s.pathways, s.rulebook.state), "rules": rules,
            "unit": unit, "total_units": round(sum(float(v.units) for v in s.entries), 2)}


def card_titles(session, results) -> dict[str, str]:
    """The catalog titles of every credential the role cards name (core and elective lists)."""
    codes = {c for r in results for c in r.card.core}
    codes |= {c for r in results for g in r.card.electives for c in (g.from_ or ())}
    if not codes:
        return {}
    return dict(session.execute(select(Credential.code, Credential.title).where(Credential.code.in_(codes))).all())


def _verdict(renewals: list[dict], cards, state: str) -> tuple[str, str]:
    """The headline judges the current cycles (an old lapse is history, a cycle that has
    not begun is not yet due), and a cycle still in its grace days even when the next has
    begun; it never says all is well beside a designation that has lapsed."""
    current = [r for r in renewals if r["current"]]
    grace = [r for r in renewals if r["in_grace"]]
    lapsed = [c for c in cards if c.status == pathways.LAPSED and c.card.designation]
    if any(r["status"] == engine.LAPSED for r in current):
        text, tone = "A renewal cycle ended short", "bad"
    elif grace:
        text, tone = f"A cycle ended short: in grace until {long_date(min(r['grace_ends'] for r in grace))}", "warn"
    elif any(r["behind"] for r in current):
        text, tone = "Behind pace for renewal", "warn"
    elif current and all(r["status"] == engine.COMPLETE for r in current):
        text, tone = "Renewal requirements met", "good"
    elif current:
        text, tone = "On pace for renewal", "good"
    else:
        text, tone = f"No renewal rule for your licenses in {state}", "plain"
    if lapsed:
        names = ", ".join(c.card.designation for c in lapsed)
        text, tone = f"{text}; {names} lapsed", "bad"
    return text, tone


def counts_toward(s: engine.Standing) -> dict[int, str]:
    """For each entry, which cycle it counts toward ("Cycle 2, 2025-2030"), or why none:
    before the first cycle, between two, after a renewal, or after the last cycle ended
    with no next one open yet. Empty when no rule judges any cycle."""
    by_type: dict[str, list[engine.RenewalProgress]] = {}
    for p in s.renewal:
        by_type.setdefault(p.license.type, []).append(p)
    several = len(by_type) > 1
    notes: dict[int, list[str]] = {}
    for type_, cycles in by_type.items():
        counted = {v.entry.id: p for p in cycles for v in p.counted}
        shares = engine.cycle_shares(cycles)
        prefix = f"{type_.capitalize()}: " if several else ""
        for v in s.entries:
            p = counted.get(v.entry.id)
            if p is not None:
                note = _cycle_name(p, v.entry.earned_on)
            elif v.entry.review is not None:  # a badge not approved counts nowhere, whatever its date
                note = f"None: {engine.REASON_TEXT.get(v.reason, v.reason)}"
            else:
                note = _why_none(v.entry.earned_on, cycles)
            share, why = shares.get(v.entry.id, (v.units, None))
            if p is not None and why is not None:
                note += f" ({share:g} of {v.units:g} counted: {why})"
            notes.setdefault(v.entry.id, []).append(prefix + note)
    return {k: "; ".join(v) for k, v in notes.items()}


def _cycle_name(p: engine.RenewalProgress, day: date) -> str:
    name = f"Cycle {p.cycle_number}, {p.license.cycle_start.year}-{p.license.cycle_end.year}"
    return f"{name} (in its grace days)" if day > p.license.cycle_end else name


def _why_none(day: date, cycles: list[engine.RenewalProgress]) -> str:
    first, last = cycles[0], cycles[-1]
    if day < first.license.cycle_start:
        return f"None: before cycle {first.cycle_number} began"
    if day > last.license.cycle_end:
        return (f"None open yet: after cycle {last.cycle_number} ended {long_date(last.license.cycle_end)}; "
                "it counts toward the next cycle once the license is renewed")
    for p in cycles:
        if p.license.cycle_start <= day <= p.license.cycle_end:
            if p.renewed is not None and day > p.renewed.renewed_on:
                return f"None: after cycle {p.cycle_number} was renewed"
            return f"None: not counted in cycle {p.cycle_number}"
    return "None: between two cycles"
