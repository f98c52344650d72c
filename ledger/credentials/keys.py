"""Issuers' public keys in the forms they publish them, as public JWKs. Pure: what to
fetch is decided here (did:web's URL), the fetching is the caller's.

- a JWK (RFC 7517) or a JWK Set: Ed25519 (OKP), P-256 (EC) or RSA, the public half only;
- did:key (W3C CCG did:key 0.7): `did:key:z6Mk...`, multibase base58btc of the multicodec
  ed25519-pub (0xed 0x01) then the 32-byte key;
- did:web (W3C CCG did:web): `did:web:host[:path...]` is https://host/.well-known/did.json,
  or https://host/path.../did.json; its verification methods carry `publicKeyJwk` or
  `publicKeyMultibase`;
- an Open Badges 2.0 CryptographicKey (`publicKeyPem`), or any of the above, at a URL."""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import unquote

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
ED25519_CODEC = b"\xed\x01"
PUBLIC_MEMBERS = {"OKP": ("crv", "x"), "EC": ("crv", "x", "y"), "RSA": ("e", "n")}


class KeyProblem(ValueError):
    """Why this is not a usable public key, in words for the person who gave it."""


def b58decode(text: str) -> bytes:
    number = 0
    for ch in text:
        at = B58.find(ch)
        if at < 0:
            raise KeyProblem(f"{ch!r} is not a base58 character")
        number = number * 58 + at
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return b"\x00" * (len(text) - len(text.lstrip("1"))) + raw


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def multibase_ed25519(value: str) -> dict:
    """A `z6Mk...` multibase Ed25519 public key as a JWK."""
    if not value.startswith("z"):
        raise KeyProblem("a multibase key must start with z (base58btc)")
    raw = b58decode(value[1:])
    if not raw.startswith(ED25519_CODEC) or len(raw) != 34:
        raise KeyProblem("only Ed25519 multibase keys (z6Mk...) are understood")
    return {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw[2:])}


def did_key(did: str) -> dict:
    if not did.startswith("did:key:"):
        raise KeyProblem(f"{did[:60]!r} is not a did:key")
    return multibase_ed25519(did[len("did:key:"):].split("#")[0])


def did_web_url(did: str) -> str:
    """did:web:example.com%3A8443:issuers:1 -> https://example.com:8443/issuers/1/did.json"""
    if not did.startswith("did:web:"):
        raise KeyProblem(f"{did[:60]!r} is not a did:web")
    parts = did[len("did:web:"):].split("#")[0].split(":")
    if not parts[0]:
        raise KeyProblem("a did:web names a host")
    host = unquote(parts[0])
    path = "/".join(unquote(p) for p in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def public_jwk(value) -> dict:
    """A JWK reduced to its public members; a private key is refused, not trimmed."""
    if not isinstance(value, dict):
        raise KeyProblem("a JWK is a JSON object")
    if "d" in value or "p" in value:
        raise KeyProblem("this is a private key: give only its public half (no d member)")
    kty = value.get("kty")
    if kty not in PUBLIC_MEMBERS:
        raise KeyProblem(f"kty {kty!r} is not understood (OKP Ed25519, EC P-256 or RSA)")
    out = {"kty": kty}
    for name in PUBLIC_MEMBERS[kty]:
        if not isinstance(value.get(name), str) or not value[name]:
            raise KeyProblem(f"a {kty} JWK needs its {name} member")
        out[name] = value[name]
    if kty == "OKP" and out["crv"] != "Ed25519":
        raise KeyProblem(f"curve {out['crv']!r} is not understood (Ed25519)")
    if kty == "EC" and out["crv"] != "P-256":
        raise KeyProblem(f"curve {out['crv']!r} is not understood (P-256)")
    try:
        to_public_key(out)
    except (ValueError, TypeError):
        raise KeyProblem(f"the {kty} JWK's members do not make a public key") from None
    return out


def thumbprint(jwk: dict) -> str:
    """RFC 7638: the required members, sorted, no whitespace, SHA-256, base64url."""
    members = {k: jwk[k] for k in ("kty", *PUBLIC_MEMBERS[jwk["kty"]])}
    return _b64url(hashlib.sha256(json.dumps(members, separators=(",", ":"), sort_keys=True).encode()).digest())


def _int(value: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)), "big")


def to_public_key(jwk: dict):
    """The cryptography public key of a public JWK."""
    raw = base64.urlsafe_b64decode(jwk["x"] + "=" * (-len(jwk["x"]) % 4)) if "x" in jwk else b""
    if jwk["kty"] == "OKP":
        return ed25519.Ed25519PublicKey.from_public_bytes(raw)
    if jwk["kty"] == "EC":
        return ec.EllipticCurvePublicNumbers(_int(jwk["x"]), _int(jwk["y"]), ec.SECP256R1()).public_key()
    return rsa.RSAPublicNumbers(_int(jwk["e"]), _int(jwk["n"])).public_key()


def from_pem(pem: str) -> dict:
    try:
        key = serialization.load_pem_public_key(pem.encode())
    except (ValueError, TypeError):
        raise KeyProblem("publicKeyPem is not a PEM public key") from None
    if isinstance(key, ed25519.Ed25519PublicKey):
        return {"kty": "OKP", "crv": "Ed25519",
                "x": _b64url(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))}
    if isinstance(key, rsa.RSAPublicKey):
        n = key.public_numbers()
        return {"kty": "RSA", "e": _b64url(n.e.to_bytes((n.e.bit_length() + 7) // 8, "big")),
                "n": _b64url(n.n.to_bytes((n.n.bit_length() + 7) // 8, "big"))}
    if isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1):
        n = key.public_numbers()
        return {"kty": "EC", "crv": "P-256", "x": _b64url(n.x.to_bytes(32, "big")),
                "y": _b64url(n.y.to_bytes(32, "big"))}
    raise KeyProblem("publicKeyPem holds a key of a kind not understood (Ed25519, P-256 or RSA)")


def from_document(doc, fragment: str | None = None) -> list[tuple[str | None, dict]]:
    """(key id, public JWK) for each key a fetched document publishes: a JWK, a JWK Set,
    a DID document's verification methods (only `fragment`'s when given), or an OB 2.0
    CryptographicKey."""
    if not isinstance(doc, dict):
        raise KeyProblem("the document is not a JSON object")
    if "kty" in doc:
        return [(doc.get("kid"), public_jwk(doc))]
    if isinstance(doc.get("keys"), list):
        return [(k.get("kid") if isinstance(k, dict) else None, public_jwk(k)) for k in doc["keys"]]
    if isinstance(doc.get("publicKeyPem"), str):
        return [(doc.get("id"), from_pem(doc["publicKeyPem"]))]
    methods = doc.get("verificationMethod")
    if isinstance(methods, list):
        found = []
        for m in methods:
            if not isinstance(m, dict):
                continue
            mid = m.get("id") if isinstance(m.get("id"), str) else None
            if fragment and (mid or "").split("#")[-1] != fragment:
                continue
            if isinstance(m.get("publicKeyJwk"), dict):
                found.append((mid, public_jwk(m["publicKeyJwk"])))
            elif isinstance(m.get("publicKeyMultibase"), str):
                found.append((mid, multibase_ed25519(m["publicKeyMultibase"])))
        if found:
            return found
        raise KeyProblem("the DID document lists no verification method with a key"
                         + (f" named #{fragment}" if fragment else ""))
    raise KeyProblem("the document is not a JWK, a JWK Set, a DID document or an Open Badges CryptographicKey")
