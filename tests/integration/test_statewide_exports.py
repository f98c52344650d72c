"""The state office's state-wide exports (issue 18 item 3), on both engines: every table
in both formats with its columns and values, voided entries marked, nothing of another
state, scope, bad input named by field, formula-safe CSV, the CLI writing the page's
bytes, and proof that the files are streamed (a generator response over server-side
cursors fetching `yield_per` rows at a time)."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest
from sqlalchemy import event, func, select

from ledger import clock
from ledger.entries.service import void_entry
from ledger.licenses.service import extend, renew
from ledger.models import AuditEvent, db
from ledger.statewide import exports
from tests.conftest import ACTOR

DAY = date(2025, 3, 10)
TABLES = exports.TABLES


def lic(start, end, type_="professional", state=None):
    return {"type": type_, "cycle_start": start, "cycle_end": end, **({"state": state} if state else {})}


@pytest.fixture
def state_data(ledger, monkeypatch):
    """Tennessee's educators (one renewed and extended, one voided entry, one formula-like
    external id), an educator at home in Utah licensed in Tennessee too, and Utah's own."""
    monkeypatch.setattr(clock, "today", lambda: DAY)
    t = {}
    t["ada"] = ledger.educator("TN", license_number="TN-100", first_name="Ada", last_name="Lovelace",
                               email="=cmd@example.org", licenses=[lic(date(2020, 7, 1), date(2025, 6, 30))])
    t["mc"] = ledger.record(t["ada"], "DP-FA-01", date(2024, 1, 5), external_id="=HYPERLINK(1)")
    t["activity"] = ledger.record(t["ada"], None, date(2024, 2, 1), title="Summer institute", hours=3)
    t["voided"] = ledger.record(t["ada"], "BB-CM-01", date(2024, 3, 1))
    void_entry(db.session, ACTOR, t["voided"].id, "recorded twice")
    t["bo"] = ledger.educator("TN", license_number="TN-200", last_name="Renewed",
                              licenses=[lic(date(2015, 7, 1), date(2020, 6, 30))])
    first = t["bo"].licenses[0].id
    renew(db.session, ACTOR, first, {"renewed_on": date(2020, 6, 1), "waive_reason": "military service",
                                     "next_cycle_end": date(2025, 6, 30)}, DAY)
    extend(db.session, ACTOR, first, {"cycle_end": date(2025, 12, 31), "reason": "medical leave"}, DAY)
    t["cy"] = ledger.educator("UT", license_number="UT-300", last_name="Twostates",
                              licenses=[lic(date(2021, 7, 1), date(2026, 6, 30)),
                                        lic(date(2021, 7, 1), date(2026, 6, 30), "practitioner", "TN")])
    ledger.record(t["cy"], None, date(2022, 1, 10), title="Reading course", hours=12)
    t["dee"] = ledger.educator("UT", license_number="UT-400", last_name="Utahonly",
                               licenses=[lic(date(2021, 7, 1), date(2026, 6, 30))])
    ledger.record(t["dee"], None, date(2022, 1, 10), title="Utah only workshop", hours=7)
    db.session.commit()
    return t


def read(body: str, fmt: str) -> list[dict]:
    if fmt == "csv":
        return list(csv.DictReader(io.StringIO(body)))
    return [json.loads(line) for line in body.splitlines()]


def office(web_user, state="TN"):
    return web_user("state_office", state=state)


