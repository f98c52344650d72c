"""A dropped badge file, read with what the imports already know (imports/badges.py):
Open Badges 2.0 or 3.0 JSON, a VC-JWT (its payload decoded; the signature is NOT checked
here: verifying issuers' proofs is issue 16's work, and the reviewer decides meanwhile),
or a baked PNG (the `openbadges` iTXt chunk) or SVG (the `openbadges:credential` or
`openbadges:assertion` element). Hosted badges (the bake holds only a URL) are refused:
the ledger fetches nothing from the network."""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import re
import zlib
from dataclasses import dataclass
from datetime import date

from ..imports import badges
from ..imports.rows import Badge
from .evidence import MAX_BYTES, PNG, PNG_SIGNATURE, png_text_chunks

SVG_BAKE = re.compile(rb"<openbadges:(credential|assertion)\b([^>]*?)(/>|>(.*?)</openbadges:\1\s*>)", re.S)
JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
SVG, JSON_TYPE, JWT_TYPE = "image/svg+xml", "application/json", "application/vc+jwt"
MAX_INFLATED = 1024 * 1024  # a compressed iTXt chunk may not inflate past this (a zip bomb)


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


def read(data: bytes, today: date, name: str | None = None) -> ReadBadge:
    label = f"{name!r}" if name else "the badge file"
    if not data:
        raise BadgeError(f"{label} is empty")
    if len(data) > MAX_BYTES:
        raise BadgeError(f"{label} is larger than 10 MB")
    if data.startswith(PNG_SIGNATURE):
        return _document(_from_png(data, label), label, today, PNG)
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return _document(_from_svg(data, label), label, today, SVG)
    try:
        text = data.decode("utf-8-sig").strip()
    except UnicodeDecodeError:
        raise BadgeError(f"{label} is neither a baked PNG or SVG nor JSON or JWT text") from None
    if JWT.match(text):
        return _document(jwt_payload(text, label), label, today, JWT_TYPE)
    return _document(text, label, today, JSON_TYPE)


def jwt_payload(token: str, label: str = "the badge") -> str:
    """The JSON of a VC-JWT's payload (the credential, or its `vc` claim); unverified."""
    try:
        claims = json.loads(_b64(token.split(".")[1]))
    except (ValueError, binascii.Error, RecursionError):
        raise BadgeError(f"{label} is a JWT whose payload is not JSON") from None
    if isinstance(claims, dict) and isinstance(claims.get("vc"), dict):
        vc = dict(claims["vc"])  # VC-JWT 1.1: the credential under `vc`, dates as claims
        if "validFrom" not in vc and "issuanceDate" not in vc and isinstance(claims.get("nbf"), int):
            vc["validFrom"] = date.fromtimestamp(claims["nbf"]).isoformat()
        vc.setdefault("id", claims.get("jti"))
        claims = vc
    return json.dumps(claims)


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _from_png(data: bytes, label: str) -> str:
    for kind, chunk in png_text_chunks(data):
        if kind == b"iTXt" and chunk.startswith(b"openbadges\x00"):
            rest = chunk[len(b"openbadges\x00"):]
            if len(rest) < 2:
                break
            compressed, rest = rest[0], rest[2:]
            _, _, rest = rest.partition(b"\x00")  # language tag
            _, _, text = rest.partition(b"\x00")  # translated keyword
            if compressed:
                inflater = zlib.decompressobj()
                try:
                    text = inflater.decompress(text, MAX_INFLATED)
                except zlib.error:
                    raise BadgeError(f"{label}: its openbadges chunk cannot be inflated") from None
                if inflater.unconsumed_tail:
                    raise BadgeError(f"{label}: its openbadges chunk inflates past 1 MB")
            return _baked_text(text, label)
        if kind == b"tEXt" and chunk.startswith(b"openbadges\x00"):
            return _baked_text(chunk[len(b"openbadges\x00"):], label)
    raise BadgeError(f"{label} is a PNG without an Open Badges bake (no iTXt chunk named openbadges)")


def _from_svg(data: bytes, label: str) -> str:
    match = SVG_BAKE.search(data)
    if match is None:
        raise BadgeError(f"{label} is not a baked SVG badge (no openbadges:credential or openbadges:assertion "
                         "element)")
    body = (match.group(4) or b"").strip()
    if body.startswith(b"<![CDATA[") and body.endswith(b"]]>"):
        body = body[len(b"<![CDATA["):-3]
    elif body:
        body = html.unescape(body.decode("utf-8", "replace")).encode()
    if not body.strip():
        raise BadgeError(f"{label} holds a hosted badge (only its URL): download the badge's JSON and send that")
    return _baked_text(body, label)


def _baked_text(raw: bytes, label: str) -> str:
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise BadgeError(f"{label}: its baked badge is not UTF-8 text") from None
    if JWT.match(text):
        return jwt_payload(text, label)  # a VC-JWT, or an OB 2.0 signed assertion (JWS)
    if text.startswith(("http://", "https://")):
        raise BadgeError(f"{label} holds a hosted badge (only its URL): download the badge's JSON and send that")
    return text


def _document(text: str, label: str, today: date, content_type: str) -> ReadBadge:
    try:
        docs = badges.documents(text)
    except badges.BadgeFileError as exc:
        raise BadgeError(f"{label}: {exc}") from None
    if len(docs) != 1:
        raise BadgeError(f"{label} holds {len(docs)} badges: send one at a time")
    row = next(badges.rows(text, today))
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
    return ReadBadge(row.badge, row.earned_on, row.external_id, row.evidence_url, recipient, content_type)


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
