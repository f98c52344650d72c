"""The audit trail. Every service that writes calls `record` inside its transaction."""

from __future__ import annotations

import hashlib
from typing import Any

from ..models import AuditEvent

RECORD_ID_LENGTH = 100  # audit_events.record_id


def record(session, actor: str, action: str, record_type: str, record_id, detail: dict[str, Any] | None = None) -> None:
    """An audit row. A record id longer than the column (an external_id may have 500
    characters) is kept whole in `detail` and named by its digest."""
    rid = str(record_id)
    if len(rid) > RECORD_ID_LENGTH:
        detail = {**(detail or {}), "record_id": rid}
        rid = "sha256:" + hashlib.sha256(rid.encode()).hexdigest()
    session.add(AuditEvent(actor=actor, action=action, record_type=record_type, record_id=rid, detail=detail))


def record_refusal(session, actor: str, probe: dict[str, Any]) -> None:
    """A refusal that told `actor` something exists outside its scope (`probe`: what was
    asked, e.g. {"license_number": ..., "state": ...}): kept, so probing leaves a trace."""
    record(session, actor, "out_of_scope_refusal", probe.get("record_type", "request"), probe.get("asked", ""),
           {k: v for k, v in probe.items() if k not in ("record_type", "asked")})
