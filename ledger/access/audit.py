"""The audit trail. Every service that writes calls `record` inside its transaction."""

from __future__ import annotations

from typing import Any

from ..models import AuditEvent


def record(session, actor: str, action: str, record_type: str, record_id, detail: dict[str, Any] | None = None) -> None:
    session.add(
        AuditEvent(
            actor=actor, action=action, record_type=record_type,
            record_id=str(record_id), detail=detail,
        )
    )
