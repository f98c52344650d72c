"""The chain's digest as ledger/integrity/chain.py wrote it at 53eae84, before its fast
paths: every link already in a ledger was made with it, so the code that writes and
verifies links now must give byte for byte the same digest for every stored value.
Kept here unchanged, as the reference the tests hold the faster code to."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime, timezone
from decimal import Decimal


def _sha256(data: str) -> str:
    return hashlib.sha256(data.encode("utf-8")).hexdigest()


def canonical(value):
    if isinstance(value, bool) or isinstance(value, int | str | float) or value is None:
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, dict):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    raise TypeError(f"no canonical form for {type(value).__name__}")


def row_digest(table: str, row: Mapping) -> str:
    content = {name: canonical(value) for name, value in row.items() if value is not None}
    return _sha256(json.dumps([table, content], sort_keys=True, separators=(",", ":"), ensure_ascii=True))


def link_hash(previous: str, seq: int, table: str, record_id: int, digest: str) -> str:
    return _sha256(f"{previous}|{seq}|{table}|{record_id}|{digest}")
