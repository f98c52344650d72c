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


def record_refusal(session, actor: str, probe: dict[str, Any]) -> None:
    """A refusal that told `actor` something exists outside its scope (`probe`: what was
    asked, e.g. {"license_number": ..., "state": ...}): kept, so probing leaves a trace."""
    record(session, actor, "out_of_scope_refusal", probe.get("record_type", "request"), probe.get("asked", ""),
           {k: v for k, v in probe.items() if k not in ("record_type", "asked")})
