"""Checking a credential's signature with a public JWK. No network: JSON-LD contexts are
the bundled copies in `contexts/` (any other context is refused, never fetched).

- JWS compact serialization (RFC 7515) with PyJWT: an OB 3.0 VC-JWT (the credential is
  the claims set, or its `vc` claim in the VC 1.1 form) or an OB 2.0 signed assertion
  (the assertion is the payload). `alg: none` and HMAC are never accepted.
- OB 3.0 "Verify a Credential" for a VC-JWT: `iss` is the issuer's id, `jti` the
  credential's id, `sub` its subject's id when present, `exp` not passed, `nbf` reached.
- W3C Data Integrity EdDSA Cryptosuites v1.0, `eddsa-rdfc-2022` verification: the proof
  options (the proof without `proofValue`, with the document's `@context`) and the
  document without its proof are each canonicalized with RDFC-1.0 (URDNA2015) to
  N-Quads and hashed with SHA-256; the Ed25519 signature (multibase base58btc
  `proofValue`) is over the options' hash followed by the document's."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import jwt
from cryptography.exceptions import InvalidSignature
from pyld import jsonld

from .keys import KeyProblem, b58decode, to_public_key

CONTEXTS_DIR = Path(__file__).with_name("contexts")
CONTEXTS = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.json",
    "https://www.w3.org/2018/credentials/v1": "2018-credentials-v1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context/ob_v3p0.jsonld": "ob-v3p0.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": "ob-v3p0-extensions.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": "clr-v2p0-2.0.1.json",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.json",
    "https://w3id.org/openbadges/v2": "ob-v2p0.json",
    "https://openbadgespec.org/v2/context.json": "ob-v2p0.json",
}
ALGORITHMS = {"OKP": ["EdDSA"], "EC": ["ES256"], "RSA": ["RS256", "RS384", "RS512", "PS256"]}
CRYPTOSUITES = ("eddsa-rdfc-2022", "eddsa-2022")  # eddsa-2022: the suite's name in its 2022-23 drafts
# Published suites the ledger does not check: a credential proved with one is unverifiable, not refused.
OTHER_SUITES = ("Ed25519Signature2020", "Ed25519Signature2018", "JsonWebSignature2020", "EcdsaSecp256k1Signature2019",
                "BbsBlsSignature2020")
OTHER_CRYPTOSUITES = ("ecdsa-rdfc-2019", "ecdsa-sd-2023", "eddsa-jcs-2022", "ecdsa-jcs-2019", "bbs-2023")


class ProofError(ValueError):
    """The signature or its claims do not hold: the credential is refused, saying why."""


class CannotCheck(ProofError):
    """The proof may be sound but cannot be checked here (a JSON-LD context the ledger does
    not bundle): the credential is unverifiable, not refused."""


def _loader(url: str, options=None) -> dict:
    name = CONTEXTS.get(url)
    if name is None:
        raise jsonld.JsonLdError(f"the JSON-LD context {url} is not one the ledger knows", "loading document failed",
                                 {"url": url}, code="loading document failed")
    return {"contextUrl": None, "documentUrl": url,
            "document": json.loads((CONTEXTS_DIR / name).read_text(encoding="utf-8"))}


def jws_header(token: str) -> dict:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise ProofError(f"the JWS header cannot be read ({exc})") from None
    if str(header.get("alg", "")).lower() == "none":
        raise ProofError("the JWS is unsigned (alg: none)")
    return header


def verify_jws(token: str, jwk: dict) -> dict:
    """The payload of a compact JWS whose signature this public key makes; else ProofError."""
    header = jws_header(token)
    allowed = ALGORITHMS[jwk["kty"]]
    if header.get("alg") not in allowed:
        raise ProofError(f"the JWS is signed with alg {header.get('alg')!r}, which a {jwk['kty']} key does not make "
                         f"({', '.join(allowed)})")
    try:
        payload = jwt.PyJWS().decode_complete(token, key=to_public_key(jwk), algorithms=allowed)["payload"]
    except jwt.InvalidSignatureError:
        raise ProofError("the JWS signature does not match the issuer's key (the credential was changed, or "
                         "signed with another key)") from None
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise ProofError(f"the JWS cannot be checked ({exc})") from None
    try:
        return json.loads(payload)
    except (ValueError, RecursionError):
        raise ProofError("the JWS payload is not JSON") from None


def vc_jwt_credential(claims: dict) -> dict:
    """The credential inside VC-JWT claims: the claims themselves (VC 2.0), or `vc` (VC
    1.1, whose JWT encoding moves `issuer`, `id` and the issue date to `iss`, `jti` and
    `nbf`: they are put back when the credential leaves them out)."""
    if not isinstance(claims.get("vc"), dict):
        return claims
    vc = dict(claims["vc"])
    if "issuer" not in vc and isinstance(claims.get("iss"), str):
        vc["issuer"] = claims["iss"]
    if "id" not in vc and isinstance(claims.get("jti"), str):
        vc["id"] = claims["jti"]
    if "validFrom" not in vc and "issuanceDate" not in vc and isinstance(claims.get("nbf"), (int, float)):
        try:
            vc["issuanceDate"] = datetime.fromtimestamp(claims["nbf"], timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        except (OverflowError, OSError, ValueError):
            pass  # no issue date: the row says it is required
    return vc


def vc_jwt_claims(claims: dict, credential: dict, today: date) -> list[tuple[str, str]]:
    """OB 3.0's checks of a VC-JWT's registered claims against the credential; `exp` and
    `nbf` are judged by the day (the ledger's clock), as `validUntil` and `validFrom` are."""
    out = []
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if "iss" in claims and claims["iss"] != issuer_id:
        out.append(("iss", f"{str(claims['iss'])[:100]!r} is not the credential's issuer id"))
    if "jti" in claims and "id" in credential and claims["jti"] != credential["id"]:
        out.append(("jti", "is not the credential's id"))
    subject = credential.get("credentialSubject")
    subject_id = subject.get("id") if isinstance(subject, dict) else None
    if "sub" in claims and subject_id and claims["sub"] != subject_id:
        out.append(("sub", "is not the credential subject's id"))
    for claim, late, said in (("exp", lambda d: d < today, "the VC-JWT expired on"),
                              ("nbf", lambda d: d > today + timedelta(days=1), "the VC-JWT is not valid before")):
        if isinstance(claims.get(claim), (int, float)) and not isinstance(claims[claim], bool):
            try:
                when = datetime.fromtimestamp(claims[claim], timezone.utc).date()
            except (OverflowError, OSError, ValueError):
                out.append((claim, "is not a time"))
                continue
            if late(when):
                out.append((claim, f"{said} {when}"))
    return out


def the_proof(doc: dict) -> dict | None:
    """The document's one Data Integrity proof; None when it has none."""
    proof = doc.get("proof")
    if proof is None:
        return None
    proofs = proof if isinstance(proof, list) else [proof]
    if not proofs:
        return None
    for i, p in enumerate(proofs):
        where = f"proof[{i}]" if isinstance(proof, list) else "proof"
        kind = p.get("type") if isinstance(p, dict) else type(p).__name__
        if kind in OTHER_SUITES or (kind == "DataIntegrityProof" and p.get("cryptosuite") in OTHER_CRYPTOSUITES):
            raise CannotCheck(f"its proof ({p.get('cryptosuite') or kind}) is of a kind the ledger does not check "
                              "(eddsa-rdfc-2022 and JWS are)")
        if kind != "DataIntegrityProof":
            raise ProofError(f"{where}: type {kind!r} is not understood (DataIntegrityProof with eddsa-rdfc-2022)")
        if p.get("cryptosuite") not in CRYPTOSUITES:
            raise ProofError(f"{where}: cryptosuite {p.get('cryptosuite')!r} is not understood (eddsa-rdfc-2022)")
        if not isinstance(p.get("proofValue"), str) or not isinstance(p.get("verificationMethod"), str):
            raise ProofError(f"{where}: needs proofValue and verificationMethod")
        if p.get("proofPurpose", "assertionMethod") != "assertionMethod":
            raise ProofError(f"{where}: proofPurpose must be assertionMethod")
    if len(proofs) > 1:
        raise ProofError(f"the credential carries {len(proofs)} proofs; the ledger checks one")
    return proofs[0]


def verify_data_integrity(doc: dict, jwk: dict) -> None:
    """Check an `eddsa-rdfc-2022` proof with an Ed25519 public JWK; ProofError if it fails."""
    check_signed(signed_data(doc), jwk)


def signed_data(doc: dict) -> tuple[bytes, bytes]:
    """(signature, what it signs) of the document's `eddsa-rdfc-2022` proof: canonicalized
    once, then checked with as many keys as need be."""
    proof = the_proof(doc)
    if proof is None:
        raise ProofError("the credential carries no proof")
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    options = {k: v for k, v in proof.items() if k != "proofValue"}
    options["@context"] = doc.get("@context")
    try:
        signature = b58decode(proof["proofValue"][1:]) if proof["proofValue"].startswith("z") else b""
    except KeyProblem:
        signature = b""
    if len(signature) != 64:
        raise ProofError("proofValue is not a multibase (z...) Ed25519 signature")
    normalize = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": _loader}
    try:
        return signature, (hashlib.sha256(jsonld.normalize(options, normalize).encode()).digest()
                           + hashlib.sha256(jsonld.normalize(unsigned, normalize).encode()).digest())
    except jsonld.JsonLdError as exc:
        cause = _cause(exc)
        if "is not one the ledger knows" in cause:
            raise CannotCheck(f"its proof cannot be checked here: {cause}") from None
        raise ProofError(f"the credential cannot be canonicalized as JSON-LD ({cause})") from None
    except (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError) as exc:
        # PyLD meets malformed JSON-LD (an empty or relative @context IRI...) with plain exceptions
        raise ProofError(f"the credential is not valid JSON-LD ({str(exc)[:200] or type(exc).__name__})") from None


def check_signed(signed: tuple[bytes, bytes], jwk: dict) -> None:
    signature, data = signed
    if jwk.get("kty") != "OKP":
        raise ProofError("an eddsa-rdfc-2022 proof is checked with an Ed25519 key; the issuer's key is not one")
    try:
        to_public_key(jwk).verify(signature, data)
    except InvalidSignature:
        raise ProofError("the proof's signature does not match the issuer's key (the credential was changed, or "
                         "signed with another key)") from None


def _cause(exc: BaseException) -> str:
    """The innermost JSON-LD error's message (PyLD chains them as exception causes)."""
    while (exc.__cause__ or exc.__context__) is not None:
        exc = exc.__cause__ or exc.__context__
    message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return message.splitlines()[0][:300]
