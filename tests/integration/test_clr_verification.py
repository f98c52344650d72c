"""Issue 16, item 1: a CLR anyone can verify. Each check runs the independent verifier in
tests/standards/verifier.py (written from the OB 3.0, did:web and Bitstring Status List
specifications, with joserfc; it shares no code with the ledger) against what the ledger
serves, the https URLs mapped to the test client (PUBLIC_URL is https://ledger.example)."""

from __future__ import annotations

import base64
import json
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.transcripts import keys as keys_module
from ledger.transcripts import trust
from tests.standards import verifier

VC_JWT = "application/vc+jwt"
DID = "did:web:ledger.example"
ORIGIN = {"Origin": "https://verifier.example"}


@pytest.fixture
def fetch(client):
    seen = []

    def get(url: str):
        parts = urlsplit(url)
        assert (parts.scheme, parts.netloc) == ("https", "ledger.example"), f"the verifier left the ledger: {url}"
        seen.append(parts.path)
        r = client.get(parts.path, headers={"Accept": f"{VC_JWT}, application/json"})  # no token: public
        return r.status_code, r.mimetype, r.data

    get.seen = seen
    return get


@pytest.fixture
def teacher(ledger):
    e = ledger.educator("TN", license_number="TN-0777", licenses=[
        {"type": "professional", "cycle_start": date(2020, 7, 1), "cycle_end": date(2025, 6, 30)}])
    ledger.record(e, "DP-FA-01", date(2021, 3, 1), external_id="https://badges.example.org/assertions/fa-77",
                  evidence_url="https://portfolio.example.org/fa-77")
    ledger.record(e, "BB-CM-01", date(2022, 1, 15), external_id="row-17")  # a CSV row's id: not a URI
    ledger.record(e, "DP-LIT-01", date(2024, 2, 29))
    ledger.session.commit()
    return e


def issue(client, ledger, e, **kw) -> str:
    r = client.post(f"/api/v1/educators/{e.id}/transcripts", json={"state": "TN"}, headers=ledger.headers(), **kw)
    assert r.status_code == 201, r.json
    return r.json["serial"]


def bare_clr(client, ledger, serial) -> str:
    r = client.get(f"/api/v1/transcripts/{serial}/clr", headers={**ledger.headers(), "Accept": VC_JWT})
    assert r.status_code == 200 and r.mimetype == VC_JWT
    return r.get_data(as_text=True)


def test_a_verifier_written_from_the_specs_accepts_the_clr_and_sees_it_revoked(client, ledger, teacher, fetch):
    serial = issue(client, ledger, teacher)
    token = bare_clr(client, ledger, serial)
    before = verifier.verify(token, fetch)
    assert before.verified and before.revoked is False, before.problems
    assert {"/.well-known/did.json", "/api/v1/issuers/TN", "/api/v1/status/TN/1"} <= set(fetch.seen)

    r = client.post(f"/api/v1/transcripts/{serial}/revoke", json={"reason": "issued in error"},
                    headers=ledger.headers())
    assert r.status_code == 200
    assert bare_clr(client, ledger, serial) == token  # the CLR's bytes never change
    after = verifier.verify(token, fetch)
    assert not after.verified and after.revoked is True and after.problems == ["revoked"]


def test_revoking_one_transcript_leaves_the_others_of_its_list_valid(client, ledger, teacher, fetch):
    first, second = issue(client, ledger, teacher), issue(client, ledger, teacher)
    client.post(f"/api/v1/transcripts/{first}/revoke", json={"reason": "superseded"}, headers=ledger.headers())
    assert verifier.verify(bare_clr(client, ledger, first), fetch).revoked is True
    assert verifier.verify(bare_clr(client, ledger, second), fetch).verified


def test_the_kid_is_a_did_url_that_resolves_to_the_published_key(client, ledger, teacher, fetch):
    token = bare_clr(client, ledger, issue(client, ledger, teacher))
    header = jwt.get_unverified_header(token)
    assert header["kid"].startswith(DID + "#TN-") and header["typ"] == "JWT" and "jwk" not in header
    doc = client.get("/.well-known/did.json").json
    assert doc["id"] == DID
    (method,) = [m for m in doc["verificationMethod"] if m["id"] == header["kid"]]
    assert method["controller"] == DID and header["kid"] in doc["assertionMethod"]
    assert set(method["publicKeyJwk"]) == {"kty", "crv", "x"}  # public members only
    assert "https://ledger.example/api/v1/issuers/TN" in doc["alsoKnownAs"]
    # the JWK endpoints name the key by the same kid
    assert client.get("/api/v1/keys/TN").json["kid"] == header["kid"]
    assert header["kid"] in {k["kid"] for k in client.get("/api/v1/keys").json["keys"]}
    assert verifier.resolve_key(header["kid"], fetch)["x"] == method["publicKeyJwk"]["x"]


def test_did_web_ids_follow_the_method_for_ports_and_paths(app):
    assert trust.did("https://ledger.example") == "did:web:ledger.example"
    assert trust.did("https://ledger.example:8443/tn/") == "did:web:ledger.example%3A8443:tn"
    assert verifier.did_web_url("did:web:ledger.example%3A8443:tn") == "https://ledger.example:8443/tn/did.json"


