"""Where a verifier finds what it needs to check a transcript's CLR without asking us
anything: one `did:web` DID for the ledger (its document at `/.well-known/did.json`
lists every state's keys, current and retired), each state office's issuer profile,
and each state's revocation status lists.

Every one of these ids is built from `PUBLIC_URL` alone, never from a request's Host
header, so the same state office has the same issuer id whether a transcript was issued
from a page, the API, the command line or a season worker. Without `PUBLIC_URL` (a
development machine) they use http://127.0.0.1:5000."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from flask import current_app

from . import keys

DEFAULT_BASE = "http://127.0.0.1:5000"
DID_CONTEXT = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/suites/jws-2020/v1"]
VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def base_url() -> str:
    return (current_app.config.get("PUBLIC_URL") or DEFAULT_BASE).rstrip("/")


def did(base: str | None = None) -> str:
    """did:web method: the host (its port's colon percent-encoded), then each path
    segment after a colon. https://ledger.example:8443/tn -> did:web:ledger.example%3A8443:tn"""
    parts = urlsplit(base or base_url())
    host = (parts.hostname or "127.0.0.1") + (f"%3A{parts.port}" if parts.port else "")
    segments = [quote(s, safe="") for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments])


def key_id(label: str) -> str:
    """The DID URL of a key (`label` is its `XX-<RFC 7638 thumbprint>`)."""
    return f"{did()}#{label}"


def label_of(kid: str) -> str:
    """A header `kid` back to the key's label: a DID URL's fragment, or (CLRs signed before
    the DID) the label itself."""
    return kid.rsplit("#", 1)[-1]


def published(jwk: dict) -> dict:
    """A state's public JWK as published: its `kid` is the key's DID URL, the header's `kid`."""
    return {**jwk, "kid": key_id(jwk["kid"])}


def issuer_id(state: str) -> str:
    return f"{base_url()}/api/v1/issuers/{state}"


def status_list_url(state: str, number: int) -> str:
    return f"{base_url()}/api/v1/status/{state}/{number}"


def issuer_profile(state: str, state_name: str, office: str) -> dict:
    """The state office as an Open Badges 3.0 Profile: the CLR's `issuer.id` dereferences here."""
    return {
        "@context": [VC2, OB3],
        "id": issuer_id(state),
        "type": ["Profile"],
        "name": office,
        "url": base_url(),
        "description": f"The {state_name} state office that issues official educator transcripts through this "
                       f"ledger. It signs them with the keys of {did()} (assertionMethod); its revocation "
                       "status lists are signed with the same keys.",
    }


def did_document(states: list[str]) -> dict:
    """The ledger's DID document: each state's keys (every key ever used) as JsonWebKey2020
    verification methods, all of them assertion methods (they sign credentials)."""
    me = did()
    methods = []
    for state in states:
        for jwk in keys.public_jwks(state):
            methods.append({"id": key_id(jwk["kid"]), "type": "JsonWebKey2020", "controller": me,
                            "publicKeyJwk": {"kty": jwk["kty"], "crv": jwk["crv"], "x": jwk["x"]}})
    return {
        "@context": DID_CONTEXT,
        "id": me,
        "alsoKnownAs": [issuer_id(s) for s in states if keys.public_jwks(s)],
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods],
    }
