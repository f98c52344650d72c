"""Bad input is answered, never crashed on (CONTRACT.md sections 1 and 4).

Every kind of bad input answers 4xx with the one JSON error shape {code, status, message,
errors}, where `errors` maps each bad field's name or path to its messages; never a 500;
and nothing is written.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from copy import deepcopy
from datetime import date, timedelta

import pytest
import yaml
from sqlalchemy import func, select

from ledger.models import (
    AuditEvent,
    Credential,
    District,
    Educator,
    Entry,
    Issuer,
    License,
    RulebookVersion,
    State,
    Void,
)

from .. import samples

API = "/api/v1"
HUGE = 99999999999999999999  # past any database integer
LONG = "x" * 100_000
IN_URL = "x" * 4_000  # a long value a URL can still carry (one over 4094 bytes is a 414: test_fuzz_document)

WRITTEN = (Educator, License, Entry, Void, AuditEvent, RulebookVersion, State, District, Credential, Issuer)


def counts(session) -> dict[str, int]:
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in WRITTEN}


@contextmanager
def nothing_written(session):
    before = counts(session)
    yield
    assert counts(session) == before, "a refused request wrote something"


def assert_rejected(response, status: int, *fields: str) -> dict:
    """The answer is `status` in the one JSON error shape, and its `errors` name each of
    `fields` (the exact name or path)."""
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    errors = body.get("errors")
    if fields or errors is not None:
        assert isinstance(errors, dict) and errors, body
        for path, messages in errors.items():
            assert isinstance(path, str) and path
            assert isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages)
        for name in fields:
            assert name in errors, f"errors do not name {name!r}: {errors}"
    return body


@pytest.fixture
def admin(ledger):
    return ledger.headers()


@pytest.fixture
def teacher(ledger):
    return ledger.educator("TN")


def mc(**fields):
    return {"kind": "microcredential", "credential": "DP-FA-01", "earned_on": "2023-03-01", **fields}


def activity(**fields):
    return {"kind": "activity", "title": "Summer literacy institute", "hours": 6, "earned_on": "2023-03-01", **fields}


# Entries: POST /educators/{id}/entries

BAD_ENTRIES = {
    "an impossible day": (mc(earned_on="2023-02-30"), ["earned_on"]),
    "an impossible month": (mc(earned_on="2023-13-01"), ["earned_on"]),
    "29 February in a common year": (mc(earned_on="2023-02-29"), ["earned_on"]),
    "a day zero": (mc(earned_on="2023-01-00"), ["earned_on"]),
    "a date with slashes": (mc(earned_on="03/01/2023"), ["earned_on"]),
    "a date as a number": (mc(earned_on=20230301), ["earned_on"]),
    "a five-digit year": (mc(earned_on="10000-01-01"), ["earned_on"]),
    "a date before 1900": (mc(earned_on="1899-12-31"), ["earned_on"]),
    "a date far in the future": (mc(earned_on="2199-01-01"), ["earned_on"]),
    "a date past the calendar": (mc(earned_on="9999-12-31"), ["earned_on"]),
    "an empty date": (mc(earned_on=""), ["earned_on"]),
    "a null date": (mc(earned_on=None), ["earned_on"]),
    "zero hours": (activity(hours=0), ["hours"]),
    "negative hours": (activity(hours=-3), ["hours"]),
    "hours as a word": (activity(hours="six"), ["hours"]),
    "hours that overflow the database": (activity(hours=1e30), ["hours"]),
    "hours as a string that overflows": (activity(hours="1e30"), ["hours"]),
    "hours that are not a number": (activity(hours="NaN"), ["hours"]),
    "hours that are infinite": (activity(hours="Infinity"), ["hours"]),
    "hours as a boolean": (activity(hours=True), ["hours"]),
    "an unknown credential": (mc(credential="NO-SUCH-01"), ["credential"]),
    "a credential code with spaces": (mc(credential="DP FA 01"), ["credential"]),
    "a credential code of 100,000 characters": (mc(credential=LONG), ["credential"]),
    "an unknown kind": (mc(kind="badge"), ["kind"]),
    "a micro-credential with hours": (mc(hours=3), ["hours"]),
    "an activity naming a credential": (activity(credential="DP-FA-01"), ["credential"]),
    "a title of 100,000 characters": (activity(title=LONG), ["title"]),
    "an empty title": (activity(title=""), ["title"]),
    "an external_id of 100,000 characters": (mc(external_id=LONG), ["external_id"]),
    "an evidence_url that is not http": (mc(evidence_url="javascript:alert(1)"), ["evidence_url"]),
    "an evidence_url of 100,000 characters": (mc(evidence_url="https://example.org/" + LONG), ["evidence_url"]),
    "tags as a string": (activity(tags="literacy"), ["tags"]),
    "a tag of 100,000 characters": (activity(tags=[LONG]), ["tags[0]"]),
    "a misspelled field": ({**mc(), "credentail": "DP-FA-01"}, ["credentail"]),
    "nothing at all": ({}, ["kind", "earned_on"]),
    "a micro-credential without its credential": (
        {"kind": "microcredential", "earned_on": "2023-03-01"}, ["credential"]),
    "an activity without title or hours": ({"kind": "activity", "earned_on": "2023-03-01"}, ["title", "hours"]),
}


@pytest.mark.parametrize("body, fields", BAD_ENTRIES.values(), ids=list(BAD_ENTRIES))
def test_a_bad_entry_is_refused_naming_each_bad_field(client, session, admin, teacher, body, fields):
    with nothing_written(session):
        response = client.post(f"{API}/educators/{teacher.id}/entries", headers=admin, json=body)
        assert_rejected(response, 422, *fields)


def test_29_february_is_a_date_in_a_leap_year(client, admin, teacher):
    response = client.post(f"{API}/educators/{teacher.id}/entries", headers=admin, json=mc(earned_on="2024-02-29"))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["earned_on"] == "2024-02-29"


def test_an_entry_earned_next_month_is_refused_as_in_the_future(client, session, admin, teacher):
    later = (date.today() + timedelta(days=30)).isoformat()
    with nothing_written(session):
        response = client.post(f"{API}/educators/{teacher.id}/entries", headers=admin, json=mc(earned_on=later))
        assert_rejected(response, 422, "earned_on")


def test_a_thousand_hours_is_the_most_an_activity_may_claim(client, session, admin, teacher):
    response = client.post(f"{API}/educators/{teacher.id}/entries", headers=admin, json=activity(hours=1000))
    assert response.status_code == 201, response.get_data(as_text=True)
    with nothing_written(session):
        too_many = client.post(f"{API}/educators/{teacher.id}/entries", headers=admin,
                               json=activity(hours=1000.01, title="another"))
        assert_rejected(too_many, 422, "hours")


# Bodies that are not JSON objects, on every call that takes a body

def _post_paths(teacher, entry_id):
    return {
        "entries": f"{API}/educators/{teacher.id}/entries",
        "void": f"{API}/entries/{entry_id}/void",
        "educators": f"{API}/educators",
        "rulebooks": f"{API}/rulebooks",
        "catalog": f"{API}/catalog",
    }


NOT_OBJECTS = {
    "a list": "[]",
    "a list of an object": json.dumps([mc()]),
    "a string": '"hello"',
    "a number": "42",
    "true": "true",
    "null": "null",
}


@pytest.fixture
def entry(ledger, teacher):
    return ledger.record(teacher, "DP-LIT-01")


@pytest.mark.parametrize("raw", NOT_OBJECTS.values(), ids=list(NOT_OBJECTS))
def test_a_body_that_is_not_a_json_object_is_refused(client, session, subtests, admin, teacher, entry, raw):
    for target, path in _post_paths(teacher, entry.id).items():
        with subtests.test(target=target), nothing_written(session):
            response = client.post(path, headers=admin, data=raw, content_type="application/json")
            assert response.status_code in (400, 422), response.get_data(as_text=True)
            assert_rejected(response, response.status_code)
            assert response.get_json().get("errors"), "the answer says what was wrong with the body"


MALFORMED = {
    "a truncated object": '{"kind": "microcredential", ',
    "single quotes": "{'kind': 'microcredential'}",
    "a trailing comma": '{"kind": "microcredential",}',
    "an empty body": "",
    "bare words": "kind=microcredential",
    "bytes that are not UTF-8": b'{"kind": "activity", "title": "\xff\xfe", "hours": 1, "earned_on": "2023-03-01"}',
    "nesting 100,000 deep": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("raw", MALFORMED.values(), ids=list(MALFORMED))
def test_malformed_json_answers_400(client, session, subtests, admin, teacher, entry, raw):
    for target, path in _post_paths(teacher, entry.id).items():
        with subtests.test(target=target), nothing_written(session):
            response = client.post(path, headers=admin, data=raw, content_type="application/json")
            assert_rejected(response, 400)


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_a_nan_or_infinity_literal_is_refused(client, session, admin, teacher, literal):
    # Not JSON at all, so 400 would be right; 422 naming the field is as useful.
    raw = f'{{"kind": "activity", "title": "t", "hours": {literal}, "earned_on": "2023-03-01"}}'
    with nothing_written(session):
        response = client.post(f"{API}/educators/{teacher.id}/entries", headers=admin,
                               data=raw, content_type="application/json")
        assert response.status_code in (400, 422), response.get_data(as_text=True)
        assert_rejected(response, response.status_code, *(["hours"] if response.status_code == 422 else []))


WRONG_TYPES = {
    "text/plain": "text/plain",
    "form-encoded": "application/x-www-form-urlencoded",
    "multipart": "multipart/form-data; boundary=x",
    "YAML": "application/yaml",
    "no Content-Type": None,
}


@pytest.mark.parametrize("content_type", WRONG_TYPES.values(), ids=list(WRONG_TYPES))
def test_a_body_not_sent_as_application_json_answers_400(client, session, subtests, admin, teacher, entry, content_type):
    headers = dict(admin)
    if content_type:
        headers["Content-Type"] = content_type
    for target, path in _post_paths(teacher, entry.id).items():
        with subtests.test(target=target), nothing_written(session):
            response = client.post(path, headers=headers, data=json.dumps(mc()))
            assert_rejected(response, 400, "Content-Type")


def test_a_body_over_the_size_limit_is_refused_before_it_is_read(client, session, admin, teacher, app):
    body = json.dumps(activity(title="x" * (app.config["MAX_CONTENT_LENGTH"] + 1)))
    with nothing_written(session):
        response = client.post(f"{API}/educators/{teacher.id}/entries", headers=admin,
                               data=body, content_type="application/json")
        assert_rejected(response, 413)


# Ids and queries in the URL

IMPOSSIBLE_IDS = [HUGE, 2**63, 2**31, 0, -1, "abc", "1.5", "1e3"]


@pytest.mark.parametrize("educator_id", IMPOSSIBLE_IDS)
def test_an_educator_id_that_cannot_exist_answers_404(client, session, admin, educator_id):
    with nothing_written(session):
        for path in (f"{API}/educators/{educator_id}", f"{API}/educators/{educator_id}/standing",
                     f"{API}/educators/{educator_id}/entries"):
            assert_rejected(client.get(path, headers=admin), 404)


@pytest.mark.parametrize("educator_id", IMPOSSIBLE_IDS)
def test_recording_on_an_educator_id_that_cannot_exist_answers_404(client, session, admin, educator_id):
    with nothing_written(session):
        response = client.post(f"{API}/educators/{educator_id}/entries", headers=admin, json=mc())
        assert_rejected(response, 404)


@pytest.mark.parametrize("entry_id", [HUGE, 2**31, 0, -5, "x"])
def test_an_entry_id_that_cannot_exist_answers_404(client, session, admin, entry_id):
    with nothing_written(session):
        assert_rejected(client.get(f"{API}/entries/{entry_id}", headers=admin), 404)
        assert_rejected(client.post(f"{API}/entries/{entry_id}/void", headers=admin, json={"reason": "typo"}), 404)


BAD_STANDING_QUERIES = {
    "an impossible day": ("as_of=2023-02-30", ["as_of"]),
    "an impossible month": ("as_of=2023-13-01", ["as_of"]),
    "29 February in a common year": ("as_of=2023-02-29", ["as_of"]),
    "a five-digit year": ("as_of=10000-01-01", ["as_of"]),
    "a year before 1900": ("as_of=0001-01-01", ["as_of"]),
    "words": ("as_of=yesterday", ["as_of"]),
    "a state never loaded": ("state=ZZ", ["state"]),
    "a state that is not a code": ("state=Tennessee", ["state"]),
    "a state of 4,000 characters": ("state=" + IN_URL, ["state"]),
}


@pytest.mark.parametrize("query, fields", BAD_STANDING_QUERIES.values(), ids=list(BAD_STANDING_QUERIES))
def test_a_bad_standing_query_is_refused_naming_the_parameter(client, session, admin, teacher, query, fields):
    with nothing_written(session):
        response = client.get(f"{API}/educators/{teacher.id}/standing?{query}", headers=admin)
        assert_rejected(response, 422, *fields)


def test_standing_on_29_february_of_a_leap_year_is_answered(client, admin, teacher):
    response = client.get(f"{API}/educators/{teacher.id}/standing?as_of=2024-02-29", headers=admin)
    assert response.status_code == 200
    assert response.get_json()["as_of"] == "2024-02-29"


BAD_LIST_QUERIES = {
    "page zero": ("page=0", ["page"]),
    "a page size of zero": ("page_size=0", ["page_size"]),
    "a page size past the most": ("page_size=100000", ["page_size"]),
    "a search of 4,000 characters": ("q=" + IN_URL, ["q"]),
    "a state that is not a code": ("state=Tennessee", ["state"]),
}


@pytest.mark.parametrize("query, fields", BAD_LIST_QUERIES.values(), ids=list(BAD_LIST_QUERIES))
def test_a_bad_educator_list_query_is_refused_naming_the_parameter(client, session, admin, ledger, query, fields):
    ledger.educator("TN")
    with nothing_written(session):
        response = client.get(f"{API}/educators?{query}", headers=admin)
        assert_rejected(response, 422, *fields)


@pytest.mark.parametrize("page", [2, 2**31, 2**63, HUGE])
def test_a_page_past_the_last_is_empty_however_large_its_number(client, session, admin, ledger, page):
    ledger.educator("TN")
    response = client.get(f"{API}/educators?page={page}", headers=admin)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == []


@pytest.mark.parametrize("query, field", [("q=%00", "q"), ("q=Ada%00", "q"), ("district=%00", "district")],
                         ids=["a NUL search", "a NUL inside a search", "a NUL district"])
def test_a_nul_character_in_a_list_query_is_refused_naming_the_parameter(client, admin, ledger, query, field):
    ledger.educator("TN")
    response = client.get(f"{API}/educators?{query}", headers=admin)
    assert_rejected(response, 422, field)


@pytest.mark.parametrize("state", ["ZZ", "T%00", "%00%00", "%F0%9F%98%80", "Z" * 300])
def test_a_rulebook_for_a_state_that_cannot_exist_answers_404(client, admin, state):
    assert_rejected(client.get(f"{API}/rulebooks/{state}", headers=admin), 404)
    assert_rejected(client.get(f"{API}/rulebooks/{state}/versions", headers=admin), 404)


def test_an_unknown_path_under_the_api_answers_404_in_the_error_shape(client, admin):
    assert_rejected(client.get(f"{API}/no-such-thing", headers=admin), 404)
    assert_rejected(client.get(f"{API}/rulebooks/{'Z' * 4_000}", headers=admin), 404)


def test_an_unsupported_method_answers_405_in_the_error_shape(client, session, admin, teacher):
    with nothing_written(session):
        assert_rejected(client.delete(f"{API}/educators/{teacher.id}", headers=admin), 405)
        assert_rejected(client.put(f"{API}/educators/{teacher.id}", headers=admin, json={}), 405)


# Text no database column can hold: a NUL character (PostgreSQL refuses it) and a lone
# UTF-16 surrogate (not encodable as UTF-8). JSON can carry both as \u escapes.

UNSTORABLE = {"a NUL character": "Love\x00lace", "a lone surrogate": "Love\ud800lace"}


def _unstorable_requests(teacher, entry, text):
    catalog = {"credentials": [{"code": "ZZ-01", "title": text, "issuer": "DP"}]}
    return {
        "entry title": (f"{API}/educators/{teacher.id}/entries", activity(title=text), "title"),
        "entry external_id": (f"{API}/educators/{teacher.id}/entries", mc(external_id=text), "external_id"),
        "void reason": (f"{API}/entries/{entry.id}/void", {"reason": text}, "reason"),
        "educator name": (f"{API}/educators", educator(last_name=text), "last_name"),
        "rulebook name": (f"{API}/rulebooks", rulebook(name=text), "name"),
        "catalog title": (f"{API}/catalog", catalog, "credentials[0].title"),
    }


UNSTORABLE_TARGETS = ("entry title", "entry external_id", "void reason", "educator name", "rulebook name",
                      "catalog title")


@pytest.mark.parametrize("target", UNSTORABLE_TARGETS)
@pytest.mark.parametrize("text", UNSTORABLE.values(), ids=list(UNSTORABLE))
def test_text_no_database_can_hold_is_refused_naming_the_field(client, session, admin, teacher, entry, target, text):
    path, body, field = _unstorable_requests(teacher, entry, text)[target]
    with nothing_written(session):
        response = client.post(path, headers=admin, json=body)
        assert_rejected(response, 422, field)


# Voids

BAD_VOIDS = {
    "no reason": ({}, ["reason"]),
    "an empty reason": ({"reason": ""}, ["reason"]),
    "a null reason": ({"reason": None}, ["reason"]),
    "a reason of 100,000 characters": ({"reason": LONG}, ["reason"]),
    "a reason that is a number": ({"reason": 42}, ["reason"]),
    "a misspelled field": ({"reason": "typo", "reasn": "typo"}, ["reasn"]),
}


@pytest.mark.parametrize("body, fields", BAD_VOIDS.values(), ids=list(BAD_VOIDS))
def test_a_bad_void_is_refused_naming_the_field(client, session, admin, entry, body, fields):
    with nothing_written(session):
        response = client.post(f"{API}/entries/{entry.id}/void", headers=admin, json=body)
        assert_rejected(response, 422, *fields)


# Educators: POST /educators

def educator(**fields):
    return {
        "license_number": "TN-BAD-0001", "state": "TN", "first_name": "Ada", "last_name": "Lovelace",
        "licenses": [{"type": "professional", "cycle_start": "2020-07-01", "cycle_end": "2025-06-30"}],
        **fields,
    }


def license_(**fields):
    return [{"type": "professional", "cycle_start": "2020-07-01", "cycle_end": "2025-06-30", **fields}]


BAD_EDUCATORS = {
    "an unknown state": (educator(state="ZZ"), ["state"]),
    "a state that is not a code": (educator(state="Tennessee"), ["state"]),
    "an unknown district": (educator(district="NOWHERE"), ["district"]),
    "an unknown license type": (educator(licenses=license_(type="wizard")), ["licenses[0].type"]),
    "an unknown license state": (educator(licenses=license_(state="ZZ")), ["licenses[0].state"]),
    "an impossible cycle start": (educator(licenses=license_(cycle_start="2023-02-30")), ["licenses[0].cycle_start"]),
    "an impossible cycle end month": (educator(licenses=license_(cycle_end="2025-13-01")), ["licenses[0].cycle_end"]),
    "29 February in a common year": (educator(licenses=license_(cycle_end="2025-02-29")), ["licenses[0].cycle_end"]),
    "a cycle that ends before it starts": (
        educator(licenses=license_(cycle_start="2025-07-01", cycle_end="2020-06-30")), ["licenses[0].cycle_end"]),
    "a license missing its fields": (educator(licenses=[{}]),
                                     ["licenses[0].type", "licenses[0].cycle_start", "licenses[0].cycle_end"]),
    "licenses that are not a list": (educator(licenses={"type": "professional"}), ["licenses"]),
    "a license that is not an object": (educator(licenses=["professional"]), ["licenses[0]"]),
    "the second license bad": (educator(licenses=license_() + license_(type="wizard")), ["licenses[1].type"]),
    "a license number of 100,000 characters": (educator(license_number=LONG), ["license_number"]),
    "a first name of 100,000 characters": (educator(first_name=LONG), ["first_name"]),
    "an email of 100,000 characters": (educator(email=LONG + "@example.org"), ["email"]),
    "an email that is not one": (educator(email="not an email"), ["email"]),
    "a district of 100,000 characters": (educator(district=LONG), ["district"]),
    "a license number that is a number": (educator(license_number=12345), ["license_number"]),
    "a misspelled field": ({**educator(), "frist_name": "Ada"}, ["frist_name"]),
    "nothing at all": ({}, ["license_number", "state", "first_name", "last_name"]),
}


@pytest.mark.parametrize("body, fields", BAD_EDUCATORS.values(), ids=list(BAD_EDUCATORS))
def test_a_bad_educator_is_refused_naming_each_bad_field(client, session, admin, body, fields):
    with nothing_written(session):
        response = client.post(f"{API}/educators", headers=admin, json=body)
        assert_rejected(response, 422, *fields)


def test_an_educator_whose_cycle_starts_on_29_february_of_a_leap_year_is_added(client, admin):
    response = client.post(f"{API}/educators", headers=admin,
                           json=educator(licenses=license_(cycle_start="2024-02-29", cycle_end="2029-02-28")))
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["licenses"][0]["cycle_start"] == "2024-02-29"


# Rulebooks: POST /rulebooks and `flask ledger load-rulebook`

def rulebook(**changes):
    doc = deepcopy(samples.TN)
    doc.update(changes)
    return doc


def with_rate(i, **fields):
    doc = rulebook()
    doc["exchange_rates"][i] = {**doc["exchange_rates"][i], **fields}
    return doc


def plus_rates(*rates):
    doc = rulebook()
    doc["exchange_rates"] = doc["exchange_rates"] + list(rates)
    return doc


def with_district(code):
    return rulebook(districts=[{"code": code, "name": "A district"}])


BAD_RULEBOOKS = {
    "an impossible effective_from": (with_rate(2, effective_from="2019-02-30"), ["exchange_rates[2].effective_from"]),
    "an impossible month": (with_rate(2, effective_from="2019-13-01"), ["exchange_rates[2].effective_from"]),
    "29 February in a common year": (with_rate(1, effective_to="2023-02-29"), ["exchange_rates[1].effective_to"]),
    "a rate that ends before it starts": (with_rate(0, effective_to="2010-01-01"), ["exchange_rates[0].effective_to"]),
    "negative units": (with_rate(3, units=-1), ["exchange_rates[3].units"]),
    "units that overflow": (with_rate(3, units=1e30), ["exchange_rates[3].units"]),
    "units as a word": (with_rate(3, units="ten"), ["exchange_rates[3].units"]),
    "a rate missing its units": (plus_rates({"effective_from": "2024-01-01"}), ["exchange_rates[4].units"]),
    "an unknown top-level field": (rulebook(exchange_rate=[]), ["exchange_rate"]),
    "an unknown field in a rate": (with_rate(2, unit=5), ["exchange_rates[2].unit"]),
    "an unknown field in a renewal rule": (
        rulebook(renewal=[{"license": "professional", "required_units": 60, "max_units": 30}]),
        ["renewal[0].max_units"]),
    "a lowercase state": (rulebook(state="tn"), ["state"]),
    "no state": ({k: v for k, v in samples.TN.items() if k != "state"}, ["state"]),
    "a name of 100,000 characters": (rulebook(name=LONG), ["name"]),
    "a cite of 100,000 characters": (with_rate(0, cite=LONG), ["exchange_rates[0].cite"]),
    "a renewal rule repeated": (
        rulebook(renewal=samples.TN["renewal"] + samples.TN["renewal"][:1]), ["renewal[2].cycles_ending_from"]),
    "a duplicate general rate": (
        plus_rates({"units": 7, "effective_from": "2020-07-01", "effective_to": "2021-06-30"}),
        ["exchange_rates[4].effective_from"]),
    "a duplicate issuer rate": (
        plus_rates({"units": 9, "effective_from": "2019-01-01", "issuer": "BB"}), ["exchange_rates[4].effective_from"]),
    "a duplicate credential rate": (
        plus_rates({"units": 9, "effective_from": "2021-01-01", "credential": "DP-FA-01"}),
        ["exchange_rates[4].effective_from"]),
    "a credential rate naming its issuer after one that does not": (
        plus_rates({"units": 9, "effective_from": "2021-01-01", "credential": "DP-FA-01", "issuer": "DP"}),
        ["exchange_rates[4].effective_from"]),
    "a credential rate not naming its issuer after one that does": (
        plus_rates({"units": 9, "effective_from": "2024-01-01", "credential": "DP-LIT-01", "issuer": "DP"},
                   {"units": 4, "effective_from": "2024-01-01", "credential": "DP-LIT-01"}),
        ["exchange_rates[5].effective_from"]),
    "an elective group that can never be filled": (
        rulebook(pathways=[{"code": "TN-X", "name": "X",
                            "electives": [{"choose": 3, "from": ["DP-FA-01", "DP-FA-02"]}]}]),
        ["pathways[0].electives[0].choose"]),
    "a choose that overflows": (
        rulebook(pathways=[{"code": "TN-X", "name": "X", "electives": [{"choose": HUGE, "tags": ["literacy"]}]}]),
        ["pathways[0].electives[0].choose"]),
    "a district code of another state": (with_district("JUAB"), ["districts[0].code"]),
    "a district code in lowercase": (with_district("knox"), ["districts[0].code"]),
}


@pytest.mark.parametrize("doc, fields", BAD_RULEBOOKS.values(), ids=list(BAD_RULEBOOKS))
def test_an_invalid_rulebook_is_refused_naming_each_path_and_no_version_is_made(client, session, admin, doc, fields):
    newest = client.get(f"{API}/rulebooks/TN", headers=admin).get_json()["version"]
    with nothing_written(session):
        response = client.post(f"{API}/rulebooks", headers=admin, json=doc)
        assert_rejected(response, 422, *fields)
    assert client.get(f"{API}/rulebooks/TN", headers=admin).get_json()["version"] == newest


def test_the_same_rate_for_two_issuers_on_one_day_is_not_a_duplicate(client, admin):
    doc = plus_rates({"units": 9, "effective_from": "2024-01-01", "issuer": "DP"},
                     {"units": 4, "effective_from": "2024-01-01", "issuer": "NEA"})
    response = client.post(f"{API}/rulebooks", headers=admin, json=doc)
    assert response.status_code == 201, response.get_data(as_text=True)


def load_rulebook_file(runner, path):
    return runner.invoke(args=["ledger", "load-rulebook", str(path)])


def newest_version(session, state="TN") -> int:
    return session.scalar(
        select(func.max(RulebookVersion.version)).join(State).where(State.code == state)
    )


CLI_BAD_RULEBOOKS = {
    "an impossible date, quoted": (
        "json", with_rate(2, effective_from="2019-02-30"), "exchange_rates[2].effective_from"),
    "an unknown field": ("json", with_rate(2, unit=5), "exchange_rates[2].unit"),
    "a duplicate rate": ("yaml", plus_rates({"units": 7, "effective_from": "2020-07-01"}),
                         "exchange_rates[4].effective_from"),
    "a lowercase state": ("yaml", rulebook(state="tn"), "state"),
}


@pytest.mark.parametrize("fmt, doc, field", CLI_BAD_RULEBOOKS.values(), ids=list(CLI_BAD_RULEBOOKS))
def test_the_cli_refuses_an_invalid_rulebook_naming_the_field(runner, ledger, session, tmp_path, fmt, doc, field):
    path = tmp_path / f"TN.{fmt}"
    path.write_text(json.dumps(doc) if fmt == "json" else yaml.safe_dump(doc))
    newest = newest_version(session)
    with nothing_written(session):
        result = load_rulebook_file(runner, path)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert field in result.output
    assert newest_version(session) == newest


def test_the_cli_refuses_an_impossible_yaml_date_naming_the_field(runner, ledger, session, tmp_path):
    # Unquoted, YAML reads 2019-02-30 as a timestamp and cannot make it a date.
    text = yaml.safe_dump(rulebook()).replace("effective_from: '2019-01-01'", "effective_from: 2019-02-30")
    assert "effective_from: 2019-02-30" in text
    path = tmp_path / "TN.yaml"
    path.write_text(text)
    newest = newest_version(session)
    with nothing_written(session):
        result = load_rulebook_file(runner, path)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert "exchange_rates[2].effective_from" in result.output
    assert newest_version(session) == newest


@pytest.mark.parametrize("text", [
    "state: TN\nname: [unclosed\n",
    "- a list\n- not a mapping\n",
    "just a string\n",
    "",
    "\x00\x01\x02",
], ids=["broken YAML", "a list", "a string", "an empty file", "binary"])
def test_the_cli_refuses_a_file_that_is_not_a_rulebook(runner, ledger, session, tmp_path, text):
    path = tmp_path / "TN.yaml"
    path.write_text(text)
    with nothing_written(session):
        result = load_rulebook_file(runner, path)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert result.output.strip()


def test_the_cli_refuses_a_file_that_is_not_utf_8(runner, ledger, session, tmp_path):
    path = tmp_path / "TN.yaml"
    text = yaml.safe_dump(rulebook(), allow_unicode=True).replace("name: Tennessee", "name: Tennessée")
    path.write_bytes(text.encode("latin-1"))
    with nothing_written(session):
        result = load_rulebook_file(runner, path)
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert result.output.strip()


def test_the_cli_loads_a_valid_rulebook_as_the_newest_version(runner, ledger, session, tmp_path):
    path = tmp_path / "TN.yaml"
    path.write_text(yaml.safe_dump(rulebook()))
    newest = newest_version(session)
    result = load_rulebook_file(runner, path)
    assert result.exit_code == 0, result.output
    assert newest_version(session) == newest + 1


# The catalog: POST /catalog and `flask ledger load-catalog`

BAD_CATALOGS = {
    "a credential of an unknown issuer": (
        {"credentials": [{"code": "ZZ-01", "title": "Z", "issuer": "NOBODY"}]}, ["credentials[0].issuer"]),
    "a credential missing its title and issuer": ({"credentials": [{"code": "ZZ-01"}]},
                                                  ["credentials[0].title", "credentials[0].issuer"]),
    "a credential repeated": (
        {"credentials": [{"code": "ZZ-01", "title": "Z", "issuer": "DP"}] * 2}, ["credentials[1].code"]),
    "a badge id of another credential": (
        {"credentials": [{"code": "ZZ-01", "title": "Z", "issuer": "DP",
                          "badge_id": samples.CATALOG["credentials"][0]["badge_id"]}]},
        ["credentials[0].badge_id"]),
    "a title of 100,000 characters": (
        {"credentials": [{"code": "ZZ-01", "title": LONG, "issuer": "DP"}]}, ["credentials[0].title"]),
    "negative hours": (
        {"credentials": [{"code": "ZZ-01", "title": "Z", "issuer": "DP", "estimated_hours": -1}]},
        ["credentials[0].estimated_hours"]),
    "an issuer without a name": ({"issuers": [{"code": "ZZ"}]}, ["issuers[0].name"]),
    "an unknown field": ({"credential": []}, ["credential"]),
}


@pytest.mark.parametrize("doc, fields", BAD_CATALOGS.values(), ids=list(BAD_CATALOGS))
def test_an_invalid_catalog_is_refused_naming_each_path(client, session, admin, doc, fields):
    with nothing_written(session):
        response = client.post(f"{API}/catalog", headers=admin, json=doc)
        assert_rejected(response, 422, *fields)


def test_the_cli_refuses_a_catalog_credential_of_an_unknown_issuer(runner, ledger, session, tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text(yaml.safe_dump({"credentials": [{"code": "ZZ-01", "title": "Z", "issuer": "NOBODY"}]}))
    with nothing_written(session):
        result = runner.invoke(args=["ledger", "load-catalog", str(path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), f"crashed: {result.exception!r}"
    assert "credentials[0].issuer" in result.output
