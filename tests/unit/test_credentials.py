"""The pure parts of checking what comes in: reading a badge file as received, the rules
on types and dates, keys in their published forms, and proofs. No database, no network."""

from __future__ import annotations

import ast
import base64
import json
import zlib
from datetime import date
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ledger.credentials import keys, proofs, received, rules
from ledger.credentials.verify import Verifier, offline

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "standards" / "fixtures"
TODAY = date(2026, 12, 1)
PURE = ("received", "rules", "keys", "proofs", "verify", "fetch")


@pytest.mark.parametrize("module", PURE)
def test_the_checking_modules_import_neither_flask_nor_sqlalchemy(module):
    tree = ast.parse((ROOT / "ledger" / "credentials" / f"{module}.py").read_text())
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not imported & {"flask", "sqlalchemy"}


def _png(keyword: bytes, text: bytes, compressed: bool = False) -> bytes:
    body = zlib.compress(text) if compressed else text
    chunk = keyword + b"\x00" + (b"\x01" if compressed else b"\x00") + b"\x00" + b"\x00" + b"\x00" + body
    return (received.PNG_SIGNATURE + len(chunk).to_bytes(4, "big") + b"iTXt" + chunk + b"\x00" * 4
            + (0).to_bytes(4, "big") + b"IEND" + b"\x00" * 4)


def test_a_png_baked_by_ob3_or_ob2_compressed_or_not_is_read_with_its_bytes():
    doc = b'{"type": "Assertion"}'
    for keyword in (b"openbadgecredential", b"openbadges"):
        for compressed in (False, True):
            item = received.read(_png(keyword, doc, compressed))[0]
            assert (item.container, item.document, item.original) == ("png", {"type": "Assertion"}, doc)


def test_a_baked_jwt_keeps_its_compact_jws_as_received():
    token = (FIXTURES / "ob30" / "simple-jwt.svg").read_bytes()
    item = received.read(token)[0]
    assert item.signed and item.container == "svg" and item.original == item.token.encode()


@pytest.mark.parametrize("data, says", [
    (b"", "is empty: send the badge's JSON, its VC-JWT, or the baked PNG or SVG"),
    (received.PNG_SIGNATURE + b"\x00" * 20, "is a PNG image without an Open Badges bake"),
    (b"<svg><circle/></svg>", "is an SVG or XML file without an Open Badges bake"),
    (b"eyJhbGciOiJub25lIn0.bm90IGpzb24.", "is a JWT whose payload is not JSON"),
    (b"\xff\xd8\xff\xe0JFIF", "is neither Open Badges JSON or a JWT (text) nor a baked PNG or SVG badge"),
    (b'{"a": 1,\n  "b": 2\n  oops\n}', "is not valid JSON (Expecting ',' delimiter at line 3, column 3)"),
])
def test_a_file_that_is_no_badge_says_what_it_is_and_what_to_send(data, says):
    with pytest.raises(received.Unreadable) as refused:
        received.read(data, "the file")
    assert says in str(refused.value)
    assert "save it as UTF-8" not in str(refused.value) or data.startswith(b"{")


@pytest.mark.parametrize("doc, field, why", [
    ({"type": "OtherAssertion", "recipient": {}}, "type", "must have type Assertion"),
    ({"type": "BadgeClass"}, "type", "a badge's description"),
    ({"type": ["VerifiableCredential", "EndorsementCredential"]}, "type", "an endorsement"),
])
def test_a_document_that_is_no_award_is_refused_saying_what_it_is(doc, field, why):
    assert rules.kind(doc) is None and why in rules.not_a_credential(doc)


def test_expiry_is_judged_against_today_and_against_the_issue_date():
    ob2 = {"type": "Assertion", "issuedOn": "2020-01-01", "expires": "2026-11-30T00:00:00Z"}
    assert rules.problems(ob2, TODAY) == [("expires", "the assertion expired on 2026-11-30")]
    assert rules.problems({**ob2, "expires": "2026-12-01"}, TODAY) == []
    assert rules.problems({**ob2, "expires": "2019-01-01"}, TODAY)[0][1].endswith("before the assertion was issued "
                                                                                  "(2020-01-01)")


