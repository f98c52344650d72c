"""What the ledger knows to check incoming credentials with: the issuers' public keys
the state offices keep (`issuer_keys`), each imported credential as it was received and
how it was verified (`received_credentials`), and the identities that name an educator
as a badge's recipient (`educator_identities`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Timestamp, db, utcnow

VERIFICATIONS = ("verified", "unverifiable", "hosted")
KEY_SOURCES = ("jwk", "did:key", "did:web", "url")
IDENTITY_KINDS = ("email", "did", "url")


class IssuerKey(db.Model):
    """A public key an issuer signs with, as a state office recorded it: the issuer's id
    as its credentials name it, where the key came from (a JWK pasted in, a did:key, a
    did:web or a URL, resolved when added) and the key itself as a public JWK. Retired
    keys stay (a credential signed before still verifies) with `retired_at` set."""

    __tablename__ = "issuer_keys"
    __table_args__ = (
        UniqueConstraint("issuer", "thumbprint"),
        CheckConstraint("source_kind IN ('jwk', 'did:key', 'did:web', 'url')", name="source_kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500), index=True)
    source_kind: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(2000))  # the DID or URL; "JWK" when pasted in
    origin: Mapped[str] = mapped_column(String(1000))  # where the office got it (a letter, a page, a call)
    key_id: Mapped[str | None] = mapped_column(String(1000))  # the kid / verification method it answers to
    thumbprint: Mapped[str] = mapped_column(String(64))  # RFC 7638
    jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    state_id: Mapped[int | None] = mapped_column(ForeignKey("states.id"), index=True)  # the office that added it
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(Timestamp())


class ReceivedCredential(db.Model):
    """An imported entry's credential exactly as received (the JSON's bytes or the
    compact JWS), its format, and how it was verified: `verified` (a proof checked with
    a key in the registry), `hosted` (an OB 2.0 assertion fetched from its issuer's own
    address) or `unverifiable` (no key known, or not fetched), with why."""

    __tablename__ = "received_credentials"
    __table_args__ = (
        CheckConstraint("verification IN ('verified', 'unverifiable', 'hosted')", name="verification"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id"), unique=True)
    format: Mapped[str] = mapped_column(String(20))  # ob2-json, ob2-jws, ob3-json, ob3-vc-jwt
    original: Mapped[bytes] = mapped_column(LargeBinary)
    verification: Mapped[str] = mapped_column(String(12))
    detail: Mapped[str] = mapped_column(String(1000))
    issuer_key_id: Mapped[int | None] = mapped_column(ForeignKey("issuer_keys.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)


class EducatorIdentity(db.Model):
    """Another identity that names an educator as a badge's recipient: an e-mail
    (besides `educators.email`), a DID, or a URL (any other URI: https:, urn:). One
    identity names one educator."""

    __tablename__ = "educator_identities"
    __table_args__ = (
        UniqueConstraint("kind", "value"),
        CheckConstraint("kind IN ('email', 'did', 'url')", name="kind"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    educator_id: Mapped[int] = mapped_column(ForeignKey("educators.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    value: Mapped[str] = mapped_column(String(500))  # e-mails lower-cased
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime] = mapped_column(Timestamp(), default=utcnow)