def test_the_issuer_is_the_state_office_profile_whatever_host_the_request_named(client, ledger, teacher):
    serial = issue(client, ledger, teacher, base_url="https://evil.example")
    claims = jwt.decode(bare_clr(client, ledger, serial), options={"verify_signature": False})
    assert claims["iss"] == claims["issuer"]["id"] == "https://ledger.example/api/v1/issuers/TN"
    assert claims["issuer"]["url"] == "https://ledger.example"
    assert "evil.example" not in json.dumps(claims)
    for host in ("https://ledger.example", "https://evil.example"):
        profile = client.get("/api/v1/issuers/tn", base_url=host).json
        assert profile["id"] == claims["iss"] and profile["type"] == ["Profile"]
        assert profile["name"] == claims["issuer"]["name"] and profile["url"] == "https://ledger.example"
    assert client.get("/.well-known/did.json", base_url="https://evil.example").json["id"] == DID
    for bad in ("ZZ", "T1", "TNN", "%00"):
        r = client.get(f"/api/v1/issuers/{bad}")
        assert r.status_code == 404 and r.is_json


def test_without_public_url_ids_are_the_development_default_never_the_host(app, client, ledger, teacher):
    app.config["PUBLIC_URL"] = None
    serial = issue(client, ledger, teacher, base_url="http://localhost:5101")
    claims = jwt.decode(bare_clr(client, ledger, serial), options={"verify_signature": False})
    assert claims["iss"] == "http://127.0.0.1:5000/api/v1/issuers/TN"
    assert jwt.get_unverified_header(bare_clr(client, ledger, serial))["kid"].startswith("did:web:127.0.0.1%3A5000#")


@pytest.mark.parametrize("path", ["/.well-known/did.json", "/api/v1/keys", "/api/v1/keys/TN",
                                  "/api/v1/issuers/TN", "/api/v1/status/TN/1"])
