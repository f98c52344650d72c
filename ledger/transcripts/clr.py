"""The machine-readable transcript: a Comprehensive Learner Record 2.0 `ClrCredential`,
signed as a VC-JWT (JOSE header alg EdDSA, `kid` the key's did:web DID URL) with the
state's Ed25519 key.

The issuer is the state office's profile (`/api/v1/issuers/XX`); the credential carries a
`credentialStatus` (its bit in the state's Bitstring Status List, status.py). Each
micro-credential imported as a signed OB 3.0 credential is embedded as received (its
issuer's proof intact); any other is an `OpenBadgeCredential` that the state office
attests (it is inside the state's signature, and says so), keeping the original
credential's id when the entry was imported with one; each pathway
the educator holds is an achievement of its own, with an `isChildOf` association from
each micro-credential that counted toward it. Anyone can check the signature offline:
the `kid` resolves through the DID document at `/.well-known/did.json` (trust.py)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import jwt

from . import keys, trust
from .document import Document

VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"


def _ts(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


URI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


def _attested(d: Document, issuer_name: str, original: str | None) -> str:
    said = (f"Imported into the ledger from the credential {original}, issued by {issuer_name}. " if original
            else f"Recorded in the ledger as earned from {issuer_name}. ")
    return said + (f"The {d.office} attests this entry as part of the transcript it signed; the original "
                   "issuer's own proof is not reproduced here.")


def as_received(received: tuple[str, bytes] | None) -> dict | None:
    """An entry imported as a signed Open Badges 3.0 credential, exactly as received, so
    a verifier checks the issuer's own proof: the JSON with its `eddsa-rdfc-2022` proof
    untouched, or a VC-JWT as a VC 2.0 `EnvelopedVerifiableCredential` (its compact JWS
    in a `data:application/vc+jwt,` URL). None for anything else (unsigned, OB 2.0)."""
    if received is None:
        return None
    fmt, original = received
    if fmt == "ob3-vc-jwt":
        return {"@context": [VC2], "id": f"data:application/vc+jwt,{original.decode('ascii')}",
                "type": "EnvelopedVerifiableCredential"}
    if fmt == "ob3-json":
        try:
            doc = json.loads(original)
        except (ValueError, UnicodeDecodeError):
            return None
        return doc if isinstance(doc, dict) and doc.get("proof") else None
    return None


def credential(d: Document, standing: dict, issued_at: datetime, *, status: dict | None = None,
               sources: dict[int, dict] | None = None) -> dict:
    """`sources`: entry id -> {external_id, evidence_url} as recorded."""
    issuer = {"id": trust.issuer_id(d.state), "type": ["Profile"], "name": d.office, "url": trust.base_url()}
    sources = sources or {}
    subject_id = f"urn:ledger:{d.state}:license:{d.license_number}"
    identifier = [{"type": "IdentityObject", "identityType": "identifier", "hashed": False,
                   "identityHash": d.license_number}]
    mc_ids: dict[int, str] = {}
    achievements, credentials, associations = [], [], []
    units = {e["id"]: e["units"] for e in standing["entries"]}
    for e in standing["entries"]:
        if e["kind"] != "microcredential":
            continue
        info = d.credentials.get(e["credential"], {})
        achievement_id = info.get("badge_id") or f"urn:ledger:credential:{e['credential']}"
        mc_ids[e["id"]] = achievement_id
        source = sources.get(e["id"], {})
        original = source.get("external_id") if URI.fullmatch(source.get("external_id") or "") else None
        creator = {"id": f"urn:ledger:issuer:{info.get('issuer_code', 'unknown')}", "type": ["Profile"],
                   "name": info.get("issuer") or "unknown"}
        badge = {
            "@context": [VC2, OB3],
            "id": original or f"urn:ledger:entry:{e['id']}",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": issuer,
            "validFrom": f"{e['earned_on']}T00:00:00Z",
            "name": info.get("title") or e["credential"],
            "description": _attested(d, creator["name"], original),
            "credentialSubject": {
                "type": ["AchievementSubject"],
                "id": subject_id,
                "identifier": identifier,
                "licenseNumber": d.license_number,
                "creditsEarned": units[e["id"]],
                "achievement": {
                    "id": achievement_id, "type": ["Achievement"], "achievementType": "MicroCredential",
                    "humanCode": e["credential"], "name": info.get("title") or e["credential"],
                    "description": info.get("title") or e["credential"],
                    "criteria": {"narrative": "Earned against the issuer's published rubric."},
                    "creator": creator,
                },
            },
        }
        if URI.fullmatch(source.get("evidence_url") or ""):
            badge["evidence"] = [{"id": source["evidence_url"], "type": ["Evidence"], "name": "Evidence recorded"}]
        credentials.append(as_received(source.get("received")) or badge)
    for p in d.pathways:
        if p["status"] not in ("active", "permanent"):
            continue
        pid = f"urn:ledger:pathway:{d.state}:{p['code']}"
        achievements.append({
            "id": pid, "type": ["Achievement"], "achievementType": "Certificate",
            "humanCode": p["code"], "name": p["designation"] or p["name"],
            "description": f"{p['name']}: {p['status_text']}, awarded {p['awarded_on']}.",
            "criteria": {"narrative": f"Earn the micro-credentials of the {p['name']} role card."},
        })
        for c in p["counted_entries"]:
            if c["entry_id"] in mc_ids:
                associations.append({"type": "Association", "associationType": "isChildOf",
                                     "sourceId": mc_ids[c["entry_id"]], "targetId": pid})
    vc = {
        "@context": [VC2, CLR2, OB3],
        "id": f"urn:ledger:transcript:{d.serial}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": issuer,
        "name": f"Official transcript {d.serial}",
        "description": f"{d.name}, license {d.license_number}, as of {d.as_of.isoformat()}.",
        "validFrom": _ts(issued_at),
        "credentialSubject": {
            "type": ["ClrSubject"],
            "id": subject_id,
            "identifier": identifier,
            "achievement": achievements,
            "verifiableCredential": credentials,
            "association": associations,
        },
        "evidence": [{"id": d.verify_url, "type": ["Evidence"], "name": "Verify this transcript"}],
    }
    if status:
        vc["credentialStatus"] = status
    return vc


def sign(vc: dict, state: str, issued_at: datetime) -> str:
    """The OB 3.0 VC-JWT: the credential is the claims set, with `iss` = issuer id, `jti` =
    id, `sub` = subject id, `nbf` = validFrom; header `typ: JWT` (OB 3.0: if present, JWT)
    and `kid` the absolute DID URL of the key."""
    key = keys.private_key(state)
    issuer = vc["issuer"]["id"] if isinstance(vc["issuer"], dict) else vc["issuer"]
    claims = {**vc, "iss": issuer, "jti": vc["id"], "sub": vc["credentialSubject"]["id"],
              "nbf": int(issued_at.timestamp()), "iat": int(issued_at.timestamp())}
    header = {"kid": trust.key_id(keys.public_jwk(state, key.public_key())["kid"]), "typ": "JWT"}
    return jwt.encode(claims, key, algorithm="EdDSA", headers=header)


def verify(token: str, jwk: dict) -> dict:
    """Decode and check a transcript's VC-JWT with a state's public JWK (offline)."""
    public = jwt.PyJWK(jwk).key
    return jwt.decode(token, public, algorithms=["EdDSA"], options={"require": ["iss", "jti", "nbf"]})


def key_for(token: str, jwks: list[dict]) -> dict:
    """The one of a state's keys (current or retired) that the token's header names."""
    label = trust.label_of(str(jwt.get_unverified_header(token).get("kid") or ""))
    for jwk in jwks:
        if trust.label_of(jwk["kid"]) == label:
            return jwk
    raise jwt.InvalidKeyError(f"no key {label!r} for this state")
