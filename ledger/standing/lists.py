"""Reading the standing projection: who is complete, on pace, behind pace, in grace or
lapsed on a day, as queries over `standing_cycles` and `standing_cards` (their date-driven
parts judged here, from the stored dates, so nothing goes stale at midnight). The state
office's overview and lists, HR's roster and the reminders read through here.

A row's status on `day`, as the engine judges the current cycle (engine.cycles):
complete or lapsed once fixed; lapsed from `lapses_on`; in grace after `cycle_end`; else
behind pace when the units earned are under the required units times the share of the
cycle gone by (exactly: in cents, cross-multiplied), on pace otherwise."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Integer, and_, any_, case, cast, exists, func, literal, or_, select, text

from ..models import District, Educator, StandingCard, StandingCycle
from ..text import like

STATUSES = ("complete", "on_pace", "behind_pace", "in_grace", "lapsed")
STAGES = ("in_progress", "held", "permanent", "lapsed")  # a card's stage, as HR's roster names it
SORTS = {"name", "cycle_end", "status", "progress", "district"}
C = StandingCycle


def _days(dialect: str, later, earlier):
    if dialect == "postgresql":
        return later - earlier
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def _cents(column):
    return cast(func.round(column * 100), Integer)


def status_expr(dialect: str, day: date):
    """The current cycle's status on `day` (one of STATUSES)."""
    span = func.max(_days(dialect, C.cycle_end, C.cycle_start), 1) if dialect == "sqlite" else \
        func.greatest(_days(dialect, C.cycle_end, C.cycle_start), 1)
    gone = _days(dialect, literal(day), C.cycle_start)
    clamp = (func.min(func.max(gone, 0), span) if dialect == "sqlite"
             else func.least(func.greatest(gone, 0), span))
    behind = _cents(C.earned_units) * span < _cents(C.required_units) * clamp
    return case(
        (C.fixed_status == "complete", "complete"),
        (C.fixed_status == "lapsed", "lapsed"),
        (and_(~C.renewed, C.lapses_on <= day), "lapsed"),
        (and_(~C.renewed, C.cycle_end < day), "in_grace"),
        (behind, "behind_pace"),
        else_="on_pace",
    )


def current_on(day: date):
    """The cycle current on `day` of each license: begun, and no later one begun."""
    return and_(C.cycle_start <= day, or_(C.superseded_on.is_(None), C.superseded_on > day))


def valid(day: date):
    """The rows whose stored status (`status`, standing/status.py) holds on `day`."""
    return and_(C.status_on <= day, or_(C.status_until.is_(None), C.status_until > day))


def read_status(dialect: str, day: date):
    """A current row's status on `day`: the stored one while it holds, else judged from
    the dates."""
    return case((valid(day), C.status), else_=status_expr(dialect, day))


def status_in(dialect: str, day: date, statuses):
    """A current row's status on `day` is one of `statuses`: an index on the stored column
    serves the rows whose stored status holds, the dates judge the others."""
    return or_(and_(valid(day), C.status.in_(statuses)),
               and_(~valid(day), status_expr(dialect, day).in_(statuses)))


def ids_in(session, ids):
    """A clause maker: `column` is one of the ids `ids` (a select of one column) selects.
    PostgreSQL: `= ANY(ARRAY(...))`, which the planner answers with an index probe per id,
    where `IN (subquery)` had it hash the whole table; elsewhere `IN`."""
    if session.get_bind().dialect.name == "postgresql":
        array = func.array(ids.scalar_subquery())
        return lambda column: column == any_(array)
    return lambda column: column.in_(ids)


def stage_expr(day: date):
    """A card's stage on `day`: an active designation whose maintenance ended short is
    lapsed from `lapses_on`."""
    K = StandingCard
    return case((and_(K.status == "active", K.lapses_on <= day), "lapsed"),
                (K.status == "active", "held"), else_=K.status)


@dataclass(frozen=True)
class Filters:
    statuses: tuple[str, ...] = ()
    ends_from: date | None = None
    ends_to: date | None = None
    district: str | None = None
    pathway: str | None = None  # a card's code
    stage: str | None = None  # with `pathway`: its stage (STAGES)
    designation: str | None = None  # a card's code: held (or permanent) on the day
    q: str | None = None
    sort: str = "name"
    descending: bool = False


def cycle_filters(f: Filters) -> bool:
    """Whether `f` asks anything of the cycle (else everyone in scope is listed, with
    their current cycles when they have any)."""
    return bool(f.statuses or f.ends_from or f.ends_to or f.pathway or f.designation)


