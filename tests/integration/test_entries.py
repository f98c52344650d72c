"""Recording and voiding through the API (CONTRACT.md sections 2 and 4, "Ledger")."""

import threading

import pytest
import sqlalchemy as sa

from ledger.models import AuditEvent, Entry, Holding, Void, db

MC = {"kind": "microcredential", "credential": "DP-FA-01", "earned_on": "2022-03-01"}


def post_entry(client, ledger, educator, body, **scope):
    return client.post(f"/api/v1/educators/{educator.id}/entries", json=body, headers=ledger.headers(**scope))


def count(model):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_recording_a_microcredential_answers_201_with_the_entry_and_an_audit_row(ledger, client):
    e = ledger.educator()
    r = post_entry(client, ledger, e, {**MC, "evidence_url": "https://example.org/ev/1"})
    assert r.status_code == 201
    body = r.json
    assert body["id"] > 0 and body["credential"] == "DP-FA-01" and body["earned_on"] == "2022-03-01"
    assert body["voided"] is False and body["tags"] == ["assessment"]
    audit = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "record_entry")).all()
    assert [(a.record_id, a.actor.startswith("token:")) for a in audit] == [(str(body["id"]), True)]


def test_recording_an_activity_keeps_its_hours_and_tags(ledger, client):
    e = ledger.educator()
    r = post_entry(client, ledger, e, {"kind": "activity", "title": "Summer literacy institute",
                                       "hours": "12.5", "earned_on": "2022-07-10", "tags": ["literacy"]})
    assert r.status_code == 201 and r.json["hours"] == 12.5 and r.json["tags"] == ["literacy"]


def test_recording_a_credential_already_held_is_a_conflict(ledger, client):
    e = ledger.educator()
    assert post_entry(client, ledger, e, MC).status_code == 201
    r = post_entry(client, ledger, e, {**MC, "earned_on": "2023-01-01"})
    assert r.status_code == 409 and "credential" in r.json["errors"]
    assert count(Entry) == 1


def test_another_educator_may_hold_the_same_credential(ledger, client):
    a, b = ledger.educator(), ledger.educator()
    assert post_entry(client, ledger, a, MC).status_code == 201
    assert post_entry(client, ledger, b, MC).status_code == 201


