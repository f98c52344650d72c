"""The roster: every current employee's renewal, role cards and salary lane, read in
bulk the way a salary run does (one query for the employees, one for their licenses, one
for their entries, then the engine in memory)."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import select

from pathways import PathwayEvaluator, add_months

from .. import engine
from ..models import District, Educator, License
from ..rulebooks.engine_view import engine_rulebook
from ..rulebooks.service import newest_version
from ..standing.answer import renewal_dict
from ..standing.facts import facts_by_educator
from ..standing.labels import current_cycles, renewal_view

STAGE_OF = {"in_progress": "in_progress", "active": "held", "permanent": "permanent", "lapsed": "lapsed"}
STAGE_TONE = {"in_progress": "info", "held": "good", "permanent": "good", "lapsed": "bad"}


def _renewal_pill(r: dict) -> tuple[str, str, str]:
    """(filter key, label, tone) for one license's renewal."""
    if r["status"] == "complete":
        return "complete", "Complete", "good"
    if r["status"] == "lapsed":
        return "lapsed", "Lapsed", "bad"
    if r["behind"]:
        return "behind", "Behind pace", "warn"
    return "on_pace", "On pace", "good"


def roster_rows(session, district: District, day: date) -> tuple[list[dict], str, list]:
    """Every current employee's renewal (the current cycle of each license type in the
    district's state), role cards and salary lane, as of `day`; with the unit and the
    employees' engine facts (for the chart)."""
    version = newest_version(session, district.state.code)
    rulebook = engine_rulebook(version)
    employees = session.execute(
        select(Educator.id, Educator.license_number, Educator.first_name, Educator.last_name)
        .where(Educator.district_id == district.id)
        .order_by(Educator.last_name, Educator.first_name, Educator.id)
    ).all()
    licenses: dict[int, list[engine.License]] = {}
    for educator_id, id_, type_, start, end in session.execute(
        select(License.educator_id, License.id, License.type, License.cycle_start, License.cycle_end)
        .join(Educator, License.educator_id == Educator.id)
        .where(Educator.district_id == district.id, License.state_id == district.state_id)
    ):
        licenses.setdefault(educator_id, []).append(engine.License(id_, type_, start, end))
    facts = facts_by_educator(session, [e[0] for e in employees], day)
    valuer = engine.Valuer(rulebook)
    rules = rulebook.district(district.code)
    evaluator = PathwayEvaluator(rulebook.pathways + (rules.pathways if rules is not None else ()))
    rows = []
    for educator_id, license_number, first, last in employees:
        s = engine.standing(facts.get(educator_id, []), licenses.get(educator_id, []), rulebook, day, valuer,
                            district=district.code, evaluator=evaluator)
        renewals = []
        for progress in current_cycles(s.renewal, day, key=lambda p: (
                p.license.type, p.license.cycle_start, p.license.cycle_end)):
            view = renewal_view(renewal_dict(progress, rulebook), rulebook.unit, day)
            key, label, tone = _renewal_pill(view)
            renewals.append({**view, "key": key, "pill": label, "pill_tone": tone})
        cards = []
        for result in s.pathways:
            stage = STAGE_OF[result.status]
            if stage == "in_progress" and not result.window:
                continue  # not started: every teacher would list every card
            label = {"in_progress": f"In progress {len(result.window)} of {result.required_count}",
                     "held": "Held", "permanent": "Permanent", "lapsed": "Lapsed"}[stage]
            cards.append({"code": result.card.code, "name": result.card.designation or result.card.name,
                          "stage": stage, "label": label, "tone": STAGE_TONE[stage]})
        keys = {r["key"] for r in renewals} | {"due_soon" for r in renewals if r["due_soon"]}
        rows.append({
            "id": educator_id, "name": f"{first} {last}", "sort_name": f"{last}, {first}",
            "license_number": license_number, "renewals": renewals, "cards": cards,
            "lane": s.salary.lane if s.salary is not None else None,
            "keys": keys, "stages": _stages(cards),
        })
    return rows, rulebook.unit, facts


def _stages(cards: list[dict]) -> set[str]:
    stages = {c["stage"] for c in cards} or {"none"}
    if stages & {"held", "permanent"}:
        stages.add("holding")
    return stages


def monthly_mcs(facts: dict[int, list], day: date, months: int = 24) -> list[tuple[str, int, None]]:
    """Micro-credentials earned by the employees in each of the last `months` months
    (this month included), from the facts the roster already read."""
    first = add_months(day.replace(day=1), -(months - 1))
    counts = Counter((e.earned_on.year, e.earned_on.month) for entries in facts.values() for e in entries
                     if e.credential is not None and first <= e.earned_on <= day)
    out = []
    for i in range(months):
        m = add_months(first, i)
        out.append((m.strftime("%b %Y"), counts.get((m.year, m.month), 0), None))
    return out


def matches(row: dict, q: str) -> bool:
    q = q.casefold()
    return any(q in text.casefold() for text in (row["name"], row["sort_name"], row["license_number"]))
