"""Loading facts for the standing engine: entries, licenses and the rulebook, for one
educator or many at once."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import case, exists, select

from .. import engine
from ..errors import Invalid, NotFound
from ..models import Credential, Entry, Issuer, License, LicenseEvent, RulebookVersion, Void
from ..rulebooks.engine_view import engine_rulebook
from ..rulebooks.service import newest_version

_ENTRY_COLUMNS = (
    Entry.educator_id, Entry.id, Entry.kind, Entry.earned_on, Entry.credential_id,
    # Only activities carry their own tags: decoding JSON on every row is the report's
    # largest cost, so micro-credentials take theirs from the catalog map instead.
    case((Entry.kind == "activity", Entry.tags), else_=None), Entry.hours, Entry.title, Entry.measure,
)


def _active_entries():
    return (
        select(*_ENTRY_COLUMNS)
        # NOT EXISTS, which PostgreSQL plans as an anti-join: the outer join with
        # `voids.id IS NULL` is estimated at one row and gets nested-loop plans.
        .where(~exists().where(Void.entry_id == Entry.id))
    )


def credential_map(session, ids=None) -> dict[int, tuple[str, str, frozenset[str], str | None]]:
    """credential id -> (code, issuer code, tags, review): review is None for an approved
    credential, else why it counts for nothing (not_reviewed, rejected)."""
    stmt = select(Credential.id, Credential.code, Issuer.code, Credential.tags, Credential.reviewed,
                  Credential.rejected).join(Issuer, Credential.issuer_id == Issuer.id)
    if ids is not None:
        stmt = stmt.where(Credential.id.in_(ids))
    return {id_: (code, issuer, frozenset(tags or ()),
                  None if reviewed else engine.REJECTED if rejected else engine.NOT_REVIEWED)
            for id_, code, issuer, tags, reviewed, rejected in session.execute(stmt)}


def _fact(row, credentials) -> engine.Entry:
    _, id_, kind, earned_on, credential_id, etags, hours, title, measure = row
    if credential_id is not None:
        code, issuer, tags, review = credentials[credential_id]
        return engine.Entry(id=id_, kind=kind, earned_on=earned_on, credential=code, issuer=issuer, tags=tags,
                            review=review)
    return engine.Entry(id=id_, kind=kind, earned_on=earned_on, tags=frozenset(etags or ()), hours=hours, title=title,
                        measure=measure)


def entry_facts(session, educator_id: int) -> list[engine.Entry]:
    rows = session.execute(_active_entries().where(Entry.educator_id == educator_id)).all()
    credentials = credential_map(session, {r[4] for r in rows if r[4] is not None})
    return [_fact(r, credentials) for r in rows]


def facts_by_educator(session, ids: list[int], as_of: date) -> dict[int, list]:
    """Every active entry earned by `as_of` of these educators, as engine facts."""
    out: dict[int, list] = {}
    if not ids:
        return out
    credentials = credential_map(session)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for row in session.execute(
            _active_entries().where(Entry.educator_id.in_(chunk), Entry.earned_on <= as_of)
        ):
            out.setdefault(row[0], []).append(_fact(row, credentials))
    return out


def licenses_by_educator(session, state_id: int, ids: list[int] | None = None) -> dict[int, list[engine.License]]:
    """The licenses held in a state, as engine facts by educator: of these educators, or
    of every educator licensed there."""
    stmt = (
        select(License.educator_id, License.id, License.type, License.cycle_start, License.current_cycle_end,
               License.cycle_end, LicenseEvent.renewed_on, LicenseEvent.snapshot)
        .outerjoin(LicenseEvent, (LicenseEvent.cycle_id == License.id) & (LicenseEvent.kind == "renewed"))
        .where(License.state_id == state_id)
    )
    out: dict[int, list[engine.License]] = {}
    chunks = [None] if ids is None else [ids[i:i + 5000] for i in range(0, len(ids), 5000)]
    for chunk in chunks:
        for educator_id, id_, type_, start, end, recorded_end, renewed_on, snapshot in session.execute(
            stmt if chunk is None else stmt.where(License.educator_id.in_(chunk))
        ):
            out.setdefault(educator_id, []).append(engine.License(
                id_, type_, start, end, None if end == recorded_end else recorded_end,
                None if renewed_on is None else renewed_fact(renewed_on, snapshot or {})))
    return out


def renewed_fact(renewed_on: date, snapshot: dict) -> engine.Renewed:
    """A renewal's snapshot (licenses.service.renew) as the engine reads it."""
    def units(key):
        value = snapshot.get(key)
        return None if value is None else Decimal(str(value))
    return engine.Renewed(
        renewed_on=renewed_on, status=snapshot.get("status"), earned_units=units("earned_units"),
        counted=frozenset(snapshot.get("counted_entries") or ()), carry_out_units=units("carry_out_units"),
        rulebook_version=snapshot.get("rulebook_version"))


def license_facts(session, educator_id: int, state_id: int) -> list[engine.License]:
    return licenses_by_educator(session, state_id, [educator_id]).get(educator_id, [])


def rulebook_row(session, state_code: str, field: str = "state") -> RulebookVersion:
    """The state's newest rulebook version; none loaded is a 422 naming `field`."""
    try:
        return newest_version(session, state_code)
    except NotFound:
        raise Invalid(f"no rulebook loaded for state {state_code!r}",
                      {field: [f"no rulebook loaded for {state_code!r}"]}) from None


def rulebook_for(session, state_code: str, field: str = "state") -> tuple[engine.Rulebook, int]:
    row = rulebook_row(session, state_code, field)
    return engine_rulebook(row), row.state_id
