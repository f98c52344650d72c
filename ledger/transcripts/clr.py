"""The machine-readable transcript: a Comprehensive Learner Record 2.0 `ClrCredential`,
signed as a VC-JWT (JOSE header alg EdDSA, kid) with the state's Ed25519 key.

Each micro-credential is an `OpenBadgeCredential`; each pathway the educator holds is an
achievement of its own, with an `isChildOf` association from each micro-credential that
counted toward it. Anyone can check the signature offline with the state's public key
(GET /api/v1/keys/XX, a JWK)."""

from __future__ import annotations

from datetime import datetime, timezone

import jwt

from . import keys
from .document import Document

VC2 = "https://www.w3.org/ns/credentials/v2"
OB3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR2 = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"


def _ts(value: datetime) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def credential(d: Document, standing: dict, base_url: str, issued_at: datetime) -> dict:
    base = base_url.rstrip("/")
    issuer = {"id": f"{base}/api/v1/keys/{d.state}", "type": ["Profile"], "name": d.office}
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
        credentials.append({
            "@context": [VC2, OB3],
            "id": f"urn:ledger:entry:{e['id']}",
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "issuer": {"id": f"urn:ledger:issuer:{info.get('issuer_code', 'unknown')}", "type": ["Profile"],
                       "name": info.get("issuer") or "unknown"},
            "validFrom": f"{e['earned_on']}T00:00:00Z",
            "name": info.get("title") or e["credential"],
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
                },
            },
        })
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
    return {
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


def sign(vc: dict, state: str, issued_at: datetime) -> str:
    key = keys.private_key(state)
    claims = {**vc, "iss": vc["issuer"]["id"], "jti": vc["id"], "sub": vc["credentialSubject"]["id"],
              "nbf": int(issued_at.timestamp()), "iat": int(issued_at.timestamp())}
    header = {"kid": keys.public_jwk(state, key.public_key())["kid"], "typ": "JWT"}
    return jwt.encode(claims, key, algorithm="EdDSA", headers=header)


def verify(token: str, jwk: dict) -> dict:
    """Decode and check a transcript's VC-JWT with a state's public JWK (offline)."""
    public = jwt.PyJWK(jwk).key
    return jwt.decode(token, public, algorithms=["EdDSA"], options={"require": ["iss", "jti", "nbf"]})
