"""Salary runs, employment and a district's own data, on both engines (CONTRACT.md
section 4, "Salary runs"; section 5 for who may run them)."""

import csv
import io
from copy import deepcopy
from datetime import date

import pytest
import sqlalchemy as sa

from ledger.models import db
from tests import samples

MC = "microcredential"

# Juab: 0.5 credits a micro-credential, a lane at 1 credit; a 2-credential card with a 5%
# raise. A second Utah district to move to.
UT_PAY = deepcopy(samples.UT)
UT_PAY["districts"][0]["lanes"] = [{"name": "BA", "min_credits": 0}, {"name": "BA+1", "min_credits": 1},
                                   {"name": "MA", "min_credits": 40}]
UT_PAY["districts"][0]["pathways"] = [{"code": "JUAB-TL", "name": "Teacher Leader", "core": ["DP-FA-01", "DP-FA-02"],
                                       "effects": {"base_salary_pct": 5}}]
UT_PAY["districts"].append({"code": "ALPINE", "name": "Alpine School District", "salary_credits_per_mc": 1})


@pytest.fixture
def juab(ledger, client):
    r = client.post("/api/v1/rulebooks", json=UT_PAY, headers=ledger.headers())
    assert r.status_code == 201, r.json
    ada = ledger.educator(state="UT", district="JUAB", first_name="Ada", last_name="Lovelace",
                          employed_since=date(2019, 8, 1))
    bo = ledger.educator(state="UT", district="JUAB", first_name="=HYPERLINK(\"http://x\")", last_name="Bo")
    elsewhere = ledger.educator(state="UT", district="ALPINE")
    ledger.record(ada, "DP-LIT-01", date(2024, 1, 10))
    ledger.record(bo, "DP-LIT-02", date(2024, 2, 1))
    ledger.record(elsewhere, "DP-LIT-01", date(2024, 2, 1))
    return ada, bo, elsewhere


def run(client, ledger, pay_date, code="JUAB", **scope):
    headers = ledger.headers(**scope) if scope else ledger.headers("district_hr", district="JUAB")
    return client.post(f"/api/v1/districts/{code}/salary-runs", json={"pay_date": pay_date}, headers=headers)


def rows_of(r):
    return {row["educator_id"]: row for row in r.json["rows"]}


def test_a_run_covers_current_employees_with_credits_lane_and_raise(juab, ledger, client):
    ada, bo, elsewhere = juab
    ledger.record(ada, "DP-FA-01", date(2024, 3, 1))
    ledger.record(ada, "DP-FA-02", date(2024, 3, 2))      # completes the 5% card
    ledger.record(ada, "NEA-SE-01", date(2025, 1, 1))     # after the pay date: not counted
    r = run(client, ledger, "2024-12-01")
    assert r.status_code == 201, r.json
    assert r.json["district"] == "JUAB" and r.json["pay_date"] == "2024-12-01"
    rows = rows_of(r)
    assert set(rows) == {ada.id, bo.id}                   # not the Alpine teacher
    a = rows[ada.id]
    assert (a["license_number"], a["credits_total"], a["credits_new"], a["lane"], a["lane_changed"],
            a["base_salary_pct"], a["designations"]) == (ada.license_number, 1.5, 1.5, "BA+1", False, 5.0, ["JUAB-TL"])
    b = rows[bo.id]
    assert (b["credits_total"], b["credits_new"], b["lane"], b["base_salary_pct"]) == (0.5, 0.5, "BA", 0.0)


def test_running_again_for_the_same_pay_date_posts_nothing_new(juab, ledger, client):
    first = rows_of(run(client, ledger, "2024-12-01"))
    again = run(client, ledger, "2024-12-01")
    assert again.status_code == 201
    assert [(r["credits_total"], r["credits_new"], r["lane_changed"]) for r in rows_of(again).values()] == [
        (r["credits_total"], 0.0, False) for r in first.values()]


