"""The roster: every current employee's renewal, role cards and salary lane, read in
bulk the way a salary run does (standing.many.standings_for: one query for the employees,
one for their licenses, a few for their entries, then the engine in memory), each row kept
until a write judges its employee again."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date
from typing import NamedTuple

from sqlalchemy import and_, case, exists, extract, func, or_, select, true

from pathways import add_months

from .. import engine
from ..exports import csv_lines
from ..models import District, Educator, Entry, StandingCard, StandingCycle, StandingEducator, Void
from ..rulebooks.engine_view import engine_rulebook
from ..rulebooks.service import newest_version
from ..standing import lists
from ..standing.labels import renewal_view
from ..standing.many import standings_for
from ..standing.summary import Kept
from ..text import like

STAGE_OF = {"in_progress": "in_progress", "active": "held", "permanent": "permanent", "lapsed": "lapsed"}
STAGE_TONE = {"in_progress": "info", "held": "good", "permanent": "good", "lapsed": "bad"}
STAGE_LABEL = {"held": "Held", "permanent": "Permanent", "lapsed": "Lapsed"}


class Roster(NamedTuple):
    rows: list[dict]
    unit: str


# Rows judged by the engine, kept in this process under the educator's projection token
# (new whenever a write judges the educator again), the rulebook version, the district and
# the day: a repeat visit judges only those that changed. The token is read before the
# facts, so a write committed in between only makes the row miss next time.
_ROWS = Kept(5_000)  # at most about 4 KB a row (traced at 100k): under 20 MB, 50 pages of 100


def _renewal_pill(r: dict) -> tuple[str, str, str]:
    """(filter key, label, tone) for one license's renewal."""
    if r["status"] == engine.COMPLETE:
        return "complete", "Complete", "good"
    if r["status"] == engine.LAPSED:
        return "lapsed", "Lapsed", "bad"
    if r["behind"]:
        return "behind", "Behind pace", "warn"
    return "on_pace", "On pace", "good"


def _cards(s: engine.Standing) -> list[dict]:
    cards = []
    for result in s.pathways:
        stage = STAGE_OF[result.status]
        if stage == "in_progress" and not result.window:
            continue  # not started: every teacher would list every card
        label = STAGE_LABEL.get(stage) or f"In progress {len(result.window)} of {result.required_count}"
        cards.append({"code": result.card.code, "name": result.card.designation or result.card.name,
                      "stage": stage, "label": label, "tone": STAGE_TONE[stage]})
    return cards


def roster_rows(session, district: District, day: date, ids: list[int] | None = None) -> Roster:
    """The current employees' renewal (the current cycle of each license type in the
    district's state, engine.current_cycles), role cards and salary lane, as of `day`:
    of `ids` (one page, in that order), or of everyone."""
    version = newest_version(session, district.state.code)
    stmt = select(Educator.id, Educator.license_number, Educator.first_name, Educator.last_name) \
        .where(Educator.district_id == district.id)
    if ids is not None:
        order = {id_: i for i, id_ in enumerate(ids)}
        employees = sorted(session.execute(stmt.where(Educator.id.in_(ids))).all(), key=lambda e: order[e[0]])
    else:
        employees = session.execute(stmt.order_by(Educator.last_name, Educator.first_name, Educator.id)).all()
    unit = engine_rulebook(version).unit
    tokens = dict(session.execute(select(StandingEducator.educator_id, StandingEducator.token)
                                  .where(StandingEducator.educator_id.in_([e[0] for e in employees]))).all())
    keys = {e[0]: (district.id, e[0], day, version.id, tokens[e[0]]) if e[0] in tokens else None for e in employees}
    found = {i: row for i, k in keys.items() if k is not None and (row := _ROWS.get(k)) is not None}
    missing = [e for e in employees if e[0] not in found]
    judged = {}
    for (educator_id, license_number, first, last), (_, s) in zip(
            missing, standings_for(session, version, day, [e[0] for e in missing], district=district.code)):
        found[educator_id] = judged[educator_id] = _row(s, day, unit, educator_id, license_number, first, last)
    _ROWS.put((keys[i], row) for i, row in judged.items() if keys[i] is not None)
    return Roster([found[e[0]] for e in employees], unit)


