"""The engine's view of a stored rulebook version: plain frozen facts, parsed once per
version (versions never change once stored)."""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache

import pathways

from ..engine import Category, Conversion, Minimum, Rate, RenewalRule, Rulebook
from ..models import RulebookVersion
from .schema import rulebook_schema


def engine_rulebook(row: RulebookVersion) -> Rulebook:
    return _engine_rulebook(row.state.code, row.version, json.dumps(row.document, sort_keys=True))


@lru_cache(maxsize=64)
def _engine_rulebook(state: str, version: int, document_json: str) -> Rulebook:
    # Versions never change once stored, so the parsed form is cached by its content.
    document = json.loads(document_json)
    data = rulebook_schema.load(document)
    return Rulebook(
        state=data["state"],
        version=version,
        name=data["name"],
        unit=data["unit"],
        units_per_clock_hour=data["units_per_clock_hour"],
        cite=data["cite"],
        rates=tuple(
            Rate(
                units=r["units"], effective_from=r["effective_from"], effective_to=r["effective_to"],
                issuer=r["issuer"], credential=r["credential"], cite=r["cite"],
            )
            for r in data["exchange_rates"]
        ),
        conversions=tuple(
            Conversion(c["measure"], c["units"], c["effective_from"], c.get("effective_to"), c.get("cite") or "")
            for c in data.get("conversions") or ()
        ),
        renewal=tuple(
            RenewalRule(
                license=r["license"], required_units=r["required_units"],
                max_microcredential_units=r["max_microcredential_units"],
                minimums=tuple(Minimum(m["tag"], m.get("units"), m.get("count")) for m in r["minimums"]),
                exclusive_minimums=bool(r.get("exclusive_minimums")),
                cite=r["cite"],
                cycles_ending_from=r.get("cycles_ending_from"), cycles_ending_to=r.get("cycles_ending_to"),
                cycle_years=r.get("cycle_years"), grace_days=r.get("grace_days") or 0,
                carry_over_max_units=r.get("carry_over_max_units"), annual_units=r.get("annual_units"),
                year_starts=tuple(int(x) for x in (r.get("year_starts") or "07-01").split("-")),
                categories=tuple(Category(c["name"], frozenset(c["tags"]), c.get("max_units"), c.get("max_fraction"))
                                 for c in r.get("categories") or ()),
                min_categories=r.get("min_categories"),
                satisfied_by=frozenset(c for c in r.get("satisfied_by") or () if isinstance(c, str)),
                held_current=tuple((c["credential"], c["valid_years"]) for c in r.get("satisfied_by") or ()
                                   if isinstance(c, dict)),
                units_per_other_license=r.get("units_per_other_license"),
                highest_of_held=bool(r.get("highest_of_held")),
            )
            for r in data["renewal"]
        ),
        pathways=tuple(_role_card(p, data["state"]) for p in data["pathways"]),
        districts=tuple(
            pathways.DistrictRules(
                code=d["code"], name=d["name"], salary_credits_per_mc=d["salary_credits_per_mc"],
                lanes=tuple(pathways.Lane(lane["name"], lane["min_credits"]) for lane in d["lanes"]),
                pathways=tuple(_role_card(p, d["code"]) for p in d["pathways"]),
            )
            for d in data["districts"]
        ),
        document=document,
    )


def _codes(values) -> frozenset[str] | None:
    return None if values is None else frozenset(values)


def _role_card(p: dict, owner: str) -> pathways.RoleCard:
    effects = p.get("effects") or {}
    return pathways.RoleCard(
        code=p["code"], name=p["name"], designation=p["designation"], owner=owner,
        core=tuple(p["core"]), required_count=p["required_count"], window_years=p["window_years"],
        electives=tuple(
            pathways.Group(g["choose"], _codes(g.get("from_")), _codes(g.get("tags")))
            for g in p["electives"]
        ),
        effects=pathways.Effects(
            base_salary_pct=effects.get("base_salary_pct") or Decimal(0),
            salary_lane=effects.get("salary_lane"),
        ),
        maintenance=tuple(
            pathways.Period(m["years"], m["required_count"], _codes(m.get("from_")), _codes(m.get("tags")))
            for m in p["maintenance"]
        ),
        cite=p["cite"],
    )