def test_a_lane_change_is_posted_by_the_run_that_first_sees_it_never_retroactively(juab, ledger, client):
    ada, _, _ = juab
    first = run(client, ledger, "2024-06-01").json
    ledger.record(ada, "DP-LIT-02", date(2024, 7, 1))     # 1.0 credit: lane BA+1
    second = run(client, ledger, "2024-08-01")
    a = rows_of(second)[ada.id]
    assert (a["credits_total"], a["credits_new"], a["lane"], a["lane_changed"]) == (1.0, 0.5, "BA+1", True)
    # the earlier run is kept as it was posted
    kept = client.get(f"/api/v1/salary-runs/{first['id']}", headers=ledger.headers("district_hr", district="JUAB"))
    assert kept.json == first
    third = rows_of(run(client, ledger, "2024-09-01"))[ada.id]
    assert (third["lane"], third["lane_changed"], third["credits_new"]) == ("BA+1", False, 0.0)
    back_dated = run(client, ledger, "2024-07-01")
    assert back_dated.status_code == 422 and "pay_date" in back_dated.json["errors"]


def test_credits_new_is_never_negative_after_a_void(juab, ledger, client):
    ada, _, _ = juab
    entry = ledger.record(ada, "DP-FA-01", date(2024, 3, 1))
    assert rows_of(run(client, ledger, "2024-06-01"))[ada.id]["credits_total"] == 1.0
    client.post(f"/api/v1/entries/{entry.id}/void", json={"reason": "wrong teacher"}, headers=ledger.headers())
    a = rows_of(run(client, ledger, "2024-07-01"))[ada.id]
    assert (a["credits_total"], a["credits_new"], a["lane"], a["lane_changed"]) == (0.5, 0.0, "BA", True)


def test_who_may_run_and_read_salary_runs(juab, ledger, client):
    assert run(client, ledger, "2024-12-01", role="district_hr", district="ALPINE").status_code == 404
    assert run(client, ledger, "2024-12-01", role="state_office", state="UT").status_code == 403
    assert run(client, ledger, "2024-12-01", role="state_office", state="TN").status_code == 404
    assert run(client, ledger, "2024-12-01", role="educator", educator=juab[0].id).status_code == 404
    assert run(client, ledger, "2024-12-01", code="NOPE").status_code == 404
    made = run(client, ledger, "2024-12-01", role="admin")
    assert made.status_code == 201 and made.json["run_by"]
    other = client.get(f"/api/v1/salary-runs/{made.json['id']}", headers=ledger.headers("district_hr", district="ALPINE"))
    assert other.status_code == 404
    assert client.get(f"/api/v1/salary-runs/{made.json['id']}",
                      headers=ledger.headers("state_office", state="UT")).status_code == 200


def test_the_payroll_csv_escapes_what_a_spreadsheet_would_run(juab, ledger, client):
    made = run(client, ledger, "2024-12-01").json
    r = client.get(f"/api/v1/salary-runs/{made['id']}.csv", headers=ledger.headers("district_hr", district="JUAB"))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(r.data.decode())))
    assert [t["license_number"] for t in table] == [x["license_number"] for x in made["rows"]]
    names = {t["name"] for t in table}
    assert "'=HYPERLINK(\"http://x\") Bo" in names and "Ada Lovelace" in names
    assert all(not t["name"].startswith(("=", "+", "-", "@")) for t in table)


@pytest.mark.committed
def test_salary_runs_are_append_only(juab, ledger, client):
    run(client, ledger, "2024-12-01")
    for statement in ("UPDATE salary_run_rows SET credits_new = 99", "DELETE FROM salary_runs"):
        with pytest.raises(sa.exc.DatabaseError):
            with db.engine.begin() as conn:
                conn.execute(sa.text(statement))