def _row(s: engine.Standing, day: date, unit: str, educator_id: int, license_number: str, first: str,
         last: str) -> dict:
    renewals = []
    for progress in engine.current_cycles(s.renewal, day, key=engine.LICENSE):
        view = renewal_view(progress, unit)
        key, label, tone = _renewal_pill(view)
        renewals.append({**view, "key": key, "pill": label, "pill_tone": tone})
    cards = _cards(s)
    keys = {r["key"] for r in renewals} | {"due_soon" for r in renewals if r["due_soon"]}
    return {"id": educator_id, "name": f"{first} {last}", "sort_name": f"{last}, {first}",
            "license_number": license_number, "renewals": renewals, "cards": cards,
            "lane": s.salary.lane if s.salary is not None else None, "keys": keys, "stages": _stages(cards)}


# -- the roster's filters and counts, from the standing projection (standing.lists): what
# they choose is judged by the engine only a page at a time

RENEWAL_KEYS = {"complete": ("complete",), "lapsed": ("lapsed",), "behind": ("behind_pace", "in_grace"),
                "on_pace": ("on_pace",), "due_soon": ("on_pace", "behind_pace", "in_grace")}
CARD_KEYS = {"in_progress": ("in_progress",), "held": ("held",), "permanent": ("permanent",),
             "holding": ("held", "permanent"), "card_lapsed": ("lapsed",)}


def _cycle(dialect: str, district: District, day: date, statuses, due_by: date | None = None):
    C = StandingCycle
    clause = exists().where(C.educator_id == Educator.id, C.state_id == district.state_id, lists.current_on(day),
                            lists.status_in(dialect, day, statuses))
    return clause.where(C.cycle_end <= due_by) if due_by is not None else clause


def _card(day: date, stages):
    K = StandingCard
    return exists().where(K.educator_id == Educator.id, lists.stage_expr(day).in_(stages))


def filter_clause(session, district: District, day: date, key: str):
    """The employees a roster filter (a renewal key or a card stage) keeps."""
    if key in RENEWAL_KEYS:
        dialect = session.get_bind().dialect.name
        return _cycle(dialect, district, day, RENEWAL_KEYS[key], add_months(day, 6) if key == "due_soon" else None)
    if key in CARD_KEYS:
        return _card(day, CARD_KEYS[key])
    if key == "none":
        return ~exists().where(StandingCard.educator_id == Educator.id)
    raise KeyError(key)


def employees(session, district: District, day: date, status: str = "", stage: str = "", q: str = "",
              ends: tuple[date | None, date | None] = (None, None), page: tuple[int, int] | None = None) -> list[int]:
    """The ids of the current employees the filters keep, in the roster's order: `ends`,
    a current cycle in the state ending in that range (both days included); `page`
    (offset, limit): only those."""
    stmt = select(Educator.id).where(Educator.district_id == district.id)
    if ends[0] is not None or ends[1] is not None:
        C = StandingCycle
        cycle = exists().where(C.educator_id == Educator.id, C.state_id == district.state_id, lists.current_on(day))
        if ends[0] is not None:
            cycle = cycle.where(C.cycle_end >= ends[0])
        if ends[1] is not None:
            cycle = cycle.where(C.cycle_end <= ends[1])
        stmt = stmt.where(cycle)
    if status:
        stmt = stmt.where(filter_clause(session, district, day, status))
    if stage:
        stmt = stmt.where(filter_clause(session, district, day, "card_lapsed" if stage == "lapsed" else stage))
    for word in q.split()[:5]:
        pattern = like(word.lower())
        stmt = stmt.where(or_(*(func.lower(c).like(pattern, escape="\\") for c in
                                (Educator.first_name, Educator.last_name, Educator.license_number))))
    stmt = stmt.order_by(Educator.last_name, Educator.first_name, Educator.id)
    if page is not None:
        stmt = stmt.offset(page[0]).limit(page[1])
    return list(session.scalars(stmt))


