"""The issuer-key registry the state office keeps: the API's scopes, each source resolved
(JWK, did:key, did:web and URL through the fetcher), bad input named by field and
changing nothing, retiring; the page's form; an educator's identities."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from ledger.credentials.fetch import Fetcher
from ledger.models import AuditEvent, IssuerKey, db
from tests.conftest import csrf_token
from tests.standards.web import fixture_fetcher

KEYS = "/api/v1/issuer-keys"
DID_KEY = "did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"
ISSUER = "https://issuer.example/profile"


def count_keys() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(IssuerKey.id)))


@pytest.mark.parametrize("role, status", [("admin", 201), ("state_office", 201), ("district_hr", 403),
                                          ("educator", 403)])
def test_only_the_state_office_and_admins_add_keys(client, ledger, role, status):
    district = educator = state = None
    if role == "state_office":
        state = "TN"
    elif role == "district_hr":
        district = "JUAB"
    elif role == "educator":
        educator = ledger.educator("TN").id
    headers = ledger.headers(role, state=state, district=district, educator=educator)
    r = client.post(KEYS, json={"issuer": ISSUER, "source": DID_KEY, "origin": "the issuer's letter of 3 May"},
                    headers=headers)
    assert r.status_code == status, r.json
    if status == 201:
        key = r.json[0]
        assert (key["source_kind"], key["jwk"]["kty"], key["jwk"]["crv"]) == ("did:key", "OKP", "Ed25519")
        assert client.get(KEYS, query_string={"issuer": ISSUER}, headers=headers).json[0]["id"] == key["id"]


@pytest.mark.parametrize("body, field, why", [
    ({"issuer": ISSUER, "origin": "x"}, "source", "give the key's source or the JWK itself"),
    ({"issuer": ISSUER, "source": "did:example:123", "origin": "x"}, "source", "a did:key, a did:web"),
    ({"issuer": ISSUER, "source": "did:key:z6MkjZRZ", "origin": "x"}, "source", "only Ed25519 multibase keys"),
    ({"issuer": ISSUER, "jwk": {"kty": "OKP", "crv": "Ed25519", "x": "abc", "d": "secret"}, "origin": "x"},
     "jwk", "this is a private key"),
    ({"issuer": ISSUER, "jwk": {"kty": "oct", "k": "abc"}, "origin": "x"}, "jwk", "kty 'oct' is not understood"),
    ({"issuer": ISSUER, "source": "https://keys.example/k.json", "origin": "x"}, "source", "turned off"),
    ({"issuer": ISSUER, "source": DID_KEY}, "origin", "Missing data"),
])
def test_a_key_that_cannot_be_used_is_refused_naming_the_field_and_nothing_is_kept(client, ledger, body, field,
                                                                                     why):
    before = count_keys()
    r = client.post(KEYS, json=body, headers=ledger.headers())
    assert r.status_code == 422, r.json
    assert any(why in m for m in r.json["errors"][field]), r.json
    assert count_keys() == before


def test_the_same_key_twice_for_an_issuer_is_a_conflict(client, ledger):
    body = {"issuer": ISSUER, "source": DID_KEY, "origin": "x"}
    assert client.post(KEYS, json=body, headers=ledger.headers()).status_code == 201
    r = client.post(KEYS, json=body, headers=ledger.headers())
    assert r.status_code == 409 and "already registered" in r.json["message"]


def test_a_did_web_and_a_url_are_resolved_through_the_fetcher(app, client, ledger):
    did_doc = {"id": "did:web:issuer.example", "verificationMethod": [
        {"id": "did:web:issuer.example#key-1", "type": "Multikey", "controller": "did:web:issuer.example",
         "publicKeyMultibase": "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"}]}
    fetcher, files = fixture_fetcher({"https://issuer.example/.well-known/did.json": json.dumps(did_doc).encode()})
    app.extensions["credential_fetcher"] = fetcher
    try:
        r = client.post(KEYS, json={"issuer": ISSUER, "source": "did:web:issuer.example#key-1", "origin": "x"},
                        headers=ledger.headers())
        assert r.status_code == 201 and r.json[0]["key_id"] == "did:web:issuer.example#key-1", r.json
        r = client.post(KEYS, json={"issuer": "https://example.org/organization.json",
                                    "source": "http://example.org/key1.json", "origin": "x"},
                        headers=ledger.headers())
        assert r.status_code == 201 and r.json[0]["jwk"]["kty"] == "RSA", r.json
        assert "https://issuer.example/.well-known/did.json" in files.asked
    finally:
        app.extensions.pop("credential_fetcher", None)


def test_a_retired_key_checks_nothing_and_stays_listed_with_an_audit_row(client, ledger):
    key = client.post(KEYS, json={"issuer": ISSUER, "source": DID_KEY, "origin": "x"}, headers=ledger.headers()).json[0]
    r = client.post(f"{KEYS}/{key['id']}/retire", json={"reason": "the issuer rotated its key"},
                    headers=ledger.headers())
    assert r.status_code == 200 and r.json["retired_at"], r.json
    assert client.post(f"{KEYS}/{key['id']}/retire", json={"reason": "again"}, headers=ledger.headers()).status_code \
        == 409
    from ledger.credentials.service import keys_for
    assert keys_for(db.session)(ISSUER, None) == []
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "retire_issuer_key")) == 1


def test_the_fetcher_is_built_from_the_settings():
    f = Fetcher.from_config({"FETCH_ALLOW_HOSTS": "a.example, b.example:8443", "FETCH_TIMEOUT": "2"})
    assert (f.allow_hosts, f.timeout, f.allow_http) == (frozenset({"a.example", "b.example:8443"}), 2.0, False)


# -- the page

def test_the_state_office_adds_a_key_on_its_page_and_bad_input_is_named_beside_the_form(web_user, ledger):
    office = web_user("state_office", state="TN")
    page = office.get("/state/issuer-keys")
    assert page.status_code == 200 and "No key is registered yet" in page.get_data(as_text=True)
    token = csrf_token(office, "/state/issuer-keys")
    bad = office.post("/state/issuer-keys", data={"csrf_token": token, "issuer": ISSUER, "jwk": "{not json",
                                                  "origin": "x"})
    assert bad.status_code == 422 and "is not JSON: paste the key" in bad.get_data(as_text=True)
    r = office.post("/state/issuer-keys", data={"csrf_token": token, "issuer": ISSUER, "source": DID_KEY,
                                                "origin": "the issuer's letter"}, follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Added 1 key for" in html and 'data-testid="issuer-key"' in html


def test_district_hr_may_not_open_the_registry_page(web_user):
    hr = web_user("district_hr", district="JUAB")
    assert hr.get("/state/issuer-keys").status_code == 403


# -- identities

def test_an_identity_names_one_educator_and_is_checked_by_kind(client, ledger):
    one, two = ledger.educator("TN"), ledger.educator("TN")
    url = f"/api/v1/educators/{one.id}/identities"
    assert client.post(url, json={"kind": "did", "value": "did:example:abc"}, headers=ledger.headers()).status_code \
        == 201
    r = client.post(f"/api/v1/educators/{two.id}/identities", json={"kind": "did", "value": "did:example:abc"},
                    headers=ledger.headers())
    assert r.status_code == 409 and "another educator" in r.json["message"]
    for body, why in (({"kind": "did", "value": "example:abc"}, "starts with did:"),
                      ({"kind": "email", "value": "not-an-address"}, "not an e-mail address")):
        r = client.post(url, json=body, headers=ledger.headers())
        assert r.status_code == 422 and why in r.json["errors"]["value"][0], r.json
    r = client.post(url, json={"kind": "email", "value": "Ada.Second@School.Example"}, headers=ledger.headers())
    assert r.status_code == 201 and r.json["value"] == "ada.second@school.example"
    assert [i["kind"] for i in client.get(url, headers=ledger.headers()).json] == ["did", "email"]


def test_hr_adds_an_identity_on_the_educators_page_and_a_bad_one_is_named_there(web_user, ledger):
    teacher = ledger.educator("UT", district="JUAB", email="t@juab.example")
    hr = web_user("district_hr", district="JUAB")
    page = f"/educators/{teacher.id}"
    token = csrf_token(hr, page)
    r = hr.post(f"{page}/identities", data={"csrf_token": token, "kind": "did", "value": "did:example:t1"},
                follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Added DID did:example:t1" in html and 'data-testid="identity"' in html
    r = hr.post(f"{page}/identities", data={"csrf_token": token, "kind": "did", "value": "not a did"},
                follow_redirects=True)
    assert "Not added: value: a DID starts with did:" in r.get_data(as_text=True)
    other = ledger.educator("TN")
    assert hr.post(f"/educators/{other.id}/identities", data={"csrf_token": token, "kind": "did",
                                                               "value": "did:example:t2"}).status_code == 404


def test_an_identity_added_by_mistake_is_removed_and_may_then_name_the_right_educator(client, ledger, web_user):
    wrong, right = ledger.educator("UT", district="JUAB"), ledger.educator("UT", district="JUAB")
    url = f"/api/v1/educators/{wrong.id}/identities"
    added = client.post(url, json={"kind": "email", "value": "bea@school.example"}, headers=ledger.headers()).json
    removal = f"{url}/{added['id']}/remove"
    why = {"reason": "Bea's address, typed on Ada's record"}
    assert client.post(f"/api/v1/educators/{right.id}/identities/{added['id']}/remove", json=why,
                       headers=ledger.headers()).status_code == 404             # not that educator's identity
    assert client.post(removal, json=why, headers=ledger.headers("educator", educator=wrong.id)).status_code == 403
    tennessee = ledger.headers("state_office", state="TN")
    assert client.post(removal, json=why, headers=tennessee).status_code == 404  # out of scope: not found
    assert client.post(removal, json={"reason": 7}, headers=ledger.headers()).status_code == 422
    r = client.post(removal, json=why, headers=ledger.headers("district_hr", district="JUAB"))
    assert r.status_code == 200 and r.json["value"] == "bea@school.example"
    assert client.get(url, headers=ledger.headers()).json == []
    assert client.post(removal, json={}, headers=ledger.headers()).status_code == 404    # removed once
    assert client.post(f"/api/v1/educators/{right.id}/identities", json={"kind": "email", "value": "bea@school.example"},
                       headers=ledger.headers()).status_code == 201             # free to name the right educator
    logged = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "remove_identity")).all()
    assert [(e.detail["value"], e.detail["reason"]) for e in logged] == [("bea@school.example", why["reason"])]
    hr = web_user("district_hr", district="JUAB")                              # and on the educator's page
    page = f"/educators/{right.id}"
    [identity] = client.get(f"/api/v1/educators/{right.id}/identities", headers=ledger.headers()).json
    html = hr.get(page).get_data(as_text=True)
    assert f"/identities/{identity['id']}/remove" in html and "Remove e-mail bea@school.example" in html
    r = hr.post(f"{page}/identities/{identity['id']}/remove", data={"csrf_token": csrf_token(hr, page)},
                follow_redirects=True)
    assert r.status_code == 200 and "Removed e-mail bea@school.example" in r.get_data(as_text=True)
    assert 'data-testid="identity"' not in r.get_data(as_text=True)