def test_a_move_keeps_the_ledger_and_changes_who_employs_the_educator(juab, ledger, client):
    ada, _, _ = juab
    hr_juab = ledger.headers("district_hr", district="JUAB")
    hr_alpine = ledger.headers("district_hr", district="ALPINE")
    assert client.get(f"/api/v1/educators/{ada.id}", headers=hr_alpine).status_code == 404
    refused = client.post(f"/api/v1/educators/{ada.id}/employment", json={"district": "ALPINE", "started_on": "2025-08-01"},
                          headers=hr_juab)
    assert refused.status_code == 403
    r = client.post(f"/api/v1/educators/{ada.id}/employment", json={"district": "ALPINE", "started_on": "2025-08-01"},
                    headers=ledger.headers("state_office", state="UT"))
    assert r.status_code == 200, r.json
    assert [(e["district"], e["ended_on"]) for e in r.json][-1] == ("ALPINE", None)
    assert r.json[0]["district"] == "JUAB" and r.json[0]["ended_on"] == "2025-07-31"
    assert client.get(f"/api/v1/educators/{ada.id}", headers=hr_juab).status_code == 404
    assert client.get(f"/api/v1/educators/{ada.id}/entries", headers=hr_alpine).json[0]["credential"] == "DP-LIT-01"
    assert ada.id not in rows_of(run(client, ledger, "2025-09-01"))
    alpine = rows_of(run(client, ledger, "2025-09-01", code="ALPINE", role="district_hr", district="ALPINE"))
    assert alpine[ada.id]["credits_total"] == 1.0     # Alpine: 1 credit a micro-credential
    bad = client.post(f"/api/v1/educators/{ada.id}/employment", json={"district": "JUAB", "started_on": "2025-01-01"},
                      headers=ledger.headers())
    assert bad.status_code == 422 and "started_on" in bad.json["errors"]
    wrong_state = client.post(f"/api/v1/educators/{ada.id}/employment",
                              json={"district": "NOPE", "started_on": "2026-01-01"}, headers=ledger.headers())
    assert wrong_state.status_code == 422 and "district" in wrong_state.json["errors"]


def test_a_district_exports_its_own_data(juab, ledger, client):
    ada, bo, elsewhere = juab
    hr = ledger.headers("district_hr", district="JUAB")
    educators = client.get("/api/v1/districts/JUAB/export/educators.csv", headers=hr)
    assert educators.status_code == 200
    table = list(csv.DictReader(io.StringIO(educators.data.decode())))
    assert {int(t["educator_id"]) for t in table} == {ada.id, bo.id}
    assert any(t["first_name"].startswith("'=") for t in table)
    entries = list(csv.DictReader(io.StringIO(
        client.get("/api/v1/districts/JUAB/export/entries.csv", headers=hr).data.decode())))
    assert sorted(t["credential"] for t in entries) == ["DP-LIT-01", "DP-LIT-02"]
    standing = client.get("/api/v1/districts/JUAB/export/standing.csv?as_of=2024-12-01", headers=hr)
    assert "JUAB-TL in_progress" in standing.data.decode()
    whole = client.get("/api/v1/districts/JUAB/export.json?as_of=2024-12-01", headers=hr).get_json()
    assert whole["district"]["code"] == "JUAB" and len(whole["educators"]) == 2 and len(whole["entries"]) == 2
    assert {s["educator_id"] for s in whole["standing"]} == {ada.id, bo.id}
    assert client.get("/api/v1/districts/ALPINE/export.json", headers=hr).status_code == 404
    assert client.get("/api/v1/districts/JUAB/export/secrets.csv", headers=hr).status_code == 404


def test_the_cli_runs_salary_and_exports(juab, runner, tmp_path):
    out = tmp_path / "run.csv"
    r = runner.invoke(args=["ledger", "salary-run", "--district", "JUAB", "--pay-date", "2024-12-01", "--csv", str(out)])
    assert r.exit_code == 0, r.output
    assert "2 employees" in r.output and out.read_text().startswith("educator_id,license_number")
    r = runner.invoke(args=["ledger", "export", "--district", "JUAB", "--out", str(tmp_path / "x")])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == [
        "JUAB-educators.csv", "JUAB-entries.csv", "JUAB-export.json", "JUAB-standing.csv"]
    bad = runner.invoke(args=["ledger", "salary-run", "--district", "NOPE", "--pay-date", "2024-12-01"])
    assert bad.exit_code == 1 and "not found" in bad.output