def test_what_a_verifier_fetches_answers_any_origin(client, ledger, teacher, path):
    issue(client, ledger, teacher)
    r = client.get(path, headers=ORIGIN)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "*"
    pre = client.options(path, headers={**ORIGIN, "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 200 and pre.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in pre.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Origin" not in client.get("/api/v1/educators", headers=ledger.headers()).headers


def test_the_clr_answers_bare_vc_jwt_when_asked_and_the_json_wrapper_otherwise(client, ledger, teacher):
    serial = issue(client, ledger, teacher)
    wrapped = client.get(f"/api/v1/transcripts/{serial}/clr", headers=ledger.headers())
    assert wrapped.mimetype == "application/json" and wrapped.json["format"] == "vc+jwt"
    r = client.get(f"/api/v1/transcripts/{serial}/clr", headers={**ledger.headers(), "Accept": VC_JWT})
    assert r.mimetype == VC_JWT and r.get_data(as_text=True) == wrapped.json["jwt"]
    assert "Accept" in r.headers["Vary"]
    assert client.get(f"/api/v1/transcripts/{serial}/clr", headers={"Accept": VC_JWT}).status_code == 401
    status = client.get("/api/v1/status/TN/1")
    assert status.mimetype == VC_JWT and status.get_data(as_text=True).count(".") == 2
    spec = client.get("/api/v1/openapi.json").json["paths"]
    assert VC_JWT in spec["/api/v1/transcripts/{serial}/clr"]["get"]["responses"]["200"]["content"]
    assert VC_JWT in spec["/api/v1/status/{state}/{number}"]["get"]["responses"]["200"]["content"]


def test_status_lists_that_do_not_exist_are_not_found(client, ledger, teacher):
    issue(client, ledger, teacher)
    for path in ("/api/v1/status/TN/2", "/api/v1/status/ZZ/1", "/api/v1/status/TN/0", "/api/v1/status/TN/x",
                 "/api/v1/status/TN/99999999999999999999"):
        r = client.get(path)
        assert r.status_code == 404 and r.is_json, path


def test_embedded_badges_keep_imported_ids_and_say_the_state_attests_them(client, ledger, teacher, fetch):
    result = verifier.verify(bare_clr(client, ledger, issue(client, ledger, teacher)), fetch)
    assert result.verified, result.problems
    clr = result.credential
    badges = {b["credentialSubject"]["achievement"]["humanCode"]: b
              for b in clr["credentialSubject"]["verifiableCredential"]}
    assert badges["DP-FA-01"]["id"] == "https://badges.example.org/assertions/fa-77"   # the original's id
    assert badges["DP-FA-01"]["evidence"] == [{"id": "https://portfolio.example.org/fa-77", "type": ["Evidence"],
                                               "name": "Evidence recorded"}]
    assert "Imported into the ledger from the credential https://badges.example.org/assertions/fa-77" in \
        badges["DP-FA-01"]["description"]
    assert badges["BB-CM-01"]["id"].startswith("urn:ledger:entry:")   # "row-17" is no credential id
    for badge in badges.values():
        assert badge["issuer"] == clr["issuer"]   # the state office stands behind each, inside its signature
        assert "attests this entry" in badge["description"] and "proof" not in badge
        assert badge["credentialSubject"]["achievement"]["creator"]["name"] != clr["issuer"]["name"]


def _forge(token: str, header: dict | None = None, payload: dict | None = None, key=None) -> str:
    def enc(obj) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()
    head, body, sig = token.split(".")
    h = header if header is not None else json.loads(base64.urlsafe_b64decode(head + "=="))
    p = payload if payload is not None else json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    if key is None:
        return f"{enc(h)}.{enc(p)}.{sig}"
    return jwt.encode(p, key, algorithm="EdDSA", headers={"kid": h["kid"], "typ": "JWT"})


def test_the_verifier_refuses_a_changed_byte_another_key_and_alg_none(client, ledger, teacher, fetch):
    token = bare_clr(client, ledger, issue(client, ledger, teacher))
    claims = jwt.decode(token, options={"verify_signature": False})
    header = jwt.get_unverified_header(token)
    changed = _forge(token, payload={**claims, "name": claims["name"] + "!"})
    other_key = _forge(token, key=Ed25519PrivateKey.generate())
    head, payload, _ = token.split(".")
    flipped = f"{head}.{payload[:10]}{'A' if payload[10] != 'A' else 'B'}{payload[11:]}.{token.split('.')[2]}"
    alg_none = _forge(token, header={"alg": "none", "kid": header["kid"], "typ": "JWT"}).rsplit(".", 1)[0] + "."
    unknown_kid = _forge(token, header={**header, "kid": DID + "#TN-nobody"})
    for bad in (changed, other_key, flipped, alg_none, unknown_kid):
        result = verifier.verify(bad, fetch)
        assert not result.verified and result.problems, bad[:40]


def test_a_rotated_key_stays_published_and_what_it_signed_still_verifies(app, client, ledger, teacher, fetch,
                                                                         tmp_path):
    app.config["SIGNING_KEY_DIR"] = str(tmp_path)
    old = bare_clr(client, ledger, old_serial := issue(client, ledger, teacher))
    (tmp_path / "retired").mkdir()
    (tmp_path / "TN.pem").rename(tmp_path / "retired" / "TN-2026.pem")
    keys_module._cache.pop(tmp_path / "TN.pem", None)  # a rotation restarts the workers
    new = bare_clr(client, ledger, issue(client, ledger, teacher))
    assert jwt.get_unverified_header(old)["kid"] != jwt.get_unverified_header(new)["kid"]
    assert verifier.verify(old, fetch).verified and verifier.verify(new, fetch).verified
    kids = [k["kid"] for k in client.get("/api/v1/keys").json["keys"] if "#TN-" in k["kid"]]
    assert kids[0] == jwt.get_unverified_header(new)["kid"] and len(kids) == 2
    assert client.get("/api/v1/keys/TN").json["kid"] == kids[0]   # the one signing now
    assert client.get(f"/api/v1/verify/{old_serial}").json["valid"] is True   # still sealed


SCHEMAS = Path(__file__).resolve().parent.parent / "standards" / "schemas"


def _errors(schema_file: str, document: dict) -> list[str]:
    schema = json.loads((SCHEMAS / schema_file).read_text())
    validator = jsonschema.Draft201909Validator(schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document)]


def test_the_clr_its_badges_and_the_issuer_profile_pass_1edtech_json_schemas(client, ledger, teacher, fetch):
    result = verifier.verify(bare_clr(client, ledger, issue(client, ledger, teacher)), fetch)
    clr = result.credential
    assert _errors("clr_v2p0_clrcredential_schema.json", clr) == []
    badges = clr["credentialSubject"]["verifiableCredential"]
    assert len(badges) == 3
    for badge in badges:
        assert _errors("ob_v3p0_achievementcredential.json", badge) == []
    assert _errors("ob_v3p0_profile.json", client.get("/api/v1/issuers/TN").json) == []
    # the schemas do catch errors
    assert _errors("clr_v2p0_clrcredential_schema.json", {**clr, "credentialStatus": {"type": 1}})
    assert _errors("ob_v3p0_achievementcredential.json", {**badges[0], "issuer": {"name": "no id"}})


def test_a_public_url_with_a_path_is_a_did_with_a_path_resolved_at_its_did_json(app, client, ledger, teacher):
    app.config["PUBLIC_URL"] = "https://ledger.example/tn"
    token = bare_clr(client, ledger, issue(client, ledger, teacher))
    kid = jwt.get_unverified_header(token)["kid"]
    assert kid.startswith("did:web:ledger.example:tn#TN-")
    assert verifier.did_web_url(kid.split("#")[0]) == "https://ledger.example/tn/did.json"
    doc = client.get("/did.json").json   # the app mounted at /tn answers /tn/did.json here
    assert doc["id"] == "did:web:ledger.example:tn" and kid in doc["assertionMethod"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["credentialStatus"]["statusListCredential"] == "https://ledger.example/tn/api/v1/status/TN/1"
