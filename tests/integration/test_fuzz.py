"""The API fuzzed from its own OpenAPI document (schemathesis): whatever a client sends,
the answer is never a 5xx, and its status, content type, headers and body are what the
document says they can be.

Each operation is fuzzed on each engine against the sample rulebooks and catalog plus a
few educators and entries, so that generated ids find real records. The examples are
bounded and derandomized: the same requests every run, a few seconds an engine.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass
from datetime import date

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ledger.access.principals import ADMIN, Principal
from ledger.app import create_app
from ledger.entries.service import void_entry

from .. import samples

API = "/api/v1"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def _document() -> dict:
    # Only to read the document: this app never opens its (in-memory) database.
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True, "SECRET_KEY": "fuzz"})
    return app.test_client().get(f"{API}/openapi.json").get_json()


# Loaded from a dict, the schema has no app of its own: every call names the test's app,
# so each engine's app answers its own examples. (`schemathesis.pytest.from_fixture` would
# build it from a fixture, but in schemathesis 4.32 it uses `Item._nodeid`, which
# pytest 9 no longer has.)
schema = schemathesis.openapi.from_dict(_document())


@schemathesis.serializer("application/pdf")
def _pdf(ctx, value) -> bytes:
    """POST /verify/{serial} takes any bytes as a PDF (it answers whether they are the
    file issued), so the fuzzer sends whatever it generates, as bytes."""
    from schemathesis.transport.serialization import serialize_binary

    return serialize_binary(value)


@dataclass
class Records:
    headers: dict
    educator_id: int
    held_entry_id: int
    activity_entry_id: int
    voided_entry_id: int


@pytest.fixture
def records(ledger) -> Records:
    tn = ledger.educator("TN", n="fuzz1")
    ut = ledger.educator("UT", district="JUAB", n="fuzz2")
    ledger.educator("TN", n="fuzz3", licenses=[])
    held = ledger.record(tn, "DP-FA-01", date(2022, 3, 1), external_id="urn:fuzz:held")
    activity = ledger.record(tn, title="Summer institute", hours=6, earned_on=date(2023, 6, 1))
    voided = ledger.record(ut, "BB-CM-01", date(2021, 9, 1))
    void_entry(ledger.session, Principal(role=ADMIN, actor="test"), voided.id, "recorded twice")
    return Records(ledger.headers(), tn.id, held.id, activity.id, voided.id)


@schema.parametrize()
@hypothesis.settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    # The records are made once per operation and engine and shared by its examples on
    # purpose; a PostgreSQL round trip per example is not "too slow"; and the document's
    # exact constraints (dates 1900-2200, hours in cents, http URLs) make the generator
    # discard many drafts, which is its cost, not a finding.
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture, hypothesis.HealthCheck.too_slow,
                           hypothesis.HealthCheck.filter_too_much],
)
def test_every_operation_answers_within_its_document(case, app, records):
    case.call_and_validate(app=app, headers=records.headers, checks=CHECKS)


# Answers the fuzzer seldom reaches (it would have to guess a catalog code or an id that
# is held), sent on purpose and held to the same document.

def _entry(credential="DP-LIT-01", **fields):
    return {"kind": "microcredential", "credential": credential, "earned_on": "2023-03-01", **fields}


def _known_requests(r: Records):
    entries = ("POST", "/api/v1/educators/{educator_id}/entries", {"educator_id": r.educator_id})
    return {
        "a micro-credential recorded": (*entries, _entry(), 201),
        "an activity recorded": (*entries, {"kind": "activity", "title": "Lesson study", "hours": 2.5,
                                            "earned_on": "2024-02-29", "tags": ["literacy"]}, 201),
        "a credential already held": (*entries, _entry("DP-FA-01"), 409),
        "an external_id again, same content": (*entries, _entry("DP-FA-01", earned_on="2022-03-01",
                                                                external_id="urn:fuzz:held"), 200),
        "an external_id again, other content": (*entries, _entry("DP-LIT-02", external_id="urn:fuzz:held"), 409),
        "an unknown credential": (*entries, _entry("NO-SUCH-01"), 422),
        "a void": ("POST", "/api/v1/entries/{entry_id}/void", {"entry_id": r.activity_entry_id},
                   {"reason": "wrong educator"}, 200),
        "a second void": ("POST", "/api/v1/entries/{entry_id}/void", {"entry_id": r.voided_entry_id},
                          {"reason": "again"}, 409),
        "a voided entry": ("GET", "/api/v1/entries/{entry_id}", {"entry_id": r.voided_entry_id}, None, 200),
        "an educator added": ("POST", "/api/v1/educators", {}, {
            "license_number": "TN-FUZZ-9", "state": "TN", "first_name": "Ada", "last_name": "Byron",
            "licenses": [{"type": "practitioner", "cycle_start": "2024-07-01", "cycle_end": "2027-06-30"}]}, 201),
        "an educator already there": ("POST", "/api/v1/educators", {}, {
            "license_number": "TN-fuzz1", "state": "TN", "first_name": "Ada", "last_name": "Byron"}, 409),
        "a standing": ("GET", "/api/v1/educators/{educator_id}/standing", {"educator_id": r.educator_id},
                       {"as_of": "2024-05-01"}, 200),
        "a rulebook loaded": ("POST", "/api/v1/rulebooks", {}, deepcopy(samples.MA), 201),
        "a rulebook read": ("GET", "/api/v1/rulebooks/{state}", {"state": "TN"}, None, 200),
        "a rulebook previewed": ("POST", "/api/v1/rulebook-previews", {}, deepcopy(samples.TN), 200),
        "the catalog loaded": ("POST", "/api/v1/catalog", {}, deepcopy(samples.CATALOG), 200),
        "the educators listed": ("GET", "/api/v1/educators", {}, {"page": 1, "page_size": 2}, 200),
        "a transcript issued": ("POST", "/api/v1/educators/{educator_id}/transcripts", {"educator_id": r.educator_id},
                                {"state": "TN", "as_of": "2024-05-01"}, 201),
        "an unofficial transcript": ("GET", "/api/v1/educators/{educator_id}/transcript.pdf",
                                     {"educator_id": r.educator_id}, {"state": "TN"}, 200),
        "a serial never issued": ("GET", "/api/v1/verify/{serial}", {"serial": "TN-2026-0000-0000-0000"}, None, 404),
        "the public keys": ("GET", "/api/v1/keys", {}, None, 200),
    }


KNOWN = (
    "a micro-credential recorded", "an activity recorded", "a credential already held",
    "an external_id again, same content", "an external_id again, other content", "an unknown credential",
    "a void", "a second void", "a voided entry", "an educator added", "an educator already there",
    "a standing", "a rulebook loaded", "a rulebook read", "a rulebook previewed", "the catalog loaded", "the educators listed",
    "a transcript issued", "an unofficial transcript", "a serial never issued", "the public keys",
)


@pytest.mark.parametrize("name", KNOWN)
def test_answers_the_fuzzer_seldom_reaches_match_the_document(app, records, name):
    method, path, path_parameters, data, status = _known_requests(records)[name]
    operation = schema[path][method]
    if method == "GET":
        case = operation.Case(path_parameters=path_parameters, query=data)
    else:
        case = operation.Case(path_parameters=path_parameters, body=data, media_type="application/json")

    response = case.call(app=app, headers=records.headers)

    assert response.status_code == status, response.text
    case.validate_response(response, checks=CHECKS)
