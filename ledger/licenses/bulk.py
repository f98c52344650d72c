"""A renewal season for a state office: renew every complete cycle ending before a day
(`flask ledger renew --state TN --ending-before 2025-07-01`), each renewal exactly as
`service.renew` does it, one at a time, each in its own savepoint; a dry run makes the
same checks and keeps nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select

from ..access.principals import Principal
from ..errors import Invalid, LedgerError
from ..models import License, LicenseEvent, State, savepoint
from . import service


@dataclass(frozen=True)
class Outcome:
    license_id: int
    educator_id: int
    type: str
    cycle_end: date
    renewed: bool
    message: str  # the next cycle, or why not


def due(session, state: str, ending_before: date) -> list[tuple[int, int, str, date]]:
    """(license id, educator id, type, cycle end) of each license of the state whose
    latest cycle ends before `ending_before` and is not renewed, by cycle end."""
    state_id = session.scalar(select(State.id).where(State.code == state))
    if state_id is None:
        raise Invalid(f"no rulebook loaded for state {state!r}", {"state": [f"no rulebook loaded for {state!r}"]})
    renewed = exists().where(LicenseEvent.cycle_id == License.id, LicenseEvent.kind == "renewed")
    rows = session.execute(
        select(License.id, License.educator_id, License.type, License.current_cycle_end, renewed)
        .where(License.state_id == state_id).order_by(License.educator_id, License.type, License.cycle_start,
                                                       License.id))
    first: dict[tuple, int] = {}
    latest: dict[tuple, tuple] = {}
    for id_, educator_id, type_, end, was_renewed in rows:
        key = (educator_id, type_)
        first.setdefault(key, id_)
        latest[key] = (end, was_renewed)
    out = [(first[key], key[0], key[1], end) for key, (end, was_renewed) in latest.items()
           if end < ending_before and not was_renewed]
    return sorted(out, key=lambda r: (r[3], r[1], r[2]))


def renew_due(session, principal: Principal, licenses: list[tuple[int, int, str, date]], today: date,
              dry_run: bool = False) -> Iterator[Outcome]:
    for license_id, educator_id, type_, end in licenses:
        attempt = savepoint(session)
        try:
            _, nxt = service.renew(session, principal, license_id, {}, today)
        except LedgerError as exc:
            attempt.rollback()
            detail = "; ".join(m for ms in (exc.errors or {}).values() for m in ms) or exc.message
            yield Outcome(license_id, educator_id, type_, end, False, detail)
            continue
        message = f"next cycle {nxt.row.cycle_start.isoformat()} to {nxt.cycle_end.isoformat()}"
        if dry_run:
            attempt.rollback()
        else:
            attempt.commit()
        yield Outcome(license_id, educator_id, type_, end, True, message)