def test_did_key_and_did_web_resolve_as_their_specifications_say():
    jwk = keys.did_key("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi")
    assert (jwk["kty"], jwk["crv"], len(base64.urlsafe_b64decode(jwk["x"] + "="))) == ("OKP", "Ed25519", 32)
    assert keys.did_web_url("did:web:example.com") == "https://example.com/.well-known/did.json"
    assert keys.did_web_url("did:web:example.com%3A8443:issuers:1") == "https://example.com:8443/issuers/1/did.json"
    with pytest.raises(keys.KeyProblem, match="private key"):
        keys.public_jwk({**jwk, "d": "x"})


def test_a_key_published_as_a_pem_becomes_the_same_jwk_whatever_its_form():
    doc = json.loads((FIXTURES / "ob20" / "assets" / "key1.json").read_text())
    (kid, jwk), = keys.from_document(doc)
    assert kid == "http://example.org/key1.json" and jwk["kty"] == "RSA"
    assert keys.thumbprint(jwk) == keys.thumbprint(keys.public_jwk({**jwk, "kid": "x", "use": "sig"}))


def test_a_vc_jwt_with_alg_none_or_another_key_is_never_verified():
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    token = jwt.encode({"id": "urn:x"}, key, algorithm="EdDSA")
    public = {"kty": "OKP", "crv": "Ed25519",
              "x": base64.urlsafe_b64encode(other.public_key().public_bytes_raw()).rstrip(b"=").decode()}
    with pytest.raises(proofs.ProofError, match="does not match"):
        proofs.verify_jws(token, public)
    unsigned = token.rsplit(".", 2)
    none = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode() + "." + unsigned[1] + "."
    with pytest.raises(proofs.ProofError, match="alg: none"):
        proofs.verify_jws(none, public)


def test_a_changed_byte_breaks_an_eddsa_rdfc_2022_proof():
    doc = json.loads((FIXTURES / "ob30" / "simple.json").read_text())
    key = keys.did_key("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi")
    proofs.verify_data_integrity(doc, key)
    with pytest.raises(proofs.ProofError, match="does not match"):
        proofs.verify_data_integrity({**doc, "name": "Teamwork Badge!"}, key)
    with pytest.raises(proofs.CannotCheck, match="is not one the ledger knows"):
        proofs.verify_data_integrity({**doc, "@context": [*doc["@context"], "https://evil.example/ctx"]}, key)


def test_a_proof_over_a_context_the_ledger_does_not_bundle_is_unverifiable_not_refused():
    doc = json.loads((FIXTURES / "ob30" / "simple.json").read_text())
    doc["@context"] = [*doc["@context"], "https://contexts.example/extension.json"]
    registered = [(1, keys.did_key("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"))]
    verifier = Verifier(lambda issuer, key_id: registered, offline(TODAY).fetcher, TODAY)
    outcome = verifier.check(received.read(json.dumps(doc).encode())[0])
    assert (outcome.verification, outcome.errors) == ("unverifiable", [])
    assert "https://contexts.example/extension.json is not one the ledger knows" in outcome.detail


def test_offline_a_signed_credential_is_unverifiable_and_says_no_key_is_registered():
    item = received.read((FIXTURES / "ob30" / "simple.json").read_bytes())[0]
    outcome = offline(TODAY).check(item)
    assert (outcome.verification, outcome.errors) == ("unverifiable", [])
    assert "no key is registered for the issuer https://example.com/issuers/876543" in outcome.detail
    assert isinstance(offline(TODAY), Verifier)