def employee_counts(session, district: District, day: date, keys) -> dict[str, int]:
    """How many current employees each filter keeps ("" for all of them): one pass over
    the employees' current cycles and one over their cards (by the employees' ids, an
    index probe each, where a join by district had the planner scan the state's rows),
    each filter a conditional count of distinct employees, statuses read as the lists do."""
    out = {"": session.scalar(select(func.count()).select_from(Educator).where(Educator.district_id == district.id))
           or 0}
    if not out[""]:
        return dict.fromkeys(keys, 0)
    staff = lists.ids_in(session, select(Educator.id).where(Educator.district_id == district.id))
    C, K = StandingCycle, StandingCard
    status = lists.read_status(session.get_bind().dialect.name, day)
    due_by = add_months(day, 6)

    def distinct_where(condition, educator_id):
        return func.count(func.distinct(case((condition, educator_id))))
    renewal = [k for k in keys if k in RENEWAL_KEYS]
    if renewal:
        row = session.execute(select(*(distinct_where(and_(status.in_(RENEWAL_KEYS[k]),
                                                            C.cycle_end <= due_by if k == "due_soon" else true()),
                                                      C.educator_id) for k in renewal))
                              .select_from(C).where(staff(C.educator_id), C.state_id == district.state_id,
                                                    lists.current_on(day))).one()
        out.update(zip(renewal, row))
    cards = [k for k in keys if k in CARD_KEYS]
    if cards:
        stage = lists.stage_expr(day)
        row = session.execute(select(*(distinct_where(stage.in_(CARD_KEYS[k]), K.educator_id) for k in cards))
                              .select_from(K).where(staff(K.educator_id))).one()
        out.update(zip(cards, row))
    return {key: out.get(key, 0) for key in keys}


def mcs_by_month(session, district: District, day: date, months: int = 24) -> Counter:
    """(year, month) -> active micro-credentials the current employees earned, over the
    last `months` months to `day`."""
    first = add_months(day.replace(day=1), -(months - 1))
    year, month = extract("year", Entry.earned_on), extract("month", Entry.earned_on)
    rows = session.execute(
        select(year, month, func.count()).join(Educator, Educator.id == Entry.educator_id)
        .where(Educator.district_id == district.id, Entry.credential_id.is_not(None), Entry.earned_on >= first,
               Entry.earned_on <= day, ~exists().where(Void.entry_id == Entry.id))
        .group_by(year, month))
    return Counter({(int(y), int(m)): n for y, m, n in rows})


def _stages(cards: list[dict]) -> set[str]:
    stages = {c["stage"] for c in cards} or {"none"}
    if stages & {"held", "permanent"}:
        stages.add("holding")
    return stages


def monthly_mcs(counts: Counter, day: date, months: int = 24) -> list[tuple[str, int, None]]:
    """Micro-credentials earned by the employees in each of the last `months` months
    (this month included), from the counts the roster already made."""
    first = add_months(day.replace(day=1), -(months - 1))
    out = []
    for i in range(months):
        m = add_months(first, i)
        out.append((m.strftime("%b %Y"), counts.get((m.year, m.month), 0), None))
    return out


ROSTER_HEADER = ["educator_id", "name", "license_number", "license", "earned", "required", "unit", "renewal",
                 "due_within_6_months", "cycle_end", "role_cards", "lane"]


def roster_lines(rows: list[dict], unit: str) -> Iterator[str]:
    """The roster as CSV: what the page shows, one line per license in the district's
    state (an employee with none gets one line with those cells empty)."""
    def lines():
        for r in rows:
            cards = "; ".join(f"{c['name']}: {c['label']}" for c in r["cards"])
            head = [r["id"], r["sort_name"], r["license_number"]]
            for v in r["renewals"] or [None]:
                renewal = ([None] * 7 if v is None else
                           [v["license"], f"{v['earned_units']:g}", f"{v['required_units']:g}", unit, v["pill"],
                            v["due_soon"], v["cycle_end"]])
                yield head + renewal + [cards, r["lane"]]
    return csv_lines(ROSTER_HEADER, lines())
