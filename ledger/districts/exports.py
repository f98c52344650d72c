"""A district's full data, as CSV and JSON: districts must own their data (DOMAIN.md).
Educators it employs now, every entry of theirs (voided ones marked), and their standing
in the district's state today."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

from sqlalchemy import select

from ..access.principals import Principal, district_in_scope
from ..exports import csv_lines, json_record
from ..models import Credential, Educator, Entry, Issuer, Void
from ..rulebooks.service import newest_version
from ..standing.many import standings_for
from ..standing.schemas import PATHWAY_OUT, RENEWAL_OUT, SALARY_OUT

TABLES = ("educators", "entries", "standing")


def _employees(session, district_id: int):
    return session.scalars(
        select(Educator).where(Educator.district_id == district_id).order_by(Educator.id)
    ).all()


def educators_rows(session, district) -> Iterator[list]:
    for e in _employees(session, district.id):
        licenses = "; ".join(f"{l.state.code} {l.type} {l.cycle_start}..{l.current_cycle_end}" for l in e.licenses)
        yield [e.id, e.state.code, e.license_number, e.first_name, e.last_name, e.email, licenses]


def entries_select(where):
    """Every entry of the educators `where` names (voided ones with their void), in
    ENTRY_HEADER's columns, by educator and date: the district's export and the state-wide
    one read entries alike."""
    return (
        select(Entry.id, Entry.educator_id, Educator.license_number, Entry.kind, Credential.code, Issuer.code,
               Entry.title, Entry.hours, Entry.earned_on, Entry.external_id, Entry.evidence_url,
               Entry.recorded_by, Entry.recorded_at, Void.reason, Void.voided_at, Entry.measure)
        .join(Educator, Entry.educator_id == Educator.id)
        .outerjoin(Credential, Entry.credential_id == Credential.id)
        .outerjoin(Issuer, Credential.issuer_id == Issuer.id)
        .outerjoin(Void, Void.entry_id == Entry.id)
        .where(where)
        .order_by(Entry.educator_id, Entry.earned_on, Entry.id)
    )


def entries_rows(session, district) -> Iterator[list]:
    stmt = entries_select(Educator.district_id == district.id)
    for row in session.execute(stmt, execution_options={"yield_per": 2000}):
        yield list(row)


def standing_rows(session, district, as_of: date) -> Iterator[dict]:
    employees = _employees(session, district.id)
    standings = standings_for(session, newest_version(session, district.state.code), as_of,
                              [e.id for e in employees], district=district.code)
    for e, (_, s) in zip(employees, standings):
        yield {
            "educator_id": e.id, "license_number": e.license_number, "name": e.name,
            "renewal": RENEWAL_OUT.dump(s.renewal, many=True),
            "pathways": PATHWAY_OUT.dump(s.pathways, many=True),
            "salary": None if s.salary is None else SALARY_OUT.dump(s.salary),
        }


EDUCATOR_HEADER = ["educator_id", "state", "license_number", "first_name", "last_name", "email", "licenses"]
# `hours` is an activity's amount in its `measure` (CEUs, semester hours, ...; empty: clock hours), an MC's hours
ENTRY_HEADER = ["entry_id", "educator_id", "license_number", "kind", "credential", "issuer", "title", "hours",
                "earned_on", "external_id", "evidence_url", "recorded_by", "recorded_at", "void_reason", "voided_at",
                "measure"]
STANDING_HEADER = ["educator_id", "license_number", "name", "renewal", "pathways", "salary_credits", "lane",
                   "base_salary_pct"]


def export_csv(session, principal: Principal, code: str, table: str, as_of: date) -> Iterator[str]:
    district = district_in_scope(session, principal, code, "read")
    if table == "educators":
        return csv_lines(EDUCATOR_HEADER, educators_rows(session, district))
    if table == "entries":
        return csv_lines(ENTRY_HEADER, entries_rows(session, district))
    return csv_lines(STANDING_HEADER, (
        [s["educator_id"], s["license_number"], s["name"],
         "; ".join(f"{r['license']} {r['status']} {r['earned_units']:g}/{r['required_units']:g}" for r in s["renewal"]),
         "; ".join(f"{p['code']} {p['status']}" for p in s["pathways"]),
         s["salary"]["credits"] if s["salary"] else None, s["salary"]["lane"] if s["salary"] else None,
         s["salary"]["base_salary_pct"] if s["salary"] else None]
        for s in standing_rows(session, district, as_of)
    ))


def _json_parts(session, district, as_of: date) -> tuple[dict, dict[str, Iterator[dict]]]:
    head = {"district": {"code": district.code, "name": district.name, "state": district.state.code},
            "as_of": as_of.isoformat()}
    return head, {
        "educators": (json_record(EDUCATOR_HEADER, r) for r in educators_rows(session, district)),
        "entries": (json_record(ENTRY_HEADER, r) for r in entries_rows(session, district)),
        "standing": standing_rows(session, district, as_of),
    }


def export_json(session, principal: Principal, code: str, as_of: date) -> dict:
    district = district_in_scope(session, principal, code, "read")
    head, lists = _json_parts(session, district, as_of)
    return {**head, **{name: list(items) for name, items in lists.items()}}


def export_json_text(session, principal: Principal, code: str, as_of: date) -> Iterator[str]:
    """The text `json.dumps(export_json(...), default=str)` gives (what the CLI writes),
    a record at a time, for a streamed download. The scope is checked before the first
    piece, so a refusal is an answer, never a broken stream."""
    district = district_in_scope(session, principal, code, "read")

    def pieces():
        head, lists = _json_parts(session, district, as_of)
        yield json.dumps(head, default=str)[:-1]
        for name, items in lists.items():
            yield f", {json.dumps(name)}: ["
            for i, item in enumerate(items):
                yield (", " if i else "") + json.dumps(item, default=str)
            yield "]"
        yield "}"

    return pieces()
