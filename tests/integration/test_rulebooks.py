"""Loading rulebooks and the catalog: versions, the CLI, the API (CONTRACT.md 1-4)."""

import json
from copy import deepcopy

import sqlalchemy as sa

from ledger.models import AuditEvent, Credential, District, RulebookVersion, db

from .. import samples


def versions(state):
    return db.session.scalars(
        sa.select(RulebookVersion.version).join(RulebookVersion.state).where(sa.text("states.code = :s")),
        {"s": state},
    ).all()


def test_loading_a_rulebook_again_makes_a_new_version_and_keeps_the_old(ledger, client):
    doc = deepcopy(samples.TN)
    doc["renewal"][0]["required_units"] = 70
    r = client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers())
    assert r.status_code == 201 and r.json["state"] == "TN" and r.json["version"] == 2
    assert sorted(versions("TN")) == [1, 2]
    newest = client.get("/api/v1/rulebooks/TN", headers=ledger.headers()).json
    assert newest["version"] == 2 and newest["rulebook"]["renewal"][0]["required_units"] == 70
    listed = client.get("/api/v1/rulebooks/TN/versions", headers=ledger.headers()).json
    assert [v["version"] for v in listed] == [2, 1] and all(v["loaded_by"] for v in listed)


def test_standing_reads_the_newest_version(ledger, client):
    e = ledger.educator()
    ledger.record(e, "DP-FA-02")
    doc = deepcopy(samples.TN)
    doc["exchange_rates"][1]["units"] = 7
    client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers())
    s = client.get(f"/api/v1/educators/{e.id}/standing?as_of=2023-01-01", headers=ledger.headers()).json
    assert s["rulebook_version"] == 2 and s["entries"][0]["units"] == 7


def test_the_cli_loads_a_yaml_rulebook(runner, ledger, tmp_path):
    path = tmp_path / "ma.yaml"
    path.write_text("state: MA\nname: Massachusetts\nunit: PDP\nunits_per_clock_hour: 1\n"
                    "renewal:\n  - {license: professional, required_units: 150}\n")
    result = runner.invoke(args=["ledger", "load-rulebook", str(path)])
    assert result.exit_code == 0, result.output
    assert "MA rulebook version 1" in result.output and versions("MA") == [1]


def test_an_invalid_rulebook_through_the_cli_exits_non_zero_names_the_field_and_changes_nothing(runner, ledger, tmp_path):
    doc = deepcopy(samples.TN)
    doc["exchange_rates"][2]["effective_from"] = "2019-13-01"
    path = tmp_path / "tn.json"
    path.write_text(json.dumps(doc))
    result = runner.invoke(args=["ledger", "load-rulebook", str(path)])
    assert result.exit_code != 0
    assert "exchange_rates[2].effective_from" in result.output
    assert versions("TN") == [1]


def test_a_rulebook_that_is_not_yaml_is_a_clear_error(runner, ledger, tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("state: [TN\n")
    result = runner.invoke(args=["ledger", "load-rulebook", str(path)])
    assert result.exit_code != 0 and "not valid YAML" in result.output


def test_districts_in_a_rulebook_are_created_and_their_codes_are_unique_across_states(ledger, client):
    assert db.session.scalar(sa.select(District.code)) == "JUAB"
    doc = deepcopy(samples.MA)
    doc["districts"] = [{"code": "JUAB", "name": "Not Juab"}]
    r = client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers())
    assert r.status_code == 422 and "districts[0].code" in r.json["errors"]
    assert versions("MA") == []


def test_the_catalog_upserts_by_code(ledger, client):
    body = {"credentials": [{"code": "DP-FA-01", "title": "Formative Assessment (revised)", "issuer": "DP",
                             "tags": ["assessment", "feedback"]},
                            {"code": "DP-NEW-01", "title": "New one", "issuer": "DP"}]}
    r = client.post("/api/v1/catalog", json=body, headers=ledger.headers())
    assert r.status_code == 200 and r.json == {"issuers": 0, "credentials_created": 1, "credentials_updated": 1}
    fa = db.session.scalar(sa.select(Credential).where(Credential.code == "DP-FA-01"))
    assert fa.title == "Formative Assessment (revised)" and fa.tags == ["assessment", "feedback"]
    codes = [c["code"] for c in client.get("/api/v1/catalog", headers=ledger.headers()).json]
    assert "DP-NEW-01" in codes


def test_the_cli_loads_a_catalog_and_every_load_is_audited(runner, ledger, tmp_path):
    path = tmp_path / "catalog.yaml"
    path.write_text("issuers:\n  - {code: KEDC, name: Kentucky Educational Development Corporation}\n"
                    "credentials:\n  - {code: KEDC-F-01, title: Foundations, issuer: KEDC, tags: [foundation]}\n")
    result = runner.invoke(args=["ledger", "load-catalog", str(path)])
    assert result.exit_code == 0, result.output
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("load_catalog") == 2 and actions.count("load_rulebook") == 2


def test_create_token_prints_the_token_alone_on_the_last_line_and_it_works(runner, ledger, client):
    result = runner.invoke(args=["ledger", "create-token", "--role", "state_office", "--state", "TN"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert " " not in token and len(token) >= 32
    r = client.get("/api/v1/rulebooks/TN", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200


def test_tokens_are_stored_hashed(runner, ledger):
    result = runner.invoke(args=["ledger", "create-token", "--role", "admin"])
    token = result.output.strip().splitlines()[-1]
    stored = db.session.execute(sa.text("SELECT token_hash FROM api_tokens")).scalars().all()
    assert token not in stored and all(len(h) == 64 for h in stored)


def test_create_token_refuses_a_scope_that_does_not_fit_the_role(runner, ledger):
    for args in (["--role", "state_office"], ["--role", "state_office", "--state", "ZZ"],
                 ["--role", "district_hr", "--district", "NOPE"], ["--role", "educator", "--educator", "999"],
                 ["--role", "admin", "--state", "TN"]):
        result = runner.invoke(args=["ledger", "create-token", *args])
        assert result.exit_code != 0, args
