"""What the long fuzz (scripts/fuzz-api, every schemathesis check) found, each held here:
a request built from the document is taken, and what the document forbids is refused;
an over-long URL answers the API's JSON error; an empty verify upload is a documented 400.
"""

from __future__ import annotations

import re
from datetime import date

import hypothesis
from hypothesis import strategies as st

from ledger.entries.schemas import EntryIn
from ledger.http.api import NO_NUL, PRINTABLE

API = "/api/v1"


def _doc(client) -> dict:
    return client.get(f"{API}/openapi.json").get_json()


def test_an_over_long_url_answers_the_json_error_under_the_api_and_a_page_elsewhere(client):
    r = client.get(f"{API}/educators?q=" + "a" * 5000)
    assert r.status_code == 414 and r.mimetype == "application/json"
    assert r.json["code"] == 414 and r.json["status"] == "Request-URI Too Long" and r.json["message"]
    page = client.get("/login?next=" + "a" * 5000)
    assert page.status_code == 414 and page.mimetype == "text/html"


def test_a_url_within_the_limit_is_answered_as_usual(client, ledger):
    r = client.get(f"{API}/educators?q=" + "a" * 100, headers=ledger.headers())
    assert r.status_code == 200


def test_an_empty_verify_upload_is_a_documented_400(client):
    op = _doc(client)["paths"][f"{API}/verify/{{serial}}"]["post"]
    assert "400" in op["responses"]
    assert all(c["schema"]["minLength"] == 1 for c in op["requestBody"]["content"].values())
    r = client.post(f"{API}/verify/TN-2026-AAAA-BBBB-CCCC", data=b"", headers={"Content-Type": "application/pdf"})
    assert r.status_code == 400 and r.mimetype == "application/json"


def test_an_entry_is_documented_as_one_of_three_shapes(client):
    doc = _doc(client)
    body = doc["paths"][f"{API}/educators/{{educator_id}}/entries"]["post"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert len(schema["oneOf"]) == 3  # a micro-credential; an activity in hours; one in a measure
    shapes = doc["components"]["schemas"]
    assert {"credential", "kind", "earned_on"} <= set(shapes["MicrocredentialEntryIn"]["required"])
    assert {"title", "hours", "kind", "earned_on"} <= set(shapes["ActivityEntryIn"]["required"])
    assert {"title", "amount", "measure", "kind", "earned_on"} <= set(shapes["MeasuredActivityEntryIn"]["required"])
    assert "title" not in shapes["MicrocredentialEntryIn"]["properties"]


def test_the_document_states_the_text_and_date_rules(client):
    doc = _doc(client)
    query = {p["name"]: p["schema"] for p in doc["paths"][f"{API}/educators"]["get"]["parameters"]}
    assert query["q"]["pattern"] == NO_NUL
    assert doc["components"]["schemas"]["EducatorIn"]["properties"]["first_name"]["pattern"] == PRINTABLE
    standing = {p["name"]: p["schema"] for p in doc["paths"][f"{API}/educators/{{educator_id}}/standing"]["get"]["parameters"]}
    assert standing["as_of"]["pattern"].startswith("^(19")


@hypothesis.settings(max_examples=150, deadline=None, database=None, derandomize=True)
@hypothesis.given(st.from_regex(re.compile(PRINTABLE)), st.text(max_size=20))
def test_the_printable_pattern_is_the_servers_own_rule(name, other):
    from ledger.text import unprintable

    assert unprintable(name) is None
    assert (re.match(PRINTABLE, other) is not None) == (unprintable(other) is None)  # text() has no surrogates


@hypothesis.settings(max_examples=150, deadline=None, database=None, derandomize=True)
@hypothesis.given(st.data())
def test_an_evidence_url_the_document_allows_is_taken(data):
    pattern = EntryIn._declared_fields["evidence_url"].metadata["pattern"]
    url = data.draw(st.from_regex(re.compile(pattern)).filter(lambda u: len(u) <= 2000))
    loaded = EntryIn().load({"kind": "microcredential", "credential": "DP-FA-01", "earned_on": "2024-01-01",
                             "evidence_url": url})
    assert loaded["evidence_url"] == url and loaded["earned_on"] == date(2024, 1, 1)


def test_an_evidence_url_the_document_forbids_is_refused(client, ledger):
    educator = ledger.educator("TN", n="url1")
    for url in ("http://localhost/x", "http://ab.cd?", "http://ab.cd/x\n"):
        r = client.post(f"{API}/educators/{educator.id}/entries", headers=ledger.headers(), json={
            "kind": "microcredential", "credential": "DP-FA-01", "earned_on": "2024-01-01", "evidence_url": url})
        assert r.status_code == 422 and "evidence_url" in r.json["errors"], url


def test_open_badges_json_that_is_no_badge_is_a_report_as_documented(client, ledger):
    schema = _doc(client)["paths"][f"{API}/imports"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "type" not in schema and "bad row" in schema["description"]  # any JSON is read as rows
    for body, rows in (("[[1], []]", 2), ("true", 1)):
        r = client.post(f"{API}/imports?format=openbadges&partial=true", data=body,
                        headers={**ledger.headers(), "Content-Type": "application/json"})
        assert r.status_code == 200 and r.json["rejected"] == rows and r.json["accepted"] == 0, body