# -- each table, both formats --------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_educators_file_holds_the_states_educators_and_no_other(state_data, web_user, fmt):
    r = office(web_user).get(f"/state/exports/educators.{fmt}")
    assert r.status_code == 200 and r.mimetype == exports.MIMETYPES[fmt]
    assert r.headers["Content-Disposition"] == f'attachment; filename="TN-educators.{fmt}"'
    rows = read(r.get_data(as_text=True), fmt)
    assert list(rows[0]) == ["educator_id", "state", "license_number", "first_name", "last_name", "email", "district"]
    assert {row["license_number"] for row in rows} == {"TN-100", "TN-200", "UT-300"}   # not UT-400
    ada = next(row for row in rows if row["license_number"] == "TN-100")
    expected_id = state_data["ada"].id if fmt == "jsonl" else str(state_data["ada"].id)
    assert (ada["educator_id"], ada["state"], ada["first_name"], ada["last_name"]) == (
        expected_id, "TN", "Ada", "Lovelace")
    assert ada["email"] == ("'=cmd@example.org" if fmt == "csv" else "=cmd@example.org")   # only CSV is escaped


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_licenses_file_has_a_row_per_cycle_with_its_renewal_and_extension(state_data, web_user, fmt):
    rows = read(office(web_user).get(f"/state/exports/licenses.{fmt}").get_data(as_text=True), fmt)
    assert list(rows[0]) == exports.LICENSE_COLUMNS
    assert {(row["license_number"], row["type"]) for row in rows} == {
        ("TN-100", "professional"), ("TN-200", "professional"), ("UT-300", "practitioner")}   # TN's licenses only
    first, second = [row for row in rows if row["license_number"] == "TN-200"]
    text = (lambda v: v) if fmt == "csv" else (lambda v: v if v is None else str(v))
    blank = "" if fmt == "csv" else None
    license_id = state_data["bo"].licenses[0].id
    assert [text(first[k]) for k in ("license_id", "cycle_number", "cycle_start", "cycle_end", "renewed_on",
                                     "renewal_status", "waive_reason", "extensions")] == [
        str(license_id), "1", "2015-07-01", "2020-06-30", "2020-06-01", "in_progress", "military service", "0"]
    assert first["renewed_by"] == "test"
    assert [text(second[k]) for k in ("license_id", "cycle_number", "cycle_start", "cycle_end",
                                      "original_cycle_end", "extensions", "extension_reason")] == [
        str(license_id), "2", "2020-07-01", "2025-12-31", "2025-06-30", "1", "medical leave"]
    assert second["renewed_on"] == blank and second["renewal_status"] == blank


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_entries_file_marks_voided_entries_and_leaves_other_states_out(state_data, web_user, fmt):
    rows = read(office(web_user).get(f"/state/exports/entries.{fmt}").get_data(as_text=True), fmt)
    assert list(rows[0]) == exports.ENTRY_COLUMNS
    assert exports.ENTRY_COLUMNS[:15] == ["entry_id", "educator_id", "license_number", "kind", "credential",
                                          "issuer", "title", "hours", "earned_on", "external_id", "evidence_url",
                                          "recorded_by", "recorded_at", "void_reason", "voided_at"]
    by_id = {int(row["entry_id"]): row for row in rows}
    assert "Utah only workshop" not in {row["title"] for row in rows}           # an educator of another state
    assert "Reading course" in {row["title"] for row in rows}                   # licensed here, at home in Utah
    voided = by_id[state_data["voided"].id]
    assert voided["void_reason"] == "recorded twice" and voided["voided_at"]
    mc = by_id[state_data["mc"].id]
    assert (mc["kind"], mc["credential"], mc["issuer"], mc["earned_on"], mc["void_reason"] or None) == (
        "microcredential", "DP-FA-01", "DP", "2024-01-05", None)
    assert mc["external_id"] == ("'=HYPERLINK(1)" if fmt == "csv" else "=HYPERLINK(1)")
    activity = by_id[state_data["activity"].id]
    assert (activity["title"], float(activity["hours"]), activity["measure"] or None) == ("Summer institute", 3, None)


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_standings_file_has_each_current_cycle_as_the_engine_judges_it(state_data, web_user, fmt):
    rows = read(office(web_user).get(f"/state/exports/standings.{fmt}").get_data(as_text=True), fmt)
    assert list(rows[0]) == exports.STANDING_COLUMNS
    assert {(row["license_number"], row["license"]) for row in rows} == {
        ("TN-100", "professional"), ("TN-200", "professional"), ("UT-300", "practitioner")}
    ada = next(row for row in rows if row["license_number"] == "TN-100")
    num = float if fmt == "jsonl" else (lambda v: float(v))
    # 10 units for DP-FA-01 earned in 2024 (TN-GENERAL-6 is 6; the FA-01 rate ended 2022) -> 6 + 3 hours = 9
    assert (num(ada["required_units"]), num(ada["earned_units"]), num(ada["remaining_units"])) == (60, 9, 51)
    assert (ada["status"], ada["cycle_start"], ada["cycle_end"], ada["as_of"]) == (
        "in_progress", "2020-07-01", "2025-06-30", DAY.isoformat())
    assert ada["behind_pace"] in (True, "true")
    bo = next(row for row in rows if row["license_number"] == "TN-200")
    assert (bo["cycle_start"], bo["cycle_end"], str(bo["cycle_number"])) == ("2020-07-01", "2025-12-31", "2")


def test_every_jsonl_line_is_a_json_object_and_csv_lines_end_in_crlf(state_data, web_user):
    client = office(web_user)
    for table in TABLES:
        body = client.get(f"/state/exports/{table}.jsonl").get_data(as_text=True)
        assert body.endswith("\n")
        assert all(isinstance(json.loads(line), dict) for line in body.split("\n")[:-1]), table
        csv_body = client.get(f"/state/exports/{table}.csv").get_data(as_text=True)
        assert csv_body.endswith("\r\n") and "\n" not in csv_body.replace("\r\n", ""), table


# -- the CLI ---------------------------------------------------------------------------