def test_the_same_external_id_with_the_same_content_returns_the_entry_already_recorded(ledger, client):
    e = ledger.educator()
    first = post_entry(client, ledger, e, {**MC, "external_id": "bb:assert:1"})
    again = post_entry(client, ledger, e, {**MC, "external_id": "bb:assert:1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"] and count(Entry) == 1


def test_the_same_external_id_with_different_content_is_a_conflict_never_merged(ledger, client):
    e = ledger.educator()
    post_entry(client, ledger, e, {**MC, "external_id": "bb:assert:2"})
    r = post_entry(client, ledger, e, {**MC, "earned_on": "2022-03-02", "external_id": "bb:assert:2"})
    assert r.status_code == 409 and "external_id" in r.json["errors"]
    other = ledger.educator()
    clash = post_entry(client, ledger, other, {**MC, "external_id": "bb:assert:2"})
    # another educator's entry may be outside the caller's scope: its id is not named
    assert clash.status_code == 409 and "entry_id" not in clash.json and "entry" not in clash.json["message"]
    assert count(Entry) == 1


def test_a_repeated_external_id_of_a_voided_entry_returns_the_voided_entry(ledger, client):
    e = ledger.educator()
    first = post_entry(client, ledger, e, {**MC, "external_id": "bb:assert:3"}).json
    client.post(f"/api/v1/entries/{first['id']}/void", json={"reason": "wrong teacher"}, headers=ledger.headers())
    again = post_entry(client, ledger, e, {**MC, "external_id": "bb:assert:3"})
    assert again.status_code == 200 and again.json["id"] == first["id"] and again.json["voided"] is True


def test_a_void_keeps_the_entry_with_its_reason_and_frees_the_credential(ledger, client):
    e = ledger.educator()
    entry = post_entry(client, ledger, e, MC).json
    r = client.post(f"/api/v1/entries/{entry['id']}/void", json={"reason": "recorded twice"}, headers=ledger.headers())
    assert r.status_code == 200 and r.json["voided"] is True and r.json["void"]["reason"] == "recorded twice"
    assert count(Entry) == 1 and count(Void) == 1 and count(Holding) == 0
    assert post_entry(client, ledger, e, {**MC, "earned_on": "2022-04-01"}).status_code == 201


def test_voiding_twice_is_a_conflict(ledger, client):
    e = ledger.educator()
    entry = post_entry(client, ledger, e, MC).json
    url = f"/api/v1/entries/{entry['id']}/void"
    assert client.post(url, json={"reason": "x"}, headers=ledger.headers()).status_code == 200
    assert client.post(url, json={"reason": "y"}, headers=ledger.headers()).status_code == 409
    assert count(Void) == 1


def test_a_voided_entry_counts_nowhere_at_any_as_of(ledger, client):
    e = ledger.educator()
    kept = post_entry(client, ledger, e, MC).json
    gone = post_entry(client, ledger, e, {**MC, "credential": "DP-FA-02"}).json
    client.post(f"/api/v1/entries/{gone['id']}/void", json={"reason": "not earned"}, headers=ledger.headers())
    for as_of in ("2022-03-01", "2023-01-01", "2026-01-01"):
        s = client.get(f"/api/v1/educators/{e.id}/standing?as_of={as_of}", headers=ledger.headers()).json
        assert [x["id"] for x in s["entries"]] == [kept["id"]]
        assert gone["id"] not in s["renewal"][0]["counted_entries"]


def test_the_list_of_entries_shows_voided_ones_as_voided(ledger, client):
    e = ledger.educator()
    entry = post_entry(client, ledger, e, MC).json
    client.post(f"/api/v1/entries/{entry['id']}/void", json={"reason": "typo"}, headers=ledger.headers())
    listed = client.get(f"/api/v1/educators/{e.id}/entries", headers=ledger.headers()).json
    assert [(x["id"], x["voided"]) for x in listed] == [(entry["id"], True)]


@pytest.mark.committed
@pytest.mark.parametrize("statement", [
    "UPDATE entries SET earned_on = '2020-01-01'",
    "DELETE FROM entries",
    "UPDATE voids SET reason = 'changed'",
    "DELETE FROM voids",
    "DELETE FROM audit_events",
])
def test_the_database_itself_refuses_to_change_or_delete_ledger_rows(ledger, client, statement):
    e = ledger.educator()
    entry = post_entry(client, ledger, e, MC).json
    client.post(f"/api/v1/entries/{entry['id']}/void", json={"reason": "x"}, headers=ledger.headers())
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert count(Entry) == 1 and count(Void) == 1


@pytest.mark.committed
def test_two_clerks_recording_the_same_credential_at_once_get_one_entry_and_one_409(ledger, app):
    url = f"/api/v1/educators/{ledger.educator().id}/entries"
    headers = ledger.headers()
    barrier = threading.Barrier(2)
    statuses = []

    def clerk():
        with app.test_client() as c:
            barrier.wait()
            statuses.append(c.post(url, json=MC, headers=headers).status_code)

    threads = [threading.Thread(target=clerk) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [201, 409]
    assert count(Entry) == 1


def test_the_holding_constraint_holds_in_the_database_even_without_the_service(ledger):
    e = ledger.educator()
    entry = ledger.record(e, "DP-FA-01")
    other = ledger.record(e, "DP-FA-02")
    with pytest.raises(sa.exc.IntegrityError):
        db.session.add(Holding(educator_id=e.id, credential_id=entry.credential_id, entry_id=other.id))
        db.session.flush()
    db.session.rollback()