def test_a_hosted_assertion_must_live_where_its_issuer_allows():
    issuer = {"id": "https://issuer.example/profile"}
    assert rules.hosted_origin("https://issuer.example/a/1", issuer, strict=True) is None
    assert "not on its issuer's own host issuer.example" in rules.hosted_origin("https://evil.example/a/1", issuer,
                                                                                  strict=True)
    assert rules.hosted_origin("https://evil.example/a/1", issuer, strict=False) is None  # not vouched for anyway
    allowed = {**issuer, "verification": {"allowedOrigins": ["badges.example"]}}
    assert rules.hosted_origin("https://badges.example/a/1", allowed, strict=True) is None
    assert "allowedOrigins: badges.example" in rules.hosted_origin("https://issuer.example/a/1", allowed, strict=False)


def test_a_host_that_did_not_answer_is_not_asked_again_in_the_same_file():
    from ledger.credentials.fetch import Fetcher, Unreachable

    class Down(Fetcher):
        calls = 0

        def get(self, url, accept=""):
            Down.calls += 1
            raise Unreachable(f"{url}: could not be fetched (ConnectTimeout)")

    verifier = Verifier(lambda issuer, key_id: [], Down(), TODAY)
    docs = [{"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": f"https://slow.example/a/{n}",
             "recipient": {"identity": "a@b.example"}, "issuedOn": "2024-01-01",
             "badge": {"id": "https://slow.example/b", "name": "B", "issuer": {"id": "https://slow.example"}}}
            for n in range(5)]
    outcomes = [verifier.check(item) for item in received.read(json.dumps(docs).encode())]
    assert Down.calls == 1
    assert all(o.verification == "unverifiable" for o in outcomes)
    assert "did not answer earlier in this file" in outcomes[-1].detail


@pytest.mark.parametrize("nbf", [1e300, float("inf"), -1e20])
def test_a_vc_jwt_with_an_impossible_time_is_refused_not_a_crash(nbf):
    claims = {"vc": {"type": ["VerifiableCredential", "OpenBadgeCredential"]}, "nbf": nbf, "exp": nbf}
    credential = proofs.vc_jwt_credential(claims)
    assert "issuanceDate" not in credential
    assert ("exp", "is not a time") in proofs.vc_jwt_claims(claims, credential, TODAY)


ODD = [None, 1, -1, 1e308, True, "", "x", [], {}, [1], {"a": 1}, "did:key:zzz", "https://x/#z6Mk", "did:web:",
       "2030-13-45", "http://[::1", "\ud800"]


def _mangle(value, rng):
    if isinstance(value, dict) and value:
        key = rng.choice(list(value))
        value[key] = json.loads(json.dumps(rng.choice(ODD))) if rng.random() < 0.5 else _mangle(value[key], rng)
    elif isinstance(value, list) and value:
        i = rng.randrange(len(value))
        value[i] = json.loads(json.dumps(rng.choice(ODD))) if rng.random() < 0.5 else _mangle(value[i], rng)
    return value


def test_mangled_badges_are_refused_or_read_never_a_crash():
    """A seeded sample of what a fuzzer found: odd values anywhere in 1EdTech's files, and
    their bytes cut or changed, go through reading and checking without an exception."""
    import random

    from ledger.imports import badges
    rng = random.Random(7)
    files = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".json", ".png", ".svg", ".jwt"))
    registered = [(1, keys.did_key("did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"))]
    for _ in range(300):
        path = rng.choice(files)
        if path.suffix == ".json" and rng.random() < 0.7:
            data = json.dumps(_mangle(json.loads(path.read_text()), rng)).encode()
        else:
            data = bytearray(path.read_bytes())
            at = rng.randrange(len(data))
            data = bytes(data[:at] + bytes([rng.randrange(256)]) + data[at + 1:]) if rng.random() < 0.5 \
                else bytes(data[:at])
        verifier = Verifier(lambda issuer, key_id: registered, offline(TODAY).fetcher, TODAY)
        try:
            list(badges.rows(data, TODAY, verifier))
        except badges.BadgeFileError:
            pass
