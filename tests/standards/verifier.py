"""A verifier written from the specifications only, sharing no code with the ledger:
it must not import `ledger`. It uses joserfc (the ledger signs with PyJWT).

- Open Badges 3.0, "Verify a Credential" for a VC-JWT (ob_v3p0 integrity.md): the JOSE
  header's `kid` is a URI dereferenced to the public key; `jwk` is absent; verify the JWS;
  then `iss` is the issuer id, `jti` the credential id, `sub` the subject id, `nbf` the
  `validFrom`, and `exp` (when present) not passed.
- did:web method specification: `did:web:<host>[:<path>...]` resolves to
  `https://<host>/.well-known/did.json`, or `https://<host>/<path>/did.json` with a path;
  the port's colon is percent-encoded as `%3A`. A DID URL's fragment names a verification
  method in that document; to sign credentials it must be an `assertionMethod`.
- W3C Bitstring Status List 1.0, "Validate Algorithm": fetch `statusListCredential`, verify
  it, check it is a `BitstringStatusListCredential` with the entry's `statusPurpose`,
  expand `encodedList` (multibase base64url, then GZIP), at least 131,072 bits; the status
  is the bit at `statusListIndex`, counted from the leftmost bit of the first byte.

`fetch(url)` answers `(status, content_type, body bytes)`; the tests map https URLs to the
Flask test client."""

from __future__ import annotations

import base64
import gzip
import json
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import unquote

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

Fetch = Callable[[str], tuple[int, str, bytes]]
ALGORITHMS = ["EdDSA", "Ed25519", "ES256", "RS256"]
MIN_BITS = 131_072


class NotVerified(Exception):
    pass


@dataclass
class Result:
    verified: bool
    credential: dict | None = None
    revoked: bool | None = None
    problems: list[str] = field(default_factory=list)


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def did_web_url(did: str) -> str:
    if not did.startswith("did:web:"):
        raise NotVerified(f"not a did:web DID: {did}")
    parts = did[len("did:web:"):].split(":")
    host = unquote(parts[0])
    path = "/".join(unquote(p) for p in parts[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def _get_json(fetch: Fetch, url: str) -> dict:
    status, _, body = fetch(url)
    if status != 200:
        raise NotVerified(f"{url}: HTTP {status}")
    return json.loads(body)


def resolve_key(kid: str, fetch: Fetch) -> dict:
    """Dereference the header's kid (a URI) to a public JWK."""
    if kid.startswith("did:"):
        did, _, fragment = kid.partition("#")
        document = _get_json(fetch, did_web_url(did))
        if document.get("id") != did:
            raise NotVerified(f"the DID document at {did_web_url(did)} is not {did}'s")
        wanted = {kid, f"#{fragment}"}
        methods = [m for m in document.get("verificationMethod", []) if m.get("id") in wanted]
        if not methods:
            raise NotVerified(f"{kid} is not a verification method of {did}")
        if not wanted & {m if isinstance(m, str) else m.get("id") for m in document.get("assertionMethod", [])}:
            raise NotVerified(f"{kid} may not assert credentials (not an assertionMethod)")
        return methods[0]["publicKeyJwk"]
    if kid.startswith("https://"):
        return _get_json(fetch, kid)
    raise NotVerified(f"kid {kid!r} is not a URI that can be dereferenced")


def verify_jwt(token: str, fetch: Fetch) -> dict:
    """The signature and the OB 3.0 claim rules; answers the credential (the claims set)."""
    try:
        head_b64, payload_b64, _ = token.strip().split(".")
        header = json.loads(_b64(head_b64))
    except ValueError as e:
        raise NotVerified(f"not a compact JWS: {e}") from e
    if header.get("alg") not in ALGORITHMS:
        raise NotVerified(f"alg {header.get('alg')!r} is not acceptable")
    if "jwk" in header or not header.get("kid"):
        raise NotVerified("the header must name its key by kid")
    jwk = resolve_key(header["kid"], fetch)
    if any(k in jwk for k in ("d", "p", "q")):
        raise NotVerified("the published key holds private members")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # joserfc: "EdDSA is deprecated via RFC 9864"
            claims = json.loads(jws.deserialize_compact(token.strip(), OKPKey.import_key(jwk),
                                                        algorithms=[header["alg"]]).payload)
    except (JoseError, ValueError) as e:
        raise NotVerified(f"bad signature: {e}") from e
    issuer = claims.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    subject = claims.get("credentialSubject") or {}
    if claims.get("iss") != issuer_id:
        raise NotVerified("iss is not the issuer id")
    if claims.get("jti") != claims.get("id"):
        raise NotVerified("jti is not the credential id")
    if "sub" in claims and claims["sub"] != subject.get("id"):
        raise NotVerified("sub is not the subject id")
    valid_from = datetime.fromisoformat(claims["validFrom"].replace("Z", "+00:00"))
    if claims.get("nbf") != int(valid_from.timestamp()):
        raise NotVerified("nbf is not validFrom")
    if "exp" in claims and claims["exp"] < datetime.now(timezone.utc).timestamp():
        raise NotVerified("expired")
    return claims


def status_bit(entry: dict, issuer_id: str, fetch: Fetch) -> bool:
    if entry.get("type") != "BitstringStatusListEntry":
        raise NotVerified(f"unknown credentialStatus type {entry.get('type')!r}")
    status, content_type, body = fetch(entry["statusListCredential"])
    if status != 200:
        raise NotVerified(f"status list: HTTP {status}")
    listed = verify_jwt(body.decode() if "jwt" in content_type else json.loads(body), fetch)
    if "BitstringStatusListCredential" not in listed.get("type", []):
        raise NotVerified("the status list is not a BitstringStatusListCredential")
    if listed["id"] != entry["statusListCredential"]:
        raise NotVerified("the status list is not the one the entry names")
    if listed.get("iss") != issuer_id:
        raise NotVerified("the status list has another issuer")
    subject = listed["credentialSubject"]
    if subject.get("statusPurpose") != entry.get("statusPurpose"):
        raise NotVerified("statusPurpose differs")
    encoded = subject["encodedList"]
    if not encoded.startswith("u"):
        raise NotVerified("encodedList is not multibase base64url")
    bits = gzip.decompress(_b64(encoded[1:]))
    if len(bits) * 8 < MIN_BITS:
        raise NotVerified("the status list is shorter than 131,072 bits")
    index = int(entry["statusListIndex"])
    if index >= len(bits) * 8:
        raise NotVerified("statusListIndex out of range")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def verify(token: str, fetch: Fetch) -> Result:
    try:
        credential = verify_jwt(token, fetch)
    except NotVerified as e:
        return Result(False, problems=[str(e)])
    issuer_id = credential["iss"]
    profile = _get_json(fetch, issuer_id)
    problems = [] if profile.get("id") == issuer_id and "Profile" in profile.get("type", []) else [
        "the issuer id does not dereference to its Profile"]
    revoked = None
    if "credentialStatus" in credential:
        try:
            revoked = status_bit(credential["credentialStatus"], issuer_id, fetch)
        except NotVerified as e:
            problems.append(str(e))
    if revoked:
        problems.append("revoked")
    return Result(not problems, credential, revoked, problems)
