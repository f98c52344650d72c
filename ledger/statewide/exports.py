"""A state's data, streamed: its educators, its licenses cycle by cycle, their entries
(voided ones marked) and each educator's current-cycle standing, as CSV or JSON Lines.

Memory stays flat however large the state: each table is one statement read as Core
rows through a server-side cursor (`yield_per`), written a line at a time and handed on
in pieces (`chunked`), so neither a table nor a file is ever held whole. Standings come
from the engine's state-wide read (standing.many.standings_for), the same engine as a
single educator's standing. What the district export also writes keeps its column names
(districts.exports); every CSV line goes through exports.csv_lines, so no cell can run as
a formula in a spreadsheet."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from .. import engine
from ..access.principals import ADMIN, STATE_OFFICE, Principal
from ..districts.exports import EDUCATOR_HEADER, ENTRY_HEADER, entries_select
from ..errors import Forbidden, Invalid, NotFound
from ..exports import chunked, csv_lines, jsonl_lines
from ..models import District, Educator, Entry, License, LicenseEvent, State
from ..standing.facts import rulebook_row
from ..standing.many import standings_for
from ..text import shown

TABLES = ("educators", "licenses", "entries", "standings")
FORMATS: dict[str, Callable] = {"csv": csv_lines, "jsonl": jsonl_lines}
MIMETYPES = {"csv": "text/csv", "jsonl": "application/x-ndjson"}
YIELD_PER = 2000  # rows a fetch brings from the server-side cursor
LOOKUP = 500  # standings whose license numbers are looked up in one query

# The district export's educator columns, but its `licenses` summary: here the licenses
# are a table of their own, one row per cycle.
EDUCATOR_COLUMNS = EDUCATOR_HEADER[:-1] + ["district"]
LICENSE_COLUMNS = ["license_id", "cycle_number", "cycle_id", "educator_id", "license_number", "state", "type",
                   "cycle_start", "cycle_end", "original_cycle_end", "extensions", "extension_reason",
                   "renewed_on", "renewal_status", "renewal_earned_units", "renewal_required_units",
                   "waive_reason", "renewed_by"]
ENTRY_COLUMNS = ENTRY_HEADER  # as the district's export: an activity's `hours` is an amount in its `measure`
# As the standing answer names them (standing.schemas.RenewalOut), one row per license's current cycle.
STANDING_COLUMNS = ["educator_id", "license_number", "license", "license_id", "cycle_number", "cycle_start",
                    "cycle_end", "grace_ends", "required_units", "earned_units", "remaining_units",
                    "carried_over_units", "status", "behind_pace", "units_per_month", "renewed_on",
                    "rulebook_version", "as_of"]


@dataclass(frozen=True)
class StateExport:
    state: str
    table: str
    format: str
    lines: Iterator[str]  # the file's text in pieces, read from the database as it is consumed

    @property
    def filename(self) -> str:
        return f"{self.state}-{self.table}.{self.format}"

    @property
    def mimetype(self) -> str:
        return MIMETYPES[self.format]


def open_export(session, principal: Principal, state: str | None, table: str, fmt: str, as_of: date) -> StateExport:
    """One table of a state in one format. Everything is checked here, before the first
    line is read, so a refusal is an answer (or an exit status), never a broken file:
    an unknown table or format is a 422 naming it, a state office's other state a 404, a
    role other than the state office's and an admin's a 403."""
    errors = {}
    if table not in TABLES:
        errors["table"] = [f"no table {shown(table, 20)!r}: one of {', '.join(TABLES)}"]
    if fmt not in FORMATS:
        errors["format"] = [f"no format {shown(fmt, 20)!r}: one of {', '.join(FORMATS)}"]
    if errors:
        raise Invalid("; ".join(f"{k}: {v[0]}" for k, v in errors.items()), errors)
    row = state_to_export(session, principal, state)
    header, rows = READERS[table](session, row, as_of)
    return StateExport(row.code, table, fmt, chunked(FORMATS[fmt](header, rows)))


def state_to_export(session, principal: Principal, code: str | None) -> State:
    """The state office's own state (naming another is a 404, as outside its scope); an
    admin names any loaded state."""
    if principal.role not in (ADMIN, STATE_OFFICE):
        raise Forbidden(f"the {principal.role} role may not export a state's data (the state office or an admin does)")
    code = (code or "").strip().upper()
    if not code and principal.role == STATE_OFFICE:
        return session.get(State, principal.state_id)
    if not code:
        raise Invalid("name the state to export", {"state": ["required: a two-letter state code"]})
    state = session.scalar(select(State).where(State.code == code)) if len(code) == 2 else None
    if principal.role == STATE_OFFICE and (state is None or state.id != principal.state_id):
        raise NotFound(f"state {shown(code, 20)!r} not found")
    if state is None:
        raise Invalid(f"no state {shown(code, 20)!r}",
                      {"state": [f"no state {shown(code, 20)!r} is loaded (a state comes with its rulebook)"]})
    return state


def _stream(session, stmt) -> Iterator:
    """Core rows (the ORM's result layer costs more per row than the fetch), fetched
    YIELD_PER at a time: a server-side cursor on PostgreSQL."""
    yield from session.connection().execute(stmt, execution_options={"yield_per": YIELD_PER})


def _office(state: State) -> Principal:
    return Principal(role=STATE_OFFICE, actor="state-export", state_id=state.id)


def educators(session, state: State, as_of: date):
    """Every educator the state's office sees: at home in the state or licensed there."""
    stmt = (select(Educator.id, State.code, Educator.license_number, Educator.first_name, Educator.last_name,
                   Educator.email, District.code)
            .join(State, Educator.state_id == State.id)
            .outerjoin(District, Educator.district_id == District.id)
            .where(_office(state).educator_clause())
            .order_by(Educator.id))
    return EDUCATOR_COLUMNS, _stream(session, stmt)


def licenses(session, state: State, as_of: date):
    """Every cycle of every license held in the state, as the ledger records it: the
    license's id (its first cycle's) and the cycle's number by start, its end now (its
    latest extension's) beside the end first recorded, and what its renewal kept."""
    by_license = {"partition_by": (License.educator_id, License.type),
                  "order_by": (License.cycle_start, License.id)}
    extended = (select(LicenseEvent.cycle_id, func.count().label("n"), func.max(LicenseEvent.cycle_end).label("end"),
                       func.max(LicenseEvent.id).label("last"))
                .where(LicenseEvent.kind == "extended").group_by(LicenseEvent.cycle_id).subquery())
    latest = aliased(LicenseEvent)
    renewal = aliased(LicenseEvent)
    stmt = (select(func.first_value(License.id).over(**by_license), func.row_number().over(**by_license), License.id,
                   License.educator_id, Educator.license_number, License.type, License.cycle_start,
                   func.coalesce(extended.c.end, License.cycle_end), License.cycle_end,
                   func.coalesce(extended.c.n, 0), latest.reason, renewal.renewed_on, renewal.snapshot,
                   renewal.reason, renewal.actor)
            .join(Educator, License.educator_id == Educator.id)
            .outerjoin(extended, extended.c.cycle_id == License.id)
            .outerjoin(latest, latest.id == extended.c.last)
            .outerjoin(renewal, (renewal.cycle_id == License.id) & (renewal.kind == "renewed"))
            .where(License.state_id == state.id)
            .order_by(License.educator_id, License.type, License.cycle_start, License.id))

    def rows():
        for (license_id, number, cycle_id, educator_id, license_number, type_, start, end, first_end, extensions,
             extension_reason, renewed_on, snapshot, waive_reason, renewed_by) in _stream(session, stmt):
            kept = snapshot or {}
            yield [license_id, number, cycle_id, educator_id, license_number, state.code, type_, start, end,
                   first_end, extensions, extension_reason, renewed_on, kept.get("status"),
                   _exact(kept.get("earned_units")), _exact(kept.get("required_units")), waive_reason,
                   renewed_by]
    return LICENSE_COLUMNS, rows()


def entries_statement(state: State):
    """Every entry of the educators the state's office sees, whatever state recorded it."""
    seen = select(Educator.id).where(_office(state).educator_clause()).correlate(None)
    return entries_select(Entry.educator_id.in_(seen))


def entries(session, state: State, as_of: date):
    return ENTRY_COLUMNS, _stream(session, entries_statement(state))


def standings(session, state: State, as_of: date):
    """Each licensed educator's current cycle of each license type (engine.current_cycles,
    as the overview counts them) under the state's newest rulebook, as of `as_of`, in the
    engine's streaming order: educators with entries that count by id, then the rest."""
    version = rulebook_row(session, state.code)  # none loaded: a 422 naming `state`, before any line

    def rows():
        batch: list = []
        for educator_id, s in standings_for(session, version, as_of, pathways=False, batch=YIELD_PER):
            batch.extend((educator_id, p) for p in engine.current_cycles(s.renewal, as_of, key=engine.LICENSE))
            if len(batch) >= LOOKUP:
                yield from _standing_rows(session, batch, as_of)
                batch = []
        yield from _standing_rows(session, batch, as_of)
    return STANDING_COLUMNS, rows()


def _standing_rows(session, batch: list, as_of: date) -> Iterator[list]:
    ids = {educator_id for educator_id, _ in batch}
    numbers = dict(session.connection().execute(
        select(Educator.id, Educator.license_number).where(Educator.id.in_(ids))).all()) if ids else {}
    for educator_id, p in batch:
        lic = p.license
        yield [educator_id, numbers.get(educator_id), lic.type, p.license_id, p.cycle_number, lic.cycle_start,
               lic.cycle_end, p.grace_ends, _exact(p.rule.required_units), _exact(p.earned_units),
               _exact(p.remaining_units), _exact(p.carried_over_units), p.status, engine.behind_pace(p),
               _exact(p.pace.units_per_month) if p.pace is not None else None,
               p.renewed.renewed_on if p.renewed is not None else None, p.rulebook_version, as_of]


def _exact(value) -> Decimal | None:
    """Units as exact text without trailing zeros (60.00 -> 60, 7.50 -> 7.5): a number in JSON."""
    if value is None:
        return None
    return Decimal(format(Decimal(str(value)).normalize(), "f"))


READERS = {"educators": educators, "licenses": licenses, "entries": entries, "standings": standings}