def test_the_cli_writes_the_bytes_the_page_serves(state_data, web_user, runner, tmp_path):
    client = office(web_user)
    result = runner.invoke(args=["ledger", "export-state", "--state", "tn", "--out", str(tmp_path),
                                 "--as-of", DAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"TN-{t}.{f}" for t in TABLES for f in ("csv", "jsonl"))
    for table in TABLES:
        for fmt in ("csv", "jsonl"):
            assert client.get(f"/state/exports/{table}.{fmt}").get_data() == (tmp_path / f"TN-{table}.{fmt}").read_bytes()


def test_the_cli_writes_one_table_in_one_format(state_data, runner, tmp_path):
    result = runner.invoke(args=["ledger", "export-state", "--state", "TN", "--table", "entries", "--format", "jsonl",
                                 "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["TN-entries.jsonl"]


@pytest.mark.parametrize("args, field", [
    (["--state", "ZZ"], "state"),
    (["--state", "TN", "--table", "secrets"], "--table"),
    (["--state", "TN", "--format", "xml"], "--format"),
])
def test_the_cli_names_bad_input_and_writes_nothing(ledger, runner, tmp_path, args, field):
    result = runner.invoke(args=["ledger", "export-state", *args, "--out", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert field in result.output
    assert not (tmp_path / "out").exists()


# -- scope and bad input on the page ---------------------------------------------------

@pytest.mark.parametrize("role, scope, status", [
    ("district_hr", {"district": "JUAB"}, 403),
    ("educator", None, 403),
    ("state_office", {"state": "UT"}, 200),
    ("admin", {}, 200),
])
def test_only_the_state_office_and_an_admin_download(state_data, web_user, role, scope, status):
    if role == "educator":
        scope = {"educator": state_data["ada"].id}
    client = web_user(role, **scope)
    assert client.get("/state/exports").status_code == status
    assert client.get("/state/exports/entries.csv?state=TN" if role == "admin" else
                      "/state/exports/entries.csv").status_code == status


def test_a_state_office_gets_its_own_state_and_another_is_not_found(state_data, web_user):
    ut = office(web_user, "UT")
    body = ut.get("/state/exports/educators.csv").get_data(as_text=True)
    assert "UT-400" in body and "TN-100" not in body and "TN-200" not in body
    assert ut.get("/state/exports/educators.csv?state=TN").status_code == 404
    assert ut.get("/state/exports/educators.csv?state=ut").status_code == 200


def test_an_admin_picks_the_state_and_an_unknown_one_is_named(state_data, web_user):
    admin = web_user("admin")
    assert "UT-400" in admin.get("/state/exports/educators.csv?state=UT").get_data(as_text=True)
    r = admin.get("/state/exports/educators.csv?state=ZZ")
    assert r.status_code == 422 and "ZZ" in r.get_data(as_text=True)
    r = admin.get("/state/exports/educators.csv")
    assert r.status_code == 422 and "state" in r.get_data(as_text=True)


@pytest.mark.parametrize("path, field", [("/state/exports/secrets.csv", "table"),
                                         ("/state/exports/entries.xml", "format")])
def test_an_unknown_table_or_format_is_named_and_changes_nothing(state_data, web_user, path, field):
    client = office(web_user)
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    r = client.get(path)
    assert r.status_code == 422 and f"{field}: no {field}" in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before


def test_the_overview_links_to_the_downloads_page(state_data, web_user):
    client = office(web_user)
    assert 'href="/state/exports"' in client.get("/state").get_data(as_text=True)
    page = client.get("/state/exports").get_data(as_text=True)
    for table in TABLES:
        for fmt in ("csv", "jsonl"):
            assert f'href="/state/exports/{table}.{fmt}"' in page


# -- streaming ---------------------------------------------------------------------------

def test_a_download_is_a_generator_response_read_through_server_side_cursors(state_data, web_user, monkeypatch):
    """The response is a generator, and the table's rows come `yield_per` at a time (a
    named, server-side cursor on PostgreSQL)."""
    monkeypatch.setattr(exports, "YIELD_PER", 2)
    seen = []

    def listen(conn, cursor, statement, parameters, context, executemany):
        if "FROM entries" in statement and "ORDER BY entries.educator_id" in statement:
            seen.append((context.execution_options.get("yield_per"), type(cursor).__name__))

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        r = office(web_user).get("/state/exports/entries.csv", buffered=False)
        assert r.is_streamed and not r.is_sequence             # a generator, read as it is sent
        body = b"".join(r.response).decode()
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert body.count("\r\n") == 1 + 4                          # the header, Ada's 3 entries and Cy's 1
    assert len(seen) == 1 and seen[0][0] == 2
    if db.engine.dialect.name == "postgresql":
        assert seen[0][1] == "ServerCursor"


def test_opening_an_export_reads_nothing_and_a_first_row_leaves_the_rest_on_the_server(state_data, monkeypatch):
    """open_export checks the request and runs no query; the first row read fetches one
    batch, and on PostgreSQL the cursor stays open on the server with the rest."""
    from ledger.access.principals import ADMIN, Principal
    from ledger.models import State

    monkeypatch.setattr(exports, "YIELD_PER", 2)
    statements = []

    def listen(conn, cursor, statement, *_):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        exports.open_export(db.session, Principal(role=ADMIN, actor="t"), "TN", "entries", "jsonl", DAY)
        assert not any("FROM entries" in s for s in statements)
        tn = db.session.scalar(select(State).where(State.code == "TN"))
        _, rows = exports.entries(db.session, tn, DAY)
        first = next(rows)
        if db.engine.dialect.name == "postgresql":
            open_cursors = db.session.connection().exec_driver_sql("SELECT count(*) FROM pg_cursors").scalar()
            assert open_cursors == 1
        assert first[0] and len([first, *rows]) == 4
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
