"""A dropped badge file, read with what the imports know (imports/badges.py) and checked
by the credentials' verifier: Open Badges 2.0 or 3.0 JSON, a VC-JWT or signed assertion
(its signature checked with the issuer's registered key), or a baked PNG or SVG. A hosted
badge (the bake holds only a URL) is fetched through the one safe fetcher. How it was
verified (`verified`, `unverifiable`, `hosted`) is shown to the reviewer."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import date

from ..credentials import received
from ..credentials.verify import Verifier
from ..imports import badges
from ..imports.rows import Badge
from .evidence import MAX_BYTES, PNG

SVG, JSON_TYPE, JWT_TYPE = "image/svg+xml", "application/json", "application/vc+jwt"
CONTENT_TYPES = {"png": PNG, "svg": SVG, "jws": JWT_TYPE, "json": JSON_TYPE}


class BadgeError(ValueError):
    """Why the badge file cannot be read, for the person who dropped it."""


@dataclass
class ReadBadge:
    badge: Badge
    earned_on: date
    external_id: str | None
    evidence_url: str | None
    recipient: dict  # what the badge says of its recipient: email, email_hash, license_number
    content_type: str  # what the file was: a baked PNG, an SVG, JSON or a JWT
    verification: str = "unverifiable"
    verification_detail: str = ""
    received: dict | None = None  # the credential as received: format, original (base64), key


def read(data: bytes, today: date, name: str | None = None, verifier: Verifier | None = None) -> ReadBadge:
    label = f"{name!r}" if name else "the badge file"
    if not data:
        raise BadgeError(f"{label} is empty: send the badge's JSON, its VC-JWT, or the baked PNG or SVG")
    if len(data) > MAX_BYTES:
        raise BadgeError(f"{label} is larger than 10 MB")
    try:
        items = received.read(data, label)
    except received.Unreadable as exc:
        raise BadgeError(str(exc)) from None
    if len(items) != 1:
        raise BadgeError(f"{label} holds {len(items)} badges: send one at a time")
    content_type = CONTENT_TYPES.get(items[0].container, JSON_TYPE)
    row = next(badges.rows(data, today, verifier))
    problems = [(f, m) for f, m in row.errors if f != "recipient"]  # the reviewer judges who it names
    if problems:
        field_, message = problems[0]
        raise BadgeError(f"{label}: {field_} {message}")
    if row.badge is None or row.earned_on is None:
        raise BadgeError(f"{label} is not an Open Badges 2.0 assertion or 3.0 credential")
    recipient = {k: v for k, v in (("email", row.email), ("license_number", row.license_number),
                                   ("state", row.state)) if v}
    if row.email_hash:
        recipient["email_hash"], recipient["salt"] = row.email_hash
    outcome = row.received
    kept = {"format": outcome.format, "original": base64.b64encode(outcome.original).decode(),
            "issuer_key_id": outcome.key_id} if outcome and outcome.format else None
    return ReadBadge(row.badge, row.earned_on, row.external_id, row.evidence_url, recipient, content_type,
                     (outcome.verification if outcome else None) or "unverifiable", outcome.detail if outcome else "",
                     kept)


def names_educator(recipient: dict, email: str | None, license_number: str) -> bool | None:
    """Whether the badge's recipient is this educator: True, False, or None when the
    badge names no one the ledger can compare."""
    if recipient.get("license_number"):
        return recipient["license_number"].strip().upper() == license_number.strip().upper()
    if recipient.get("email"):
        return bool(email) and recipient["email"] == email.strip().lower()
    if recipient.get("email_hash"):
        if not email:
            return False
        digest = hashlib.sha256((email.strip().lower() + recipient.get("salt", "")).encode()).hexdigest()
        return digest == recipient["email_hash"]
    return None
