"""Who sees what (CONTRACT.md section 5), as a matrix of role x record x action.

A record outside the caller's scope answers 404, as if it did not exist; an action the
caller's role may not take on a record in scope answers 403; and a refused call writes
nothing, not even an audit row.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select, update

from ledger.access.principals import ADMIN, Principal
from ledger.access.tokens import hash_token
from ledger.models import (
    ApiToken,
    AuditEvent,
    Credential,
    Educator,
    Entry,
    Issuer,
    RulebookVersion,
    Void,
)
from ledger.rulebooks.service import load_rulebook

from .. import samples

API = "/api/v1"
LOADER = Principal(role=ADMIN, actor="test")

# The callers. The educator token belongs to the TN educator ("tn" below).
ROLES = {
    "admin": {"role": "admin"},
    "tn_office": {"role": "state_office", "state": "TN"},
    "ut_office": {"role": "state_office", "state": "UT"},
    "juab_hr": {"role": "district_hr", "district": "JUAB"},
    "educator": {"role": "educator"},
}

# The records, one educator each:
#   tn      licensed in TN, no district (and the educator token's own record)
#   juab    licensed in UT, employed by JUAB (a UT district)
#   alpine  licensed in UT, employed by ALPINE (another UT district)
#   dual    a UT educator employed by JUAB who also holds a TN license
RECORDS = ("tn", "juab", "alpine", "dual")

#                    tn   juab alpine dual
READ = {
    "admin":       (200, 200, 200, 200),
    "tn_office":   (200, 404, 404, 200),  # "educators licensed in that state"
    "ut_office":   (404, 200, 200, 200),
    "juab_hr":     (404, 200, 404, 200),  # "educators employed by that district"
    "educator":    (200, 404, 404, 404),  # "their own record ... read only"
}
RECORD = {
    "admin":       (201, 201, 201, 201),
    "tn_office":   (201, 404, 404, 201),
    "ut_office":   (404, 201, 201, 201),
    "juab_hr":     (404, 201, 404, 201),
    "educator":    (403, 404, 404, 404),
}
VOID = {role: tuple(200 if s == 201 else s for s in row) for role, row in RECORD.items()}

READS = ("get_educator", "get_standing", "list_entries", "get_entry")
WRITES = {"post_entry": RECORD, "void_entry": VOID}

READ_MATRIX = [
    pytest.param(role, record, READ[role][i], id=f"{role}-{record}")
    for role in ROLES
    for i, record in enumerate(RECORDS)
]
WRITE_MATRIX = [
    pytest.param(role, record, action, table[role][i], id=f"{role}-{action}-{record}")
    for action, table in WRITES.items()
    for role in ROLES
    for i, record in enumerate(RECORDS)
]

# New educators: who may add one where. Adding is a new record, so a place outside the
# caller's scope is a refused action (403), not a missing record.
#                    TN   UT/JUAB UT/ALPINE
CREATE = {
    "admin":       (201, 201, 201),
    "tn_office":   (201, 403, 403),
    "ut_office":   (403, 201, 201),
    "juab_hr":     (403, 201, 403),
    "educator":    (403, 403, 403),
}
PLACES = (("TN", "KNOX"), ("UT", "JUAB"), ("UT", "ALPINE"))

# Rulebooks: a state office loads its own state's only; MA is not loaded yet.
#                    TN   UT   MA
LOAD_RULEBOOK = {
    "admin":       (201, 201, 201),
    "tn_office":   (201, 403, 403),
    "ut_office":   (403, 201, 403),
    "juab_hr":     (403, 403, 403),
    "educator":    (403, 403, 403),
}
RULEBOOKS = {"TN": samples.TN, "UT": samples.UT, "MA": samples.MA}

LOAD_CATALOG = {"admin": 200, "tn_office": 200, "ut_office": 200, "juab_hr": 403, "educator": 403}

# Rulebooks are published policy that every standing is read against; any caller may
# read any loaded state's rulebook, and a state never loaded is not found.
#                    TN   UT   MA
READ_RULEBOOK = {role: (200, 200, 404) for role in ROLES}

WRITTEN = (Educator, Entry, Void, AuditEvent, RulebookVersion, Credential, Issuer)


def counts(session) -> dict[str, int]:
    return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in WRITTEN}


@pytest.fixture
def world(ledger):
    """The sample rulebooks, with a TN district (KNOX) and a second UT one (ALPINE), and
    the four records, each holding one micro-credential entry."""
    tn_rulebook = deepcopy(samples.TN)
    tn_rulebook["districts"] = [{"code": "KNOX", "name": "Knox County Schools", "salary_credits_per_mc": 1}]
    ut_rulebook = deepcopy(samples.UT)
    ut_rulebook["districts"].append({"code": "ALPINE", "name": "Alpine School District", "salary_credits_per_mc": 1})
    for doc in (tn_rulebook, ut_rulebook):
        load_rulebook(ledger.session, LOADER, doc)
    ledger.session.commit()

    people = {
        "tn": ledger.educator("TN"),
        "juab": ledger.educator("UT", district="JUAB"),
        "alpine": ledger.educator("UT", district="ALPINE"),
        "dual": ledger.educator("UT", district="JUAB", licenses=[
            {"type": "professional", "cycle_start": date(2021, 1, 1), "cycle_end": date(2026, 12, 31)},
            {"type": "professional", "cycle_start": date(2020, 7, 1), "cycle_end": date(2025, 6, 30), "state": "TN"},
        ]),
    }
    entries = {key: ledger.record(e, "DP-FA-01", date(2022, 3, 1)) for key, e in people.items()}
    return World(ledger, {k: e.id for k, e in people.items()}, {k: e.id for k, e in entries.items()})


class World:
    def __init__(self, ledger, educators: dict[str, int], entries: dict[str, int]):
        self.ledger = ledger
        self.educators = educators
        self.entries = entries

    def headers(self, role: str) -> dict:
        scope = dict(ROLES[role])
        if scope["role"] == "educator":
            scope["educator"] = self.educators["tn"]
        return self.ledger.headers(**scope)


def call(client, world: World, role: str, action: str, record: str):
    educator_id, entry_id = world.educators[record], world.entries[record]
    headers = world.headers(role)
    if action == "get_educator":
        return client.get(f"{API}/educators/{educator_id}", headers=headers)
    if action == "get_standing":
        return client.get(f"{API}/educators/{educator_id}/standing?as_of=2024-05-01", headers=headers)
    if action == "list_entries":
        return client.get(f"{API}/educators/{educator_id}/entries", headers=headers)
    if action == "get_entry":
        return client.get(f"{API}/entries/{entry_id}", headers=headers)
    if action == "post_entry":
        return client.post(f"{API}/educators/{educator_id}/entries", headers=headers, json={
            "kind": "microcredential", "credential": "DP-LIT-01", "earned_on": "2023-04-01",
        })
    if action == "void_entry":
        return client.post(f"{API}/entries/{entry_id}/void", headers=headers, json={"reason": "entered twice"})
    raise AssertionError(action)


def assert_error(response, status: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == status
    assert isinstance(body["status"], str) and body["status"]
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body.get("errors", {}), dict)


@pytest.mark.parametrize("role, record, expected", READ_MATRIX)
def test_each_role_reads_only_the_records_in_its_scope(client, world, role, record, expected):
    world.headers(role)
    before = counts(world.ledger.session)

    for action in READS:
        response = call(client, world, role, action, record)
        if expected >= 400:
            assert_error(response, expected)
        else:
            assert response.status_code == expected, (action, response.get_data(as_text=True))

    assert counts(world.ledger.session) == before


@pytest.mark.parametrize("role, record, action, expected", WRITE_MATRIX)
def test_each_role_writes_only_where_its_scope_and_role_allow(client, world, role, record, action, expected):
    # The caller's token exists before the count, so only the call itself is measured.
    world.headers(role)
    before = counts(world.ledger.session)

    response = call(client, world, role, action, record)

    if expected >= 400:
        assert_error(response, expected)
        assert counts(world.ledger.session) == before
    else:
        assert response.status_code == expected, response.get_data(as_text=True)
        after = counts(world.ledger.session)
        written = "entries" if action == "post_entry" else "voids"
        assert after[written] == before[written] + 1
        assert after["audit_events"] == before["audit_events"] + 1


def test_an_out_of_scope_record_answers_exactly_like_a_missing_one(client, world):
    headers = world.headers("tn_office")
    hidden_id, missing_id = world.educators["juab"], 2000000000
    hidden = client.get(f"{API}/educators/{hidden_id}", headers=headers)
    missing = client.get(f"{API}/educators/{missing_id}", headers=headers)
    assert hidden.status_code == missing.status_code == 404
    hidden_body, missing_body = hidden.get_json(), missing.get_json()
    hidden_body["message"] = hidden_body["message"].replace(str(hidden_id), "ID")
    missing_body["message"] = missing_body["message"].replace(str(missing_id), "ID")
    assert hidden_body == missing_body


def test_an_educator_token_cannot_record_on_its_own_record(client, world):
    world.headers("educator")
    before = counts(world.ledger.session)
    response = call(client, world, "educator", "post_entry", "tn")
    assert_error(response, 403)
    assert counts(world.ledger.session) == before


def test_an_educator_token_cannot_void_its_own_entry(client, world):
    world.headers("educator")
    before = counts(world.ledger.session)
    response = call(client, world, "educator", "void_entry", "tn")
    assert_error(response, 403)
    assert counts(world.ledger.session) == before
    assert world.ledger.session.scalar(select(Void).where(Void.entry_id == world.entries["tn"])) is None


def test_a_refused_post_of_an_invalid_entry_still_answers_by_scope_first(client, world):
    # Scope is checked before the body: a caller learns nothing about a hidden record
    # from the validation of what it sent.
    response = client.post(
        f"{API}/educators/{world.educators['juab']}/entries", headers=world.headers("tn_office"),
        json={"kind": "microcredential", "credential": "NOT-IN-CATALOG", "earned_on": "2023-04-01"},
    )
    assert_error(response, 404)


@pytest.mark.parametrize("role", ROLES)
def test_the_educator_list_holds_only_the_records_in_scope(client, world, role):
    response = client.get(f"{API}/educators?page_size=100", headers=world.headers(role))
    assert response.status_code == 200
    seen = {row["id"] for row in response.get_json()}
    expected = {world.educators[r] for i, r in enumerate(RECORDS) if READ[role][i] == 200}
    assert seen == expected


@pytest.mark.parametrize(
    "role, place, expected",
    [pytest.param(role, place, row[i], id=f"{role}-{'/'.join(place)}")
     for role, row in CREATE.items() for i, place in enumerate(PLACES)],
)
def test_each_role_adds_educators_only_within_its_scope(client, world, role, place, expected):
    state, district = place
    headers = world.headers(role)
    before = counts(world.ledger.session)

    response = client.post(f"{API}/educators", headers=headers, json={
        "license_number": f"NEW-{role.replace('_', '-')}-{state}-{district}", "state": state, "district": district,
        "first_name": "Grace", "last_name": "Hopper",
        "licenses": [{"type": "professional", "cycle_start": "2022-07-01", "cycle_end": "2027-06-30"}],
    })

    if expected >= 400:
        assert_error(response, expected)
        assert counts(world.ledger.session) == before
    else:
        assert response.status_code == expected, response.get_data(as_text=True)
        body = response.get_json()
        assert (body["state"], body["district"]) == (state, district)


@pytest.mark.parametrize(
    "role, state, expected",
    [pytest.param(role, state, row[i], id=f"{role}-{state}")
     for role, row in LOAD_RULEBOOK.items() for i, state in enumerate(RULEBOOKS)],
)
def test_a_state_office_loads_only_its_own_states_rulebook(client, world, role, state, expected):
    headers = world.headers(role)
    before = counts(world.ledger.session)

    response = client.post(f"{API}/rulebooks", headers=headers, json=deepcopy(RULEBOOKS[state]))

    if expected >= 400:
        assert_error(response, expected)
        assert counts(world.ledger.session) == before
    else:
        assert response.status_code == expected, response.get_data(as_text=True)
        assert response.get_json()["state"] == state


@pytest.mark.parametrize("role, expected", list(LOAD_CATALOG.items()))
def test_only_admins_and_state_offices_load_the_catalog(client, world, role, expected):
    headers = world.headers(role)
    before = counts(world.ledger.session)

    response = client.post(f"{API}/catalog", headers=headers, json={
        "credentials": [{"code": "DP-NEW-01", "title": "A new one", "issuer": "DP", "tags": ["assessment"]}],
    })

    if expected >= 400:
        assert_error(response, expected)
        assert counts(world.ledger.session) == before
    else:
        assert response.status_code == expected, response.get_data(as_text=True)
        assert response.get_json()["credentials_created"] == 1


@pytest.mark.parametrize("role", ROLES)
def test_any_caller_reads_any_loaded_rulebook(client, world, role):
    for state, expected in zip(RULEBOOKS, READ_RULEBOOK[role]):
        response = client.get(f"{API}/rulebooks/{state}", headers=world.headers(role))
        if expected >= 400:
            assert_error(response, expected)
        else:
            assert response.status_code == expected
            assert response.get_json()["rulebook"]["state"] == state


# Authentication: every call but the OpenAPI document carries a bearer token.

PROTECTED = [
    ("get", f"{API}/educators"),
    ("get", f"{API}/educators/1"),
    ("get", f"{API}/educators/2000000000"),
    ("get", f"{API}/educators/1/standing"),
    ("get", f"{API}/rulebooks/TN"),
    ("get", f"{API}/catalog"),
    ("post", f"{API}/educators/1/entries"),
    ("post", f"{API}/rulebooks"),
]

BAD_AUTHORIZATION = {
    "no header": None,
    "empty": "",
    "unknown token": "Bearer not-a-token-anyone-was-given",
    "bearer without token": "Bearer ",
    "basic scheme": "Basic YWRtaW46YWRtaW4=",
    "token without scheme": "TOKEN-ALONE",
}


@pytest.mark.parametrize("authorization", BAD_AUTHORIZATION.values(), ids=list(BAD_AUTHORIZATION))
def test_a_call_without_a_good_bearer_token_answers_401(client, session, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    before = counts(session)

    for method, path in PROTECTED:
        body = {"kind": "activity", "title": "x", "hours": 1, "earned_on": "2023-01-01"} if method == "post" else None
        response = getattr(client, method)(path, headers=headers, json=body)
        assert_error(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")

    assert counts(session) == before


def test_a_call_without_a_token_answers_401_even_with_a_body_that_is_not_json(client, session):
    response = client.post(f"{API}/rulebooks", data="state: TN", content_type="text/yaml")
    assert_error(response, 401)


def test_a_real_token_sent_with_the_basic_scheme_answers_401(client, world):
    token = world.ledger.token()
    response = client.get(f"{API}/educators/{world.educators['tn']}", headers={"Authorization": f"Basic {token}"})
    assert_error(response, 401)


def test_the_bearer_scheme_is_matched_without_regard_to_case(client, world):
    token = world.ledger.token()
    response = client.get(f"{API}/educators/{world.educators['tn']}", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


def test_a_revoked_token_answers_401(client, world):
    token = world.ledger.token()
    session = world.ledger.session
    session.execute(update(ApiToken).where(ApiToken.token_hash == hash_token(token))
                    .values(revoked_at=datetime.now(timezone.utc)))
    session.commit()
    response = client.get(f"{API}/educators/{world.educators['tn']}", headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 401)


def test_the_openapi_document_needs_no_token(client):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert f"{API}/educators/{{educator_id}}" in document["paths"]
