"""The transcript's CLR carries an entry imported as a signed Open Badges 3.0 credential
as it was received (issue 16, item 1's remainder): the issuer's own proof still checks
inside it; an entry recorded by hand stays attested by the state."""

from __future__ import annotations

import base64
import json
from datetime import date

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.credentials import proofs
from ledger.credentials.keys import did_key
from tests.standards.web import FIXTURES

ISSUER = "https://example.com/issuers/876543"
KEY = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
EARNER = "did:example:ebfeb1f712ebc6f1c276e12ec21"


def _clr(client, ledger, educator) -> dict:
    r = client.post(f"/api/v1/educators/{educator.id}/transcripts", json={"state": "TN"}, headers=ledger.headers())
    assert r.status_code == 201, r.json
    token = client.get(f"/api/v1/transcripts/{r.json['serial']}/clr",
                       headers={**ledger.headers(), "Accept": "application/vc+jwt"}).get_data(as_text=True)
    return jwt.decode(token, options={"verify_signature": False})


def _import(client, ledger, body: bytes, content_type: str) -> None:
    r = client.post("/api/v1/imports", query_string={"format": "openbadges"}, data=body,
                    headers={**ledger.headers(), "Content-Type": content_type})
    assert (r.status_code, r.json["accepted"]) == (200, 1), r.json
    code = r.json["credentials_added"][0]
    r = client.post(f"/api/v1/catalog/{code}/review", json={"decision": "approved"}, headers=ledger.headers())
    assert r.status_code == 200, r.json


def _educator(client, ledger):
    e = ledger.educator("TN", licenses=[{"type": "professional", "cycle_start": date(2008, 7, 1),
                                        "cycle_end": date(2030, 6, 30)}])
    r = client.post(f"/api/v1/educators/{e.id}/identities", json={"kind": "did", "value": EARNER},
                    headers=ledger.headers())
    assert r.status_code == 201
    ledger.record(e, "DP-LIT-01", date(2024, 2, 29))
    ledger.session.commit()
    return e


def test_a_credential_imported_with_its_data_integrity_proof_is_embedded_as_received_and_still_verifies(
        client, ledger):
    assert client.post("/api/v1/issuer-keys", json={"issuer": ISSUER, "source": KEY, "origin": "fixtures"},
                       headers=ledger.headers()).status_code == 201
    educator = _educator(client, ledger)
    original = (FIXTURES / "ob30" / "simple.json").read_bytes()
    _import(client, ledger, original, "application/json")
    inside = _clr(client, ledger, educator)["credentialSubject"]["verifiableCredential"]
    received = [c for c in inside if c.get("id") == "http://example.com/credentials/3527"]
    assert received == [json.loads(original)]
    proofs.verify_data_integrity(received[0], did_key(KEY))  # the issuer's own proof, checked inside the CLR
    attested = [c for c in inside if c is not received[0]]
    assert attested and all("attests this entry" in c["description"] for c in attested)


def test_a_vc_jwt_is_embedded_as_an_enveloped_credential_holding_the_jws_as_received(client, ledger):
    key = Ed25519PrivateKey.generate()
    x = base64.urlsafe_b64encode(key.public_key().public_bytes(serialization.Encoding.Raw,
                                                               serialization.PublicFormat.Raw)).rstrip(b"=").decode()
    assert client.post("/api/v1/issuer-keys", json={"issuer": ISSUER, "origin": "a test issuer",
                                                    "jwk": {"kty": "OKP", "crv": "Ed25519", "x": x}},
                       headers=ledger.headers()).status_code == 201
    educator = _educator(client, ledger)
    credential = json.loads((FIXTURES / "ob30" / "simple.json").read_bytes())
    credential.pop("proof")
    token = jwt.encode({**credential, "iss": ISSUER, "jti": credential["id"], "sub": EARNER}, key, algorithm="EdDSA")
    _import(client, ledger, token.encode(), "application/vc+jwt")
    inside = _clr(client, ledger, educator)["credentialSubject"]["verifiableCredential"]
    enveloped = [c for c in inside if c.get("type") == "EnvelopedVerifiableCredential"]
    assert [c["id"] for c in enveloped] == [f"data:application/vc+jwt,{token}"]
    assert jwt.decode(token, key.public_key(), algorithms=["EdDSA"])["jti"] == credential["id"]
