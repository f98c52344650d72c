"""The standing answer every reader shares (API, pages, transcripts, reports)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pathways

from .. import engine
from ..models import Educator
from .facts import entry_facts, license_facts, rulebook_for
from .forecast import forecast_summary


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