def _where(stmt, day: date, f: Filters, dialect: str, district_id: int | None):
    if f.statuses:
        stmt = stmt.where(status_in(dialect, day, f.statuses))
    if f.ends_from is not None:
        stmt = stmt.where(C.cycle_end >= f.ends_from)
    if f.ends_to is not None:
        stmt = stmt.where(C.cycle_end <= f.ends_to)
    if district_id is not None:
        stmt = stmt.where(Educator.district_id == district_id)
    elif f.district:
        stmt = stmt.where(Educator.district_id.in_(select(District.id).where(District.code == f.district)))
    K = StandingCard
    if f.pathway:
        card = exists().where(K.educator_id == Educator.id, K.card_code == f.pathway)
        if f.stage:
            card = card.where(stage_expr(day) == f.stage)
        stmt = stmt.where(card)
    if f.designation:
        stmt = stmt.where(exists().where(K.educator_id == Educator.id, K.card_code == f.designation,
                                         stage_expr(day).in_(("held", "permanent"))))
    for word in (f.q or "").split()[:5]:
        pattern = like(word.lower())
        stmt = stmt.where(or_(*(func.lower(col).like(pattern, escape="\\") for col in
                                (Educator.first_name, Educator.last_name, Educator.license_number))))
    return stmt


def _order(f: Filters, status):
    name = (Educator.last_name, Educator.first_name, Educator.id, C.license_type)
    key = {"name": (), "cycle_end": (C.cycle_end,), "status": (status,),
           "progress": (C.earned_units / func.nullif(C.required_units, 0),),
           "district": (District.name,)}[f.sort if f.sort in SORTS else "name"]
    return [k.desc() if f.descending else k for k in key] + list(name)


def _columns(status):
    return (Educator.id.label("educator_id"), Educator.first_name, Educator.last_name, Educator.license_number,
            District.code.label("district_code"), District.name.label("district_name"), C.license_id,
            C.license_type, C.cycle_number, C.cycle_start, C.cycle_end, C.grace_ends,
            C.required_units, C.earned_units, status.label("status"))


def _base(session, state_id, day, f, district_id, scope, columns):
    """Educators in `scope` (a clause on Educator) with their current cycles in the state:
    only those with a cycle matching `f` when it asks anything of the cycle."""
    dialect = session.get_bind().dialect.name
    status = read_status(dialect, day)
    on = and_(C.educator_id == Educator.id, C.state_id == state_id, current_on(day))
    stmt = select(*columns(status)).select_from(Educator).join(C, on, isouter=not cycle_filters(f)) \
        .outerjoin(District, District.id == Educator.district_id).where(scope)
    return _where(stmt, day, f, dialect, district_id), status


def page(session, state_id: int, day: date, f: Filters, scope, number: int = 1, size: int = 50,
         district_id: int | None = None, total: int | None = None) -> tuple[list, int]:
    """(one page of the lines matching `f`, how many match in all: `total` when the
    caller knows it, from the cached counts)."""
    stmt, status = _base(session, state_id, day, f, district_id, scope, _columns)
    if total is None:
        total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(stmt.order_by(*_order(f, status)).offset((number - 1) * size).limit(size)).all()
    return rows, total


def stream(session, state_id: int, day: date, f: Filters, scope, district_id: int | None = None,
           batch: int = 2000):
    """Every line matching `f`, in the list's order, streamed."""
    stmt, status = _base(session, state_id, day, f, district_id, scope, _columns)
    yield from session.execute(stmt.order_by(*_order(f, status)), execution_options={"yield_per": batch})


def cards_of(session, educator_ids: list[int], day: date) -> dict[int, list]:
    """The cards of these educators with their stage on `day`, by educator."""
    K = StandingCard
    out: dict[int, list] = {}
    if not educator_ids:
        return out
    for row in session.execute(select(K.educator_id, K.card_code, K.name, K.designation, stage_expr(day).label("stage"),
                                      K.counted, K.required).where(K.educator_id.in_(educator_ids))
                               .order_by(K.educator_id, K.card_code)):
        out.setdefault(row.educator_id, []).append(row)
    return out


def card_choices(session, state_id: int) -> list[tuple[str, str, str | None]]:
    """(code, name, designation) of the cards anyone in the state has begun: the codes by
    skipping along the (state, card) index, one row read per code, so the cost grows with
    the cards a state defines, not with who has begun them."""
    codes = session.scalars(text(
        "WITH RECURSIVE codes(code) AS ("
        " SELECT min(card_code) FROM standing_cards WHERE state_id = :state"
        " UNION ALL SELECT (SELECT min(k.card_code) FROM standing_cards k"
        "  WHERE k.state_id = :state AND k.card_code > codes.code) FROM codes WHERE codes.code IS NOT NULL)"
        " SELECT code FROM codes WHERE code IS NOT NULL"), {"state": state_id}).all()
    K = StandingCard
    out = []
    for code in codes:
        name, designation = session.execute(select(K.name, K.designation).where(
            K.state_id == state_id, K.card_code == code).limit(1)).one()
        out.append((code, name, designation))
    return out
