"""Each state's Ed25519 signing key, and its public half as a JWK.

In development a key is generated on first use into `instance/keys/XX.pem` (mode 0600).
In production point `SIGNING_KEY_DIR` at the directory holding the configured keys and
set `SIGNING_KEY_GENERATE=0`: a state without a key then cannot issue, rather than
silently signing with a new one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

from ..errors import LedgerError

_lock = threading.Lock()
_cache: dict[Path, Ed25519PrivateKey] = {}


class KeyUnavailable(LedgerError):
    status = 503


def key_dir() -> Path:
    configured = current_app.config.get("SIGNING_KEY_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "keys"


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def private_key(state: str, create: bool | None = None) -> Ed25519PrivateKey:
    path = key_dir() / f"{state}.pem"
    with _lock:
        key = _cache.get(path)
        if key is not None:
            return key
        if not path.exists():
            if create is None:
                create = current_app.config.get("SIGNING_KEY_GENERATE", True)
            if not create:
                raise KeyUnavailable(f"no signing key configured for state {state}")
            path.parent.mkdir(parents=True, exist_ok=True)
            pem = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            # O_EXCL: two processes generating at once keep the first key, never mix them.
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as f:
                    f.write(pem)
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, Ed25519PrivateKey):
            raise KeyUnavailable(f"the signing key for state {state} is not an Ed25519 key")
        _cache[path] = loaded
        return loaded


def has_key(state: str) -> bool:
    return (key_dir() / f"{state}.pem").exists()


def public_jwk(state: str, public: Ed25519PublicKey | None = None) -> dict:
    public = public or private_key(state).public_key()
    x = _b64url(public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    # RFC 7638 thumbprint: the required members, sorted, no whitespace.
    thumb = _b64url(hashlib.sha256(
        json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":"), sort_keys=True).encode()
    ).digest())
    return {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": f"{state}-{thumb}", "use": "sig", "alg": "EdDSA"}


def retired_public_keys(state: str) -> list[Ed25519PublicKey]:
    """Keys a state signed with before: `SIGNING_KEY_DIR/retired/XX-*.pem` (public or
    private PEM). To rotate, move `XX.pem` there and put the new key at `XX.pem`: the old
    key is never used to sign again, but it stays published, so every CLR it signed still
    verifies."""
    folder = key_dir() / "retired"
    found: list[Ed25519PublicKey] = []
    for path in sorted(folder.glob(f"{state}-*.pem")) if folder.is_dir() else []:
        data = path.read_bytes()
        try:
            key = serialization.load_pem_public_key(data)
        except ValueError:
            try:
                key = serialization.load_pem_private_key(data, password=None).public_key()
            except (ValueError, TypeError):
                continue
        if isinstance(key, Ed25519PublicKey):
            found.append(key)
    return found


def public_jwks(state: str) -> list[dict]:
    """Every public key the state ever signed with: the current one first, then the retired."""
    jwks = [public_jwk(state)] if has_key(state) else []
    for key in retired_public_keys(state):
        jwk = public_jwk(state, key)
        if all(j["kid"] != jwk["kid"] for j in jwks):
            jwks.append(jwk)
    return jwks
