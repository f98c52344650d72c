"""Writing an import's accepted rows: a multi-row INSERT, or COPY on PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError, OperationalError

from ..engine import MICROCREDENTIAL
from ..entries.service import activity_key
from ..integrity.chain import track
from ..models import ActivityKey, Entry, Holding, ReceivedCredential
from .rows import Row


def write_entries(session, actor: str, rows: list[Row]) -> None:
    """Insert the rows' entries, a holding for each micro-credential, a key for each
    activity without an external_id and each imported credential as received with how it
    was verified, in bulk."""
    if session.get_bind().dialect.name == "postgresql":
        ids = _copy(session, actor, rows)
    else:
        ids = _insert(session, actor, rows)
    track(session, "entries", ids)  # written without the ORM: linked at the commit
    keys = [{"educator_id": r.educator_id, "entry_id": id_,
             "content_key": activity_key(r.title, r.hours, r.tags, r.earned_on, r.evidence_url, r.measure)}
            for r, id_ in zip(rows, ids) if r.kind != MICROCREDENTIAL and not r.external_id]
    if keys:
        session.execute(insert(ActivityKey), keys)
    received = [{"entry_id": id_, "format": r.received.format, "original": r.received.original,
                 "verification": r.received.verification or "unverifiable",
                 "detail": (r.received.detail or "not checked")[:1000], "issuer_key_id": r.received.key_id}
                for r, id_ in zip(rows, ids) if r.received is not None and r.received.format]
    if received:
        session.execute(insert(ReceivedCredential), received)


def _insert(session, actor: str, rows: list[Row]) -> list[int]:
    values = [{
        "educator_id": r.educator_id, "kind": r.kind, "credential_id": r.credential_id,
        "title": r.title if r.kind != MICROCREDENTIAL else None,
        "hours": r.hours if r.kind != MICROCREDENTIAL else None,
        "measure": r.measure if r.kind != MICROCREDENTIAL else None,
        "tags": r.tags if r.kind != MICROCREDENTIAL else [], "earned_on": r.earned_on,
        "external_id": r.external_id, "evidence_url": r.evidence_url, "recorded_by": actor,
    } for r in rows]
    ids = session.execute(
        insert(Entry).returning(Entry.id, sort_by_parameter_order=True), values,
        # Without it the ORM leaves None keys out, and rows with and without an
        # external_id split each batch into ~600 INSERTs of a few rows each.
        execution_options={"render_nulls": True},
    ).scalars().all()
    holdings = [
        {"educator_id": r.educator_id, "credential_id": r.credential_id, "entry_id": id_}
        for r, id_ in zip(rows, ids) if r.kind == MICROCREDENTIAL
    ]
    if holdings:
        session.execute(insert(Holding), holdings)
    return ids


def _copy(session, actor: str, rows: list[Row]) -> list[int]:
    """PostgreSQL: ids from the entries sequence, then COPY entries and holdings in the
    same transaction (the same constraints, triggers and indexes as INSERT). A unique
    key another import won is raised as SQLAlchemy would, so run.run_import retries."""
    import psycopg

    raw = session.connection().connection.driver_connection
    try:
        return _copy_rows(raw, actor, rows)
    except psycopg.IntegrityError as exc:
        raise IntegrityError("COPY entries, holdings", None, exc) from exc
    except psycopg.OperationalError as exc:
        raise OperationalError("COPY entries, holdings", None, exc) from exc


def _copy_rows(raw, actor: str, rows: list[Row]) -> list[int]:
    now = datetime.now(UTC)
    with raw.cursor() as cur:
        cur.execute("SELECT nextval(pg_get_serial_sequence('entries', 'id')) FROM generate_series(1, %s)",
                    (len(rows),))
        ids = [i for (i,) in cur]
        with cur.copy("COPY entries (id, educator_id, kind, credential_id, title, hours, tags, earned_on, "
                      "external_id, evidence_url, recorded_by, recorded_at, measure) FROM STDIN") as cp:
            for r, id_ in zip(rows, ids):
                if r.kind == MICROCREDENTIAL:
                    cp.write_row((id_, r.educator_id, r.kind, r.credential_id, None, None, "[]", r.earned_on,
                                  r.external_id, r.evidence_url, actor, now, None))
                else:
                    cp.write_row((id_, r.educator_id, r.kind, None, r.title, r.hours, json.dumps(r.tags),
                                  r.earned_on, r.external_id, r.evidence_url, actor, now, r.measure))
        with cur.copy("COPY holdings (educator_id, credential_id, entry_id) FROM STDIN") as cp:
            for r, id_ in zip(rows, ids):
                if r.kind == MICROCREDENTIAL:
                    cp.write_row((r.educator_id, r.credential_id, id_))
    return ids
