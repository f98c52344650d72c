"""The audit's findings (../shared/research/security.md), each reproduced as the auditor
ran it: every one of these answered wrongly before its fix."""

from __future__ import annotations

import http.client
import io
import json
import threading
import uuid
from copy import deepcopy
from datetime import date

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder, run_wsgi_app

from ledger import clock
from ledger.models import Educator, Entry, RulebookVersion, State

from .. import samples
from ..conftest import csrf_token

SURROGATE = '"\\ud800 Tennessee"'  # YAML's escape: plain ASCII in the file, a lone surrogate once read


def versions(session, code="TN") -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(RulebookVersion).join(State)
                          .where(State.code == code))


def tn_yaml(cite: str) -> str:
    return (f"state: TN\nname: Tennessee\nunit: PDP\nunits_per_clock_hour: 1\ncite: {cite}\n"
            "renewal:\n  - {license: professional, required_units: 60, cite: TN}\n")


# -- F-01 and F-12: text no database can store, and numbers Python will not read, in a rulebook

@pytest.mark.parametrize("cite", [SURROGATE, '"nul \\0 inside"'], ids=["lone surrogate", "NUL"])
def test_a_rulebook_page_upload_with_unstorable_text_is_refused_naming_the_field(ledger, web_user, session, cite):
    client = web_user("state_office", state="TN")
    before = versions(session)
    r = client.post("/state/rulebooks", data={"csrf_token": csrf_token(client, "/state/rulebooks"),
                                              "file": (io.BytesIO(tn_yaml(cite).encode()), "tn.yaml")})
    assert r.status_code == 422
    assert "cite" in r.get_data(as_text=True)
    assert versions(session) == before
    e = ledger.educator("TN")
    assert web_user("state_office", state="TN").get(f"/educators/{e.id}").status_code == 200


@pytest.mark.parametrize("cite", [SURROGATE, '"nul \\0 inside"'], ids=["lone surrogate", "NUL"])
def test_load_rulebook_refuses_unstorable_text_naming_the_field(ledger, runner, session, tmp_path, cite):
    path = tmp_path / "tn.yaml"
    path.write_text(tn_yaml(cite))
    before = versions(session)
    r = runner.invoke(args=["ledger", "load-rulebook", str(path)])
    assert r.exit_code == 1 and "cite" in r.output and "Traceback" not in r.output
    assert versions(session) == before


def test_a_five_thousand_digit_number_in_a_rulebook_is_a_clear_error(ledger, web_user, runner, session, tmp_path):
    document = tn_yaml("TN").replace("units_per_clock_hour: 1", "units_per_clock_hour: " + "9" * 5000)
    client = web_user("state_office", state="TN")
    r = client.post("/state/rulebooks", data={"csrf_token": csrf_token(client, "/state/rulebooks"),
                                              "document": document})
    assert r.status_code == 422 and "not valid YAML or JSON" in r.get_data(as_text=True)
    path = tmp_path / "big.yaml"
    path.write_text(document)
    out = runner.invoke(args=["ledger", "load-rulebook", str(path)])
    assert out.exit_code == 1 and "not valid YAML or JSON" in out.output and "Traceback" not in out.output
    assert versions(session) == 1


# -- F-08: another state's rulebook is refused before it is read; rate checks are linear

def test_a_state_office_sending_another_states_huge_rulebook_is_refused_unread(ledger, client):
    doc = deepcopy(samples.UT)
    doc["exchange_rates"] = [{"units": 1, "effective_from": f"{2000 + i // 365}-01-01", "issuer": f"I{i}",
                              "cite": "x"} for i in range(22_000)]
    doc["renewal"].append(deepcopy(doc["renewal"][0]))  # invalid too: refused for its state before it is read
    r = client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers("state_office", state="TN"))
    assert r.status_code == 403


def test_rate_collisions_are_found_as_the_pairwise_rule_says():
    """The one-pass index finds exactly the pairs the pairwise definition finds."""
    from itertools import product

    from ledger.rulebooks.schema import _rate_collisions

    def same_match(a, b):
        if a["effective_from"] != b["effective_from"]:
            return False
        if a.get("credential") or b.get("credential"):
            return a.get("credential") == b.get("credential") and (
                not a.get("issuer") or not b.get("issuer") or a["issuer"] == b["issuer"])
        return a.get("issuer") == b.get("issuer")

    kinds = [dict(zip(("effective_from", "issuer", "credential"), v))
             for v in product(["2020-01-01", "2021-01-01"], [None, "DP", "BB"], [None, "X-1", "X-2"])]
    for n in range(len(kinds)):
        rates = kinds[n:] + kinds[:n] + kinds[::3]
        brute = [(i, next(j for j in range(i) if same_match(rates[i], rates[j])))
                 for i in range(len(rates)) if any(same_match(rates[i], rates[j]) for j in range(i))]
        assert list(_rate_collisions(rates)) == brute


# -- F-03: a chunked body over the limit is refused, not cut

def send_chunked(app, path: str, body: bytes, headers: dict) -> tuple[int, dict]:
    """POST `body` as a server hands a chunked request to the app: no Content-Length."""
    environ = EnvironBuilder(path=path, method="POST", data=body, headers=headers).get_environ()
    del environ["CONTENT_LENGTH"]
    environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    environ["wsgi.input_terminated"] = True
    answer, status, _ = run_wsgi_app(app, environ, buffered=True)
    return int(status.split()[0]), json.loads(b"".join(answer) or b"{}")


def csv_over(limit: int, license_number: str) -> bytes:
    head = f"license_number,state,earned_on,credential,external_id\n{license_number},TN,2023-03-01,DP-FA-01,cut-1\n"
    return (head + " " * limit + f"\n{license_number},TN,2023-03-01,DP-FA-02,cut-2\n").encode()


def test_a_chunked_body_over_the_limit_answers_413_and_records_nothing(app, ledger, session):
    app.config["MAX_CONTENT_LENGTH"] = 4096
    e = ledger.educator("TN")
    status, body = send_chunked(app, "/api/v1/imports?format=csv", csv_over(4096, e.license_number),
                                {**ledger.headers(), "Content-Type": "text/csv"})
    assert (status, body["code"]) == (413, 413)
    assert session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 0


def test_a_chunked_body_under_the_limit_is_read_whole(app, ledger):
    e = ledger.educator("TN")
    csv = (f"license_number,state,earned_on,credential\n{e.license_number},TN,2023-03-01,DP-FA-01\n"
           f"{e.license_number},TN,2023-03-01,DP-FA-02\n").encode()
    status, body = send_chunked(app, "/api/v1/imports?format=csv", csv,
                                {**ledger.headers(), "Content-Type": "text/csv"})
    assert (status, body["accepted"]) == (200, 2)


def test_a_chunked_verify_upload_over_the_limit_answers_413(app):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    status, _ = send_chunked(app, "/api/v1/verify/TN-2026-AAAA-BBBB-CCCC", b"%PDF" + b"x" * 2000,
                             {"Content-Type": "application/pdf"})
    assert status == 413


@pytest.mark.committed
def test_a_chunked_import_over_the_limit_through_a_real_server_answers_413(app, ledger, session):
    """The same through Werkzeug's HTTP server, which de-chunks the body as gunicorn does."""
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    e = ledger.educator("TN")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
        data = csv_over(64 * 1024, e.license_number)
        conn.request("POST", "/api/v1/imports?format=csv", body=(data[i:i + 8192] for i in range(0, len(data), 8192)),
                     headers={**ledger.headers(), "Content-Type": "text/csv"}, encode_chunked=True)
        answer = conn.getresponse()
        assert answer.status == 413, answer.read()[:300]
    finally:
        server.shutdown()
    assert session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 0


# -- F-07: a report of many bad rows is bounded, and counts them all

def test_an_import_of_many_bad_rows_lists_the_first_ten_thousand_and_counts_all(ledger, client):
    body = "license_number,state,earned_on,credential\n" + "NOSUCH,TN,2023-03-01,DP-FA-01\n" * 12_000
    r = client.post("/api/v1/imports?format=csv&dry_run=1", data=body,
                    headers={**ledger.headers(), "Content-Type": "text/csv"})
    assert r.status_code == 422
    assert (r.json["rejected"], len(r.json["errors"]), r.json["error_count"]) == (12_000, 10_000, 12_000)


# -- F-05, F-06: state offices and HR act only in their own state

def test_a_state_office_cannot_move_another_states_educator(ledger, client):
    ut = ledger.educator("UT", district="JUAB", licenses=[
        {"type": "professional", "cycle_start": date(2022, 7, 1), "cycle_end": date(2027, 6, 30)},
        {"type": "professional", "state": "TN", "cycle_start": date(2022, 7, 1), "cycle_end": date(2027, 6, 30)}])
    tn_office = ledger.headers("state_office", state="TN")
    assert client.get(f"/api/v1/educators/{ut.id}", headers=tn_office).status_code == 200  # licensed in TN
    r = client.post(f"/api/v1/educators/{ut.id}/employment", json={"district": None, "started_on": "2024-01-01"},
                    headers=tn_office)
    assert r.status_code == 403
    hr = ledger.headers("district_hr", district="JUAB")
    assert client.get(f"/api/v1/educators/{ut.id}", headers=hr).status_code == 200


@pytest.mark.parametrize("role,scope,home", [("state_office", {"state": "TN"}, "TN"),
                                             ("district_hr", {"district": "JUAB"}, "UT")])
def test_an_office_cannot_license_an_educator_in_another_state(ledger, client, session, role, scope, home):
    other = "UT" if home == "TN" else "TN"
    body = {"license_number": f"XS-{home}-1", "state": home, "first_name": "Xs", "last_name": "State",
            "licenses": [{"type": "professional", "state": other, "cycle_start": "2022-07-01",
                          "cycle_end": "2027-06-30"}]}
    r = client.post("/api/v1/educators", json=body, headers=ledger.headers(role, **scope))
    assert r.status_code == 403 and "licenses[0].state" in r.json["errors"]
    assert session.scalar(sa.select(Educator.id).where(Educator.license_number == f"XS-{home}-1")) is None
    body["licenses"][0]["state"] = home
    assert client.post("/api/v1/educators", json=body, headers=ledger.headers(role, **scope)).status_code == 201


# -- F-23: a move dated in the future

def test_a_move_dated_after_today_is_refused(ledger, client, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2026, 12, 1))
    e = ledger.educator("UT", district="JUAB", employed_since=date(2020, 1, 1))
    office = ledger.headers("state_office", state="UT")
    r = client.post(f"/api/v1/educators/{e.id}/employment", json={"district": None, "started_on": "2026-12-02"},
                    headers=office)
    assert r.status_code == 422 and "started_on" in r.json["errors"]
    r = client.post(f"/api/v1/educators/{e.id}/employment", json={"district": None, "started_on": "2026-12-01"},
                    headers=office)
    assert r.status_code == 200


# -- F-19: control and bidi characters in names and titles

@pytest.mark.parametrize("name", ["Ada\u202eecalovoL", "Ada\x1b[31m", "Ada\x85", "\ufeffAda", "Ada\u200b"])
def test_names_with_control_or_direction_characters_are_refused(ledger, client, name):
    body = {"license_number": "CTRL-1", "state": "TN", "first_name": name, "last_name": "Lovelace", "licenses": []}
    r = client.post("/api/v1/educators", json=body, headers=ledger.headers())
    assert r.status_code == 422 and "first_name" in r.json["errors"]


def test_an_activity_title_with_a_direction_override_is_refused(ledger, client):
    e = ledger.educator("TN")
    r = client.post(f"/api/v1/educators/{e.id}/entries", headers=ledger.headers(), json={
        "kind": "activity", "title": "Workshop \u202eLTR", "hours": 2, "earned_on": "2023-03-01"})
    assert r.status_code == 422 and "title" in r.json["errors"]


def test_a_catalog_title_with_control_characters_is_refused(ledger, client):
    r = client.post("/api/v1/catalog", headers=ledger.headers(), json={"credentials": [
        {"code": "X-1", "title": "Bad\x07title", "issuer": "DP"}]})
    assert r.status_code == 422 and "credentials[0].title" in r.json["errors"]


# -- F-15: headers

def test_pages_and_answers_carry_the_protective_headers(ledger, web_user):
    client = web_user("state_office", state="TN")
    page = client.get("/state")
    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cache-Control"] == "no-store"
    assert client.get("/login").headers.get("Cache-Control") != "no-store"  # public, no personal data


def test_api_answers_with_personal_data_are_not_stored(ledger, client):
    e = ledger.educator("UT", district="JUAB")
    hr = ledger.headers("district_hr", district="JUAB")
    for path in (f"/api/v1/educators/{e.id}", "/api/v1/districts/JUAB/export.json",
                 "/api/v1/districts/JUAB/export/educators.csv"):
        r = client.get(path, headers=hr)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store", path


# -- F-13: a page when the database is down

def test_a_page_answers_503_when_the_database_is_unreachable(ledger, web_user, monkeypatch):
    client = web_user("state_office", state="TN")
    from ledger.standing import pages

    def down(*_a, **_k):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(pages, "overview_figures", down)
    r = client.get("/state")
    assert r.status_code == 503 and "database" in r.get_data(as_text=True)


# -- F-16: no PUBLIC_URL, a Host header from outside

def test_without_public_url_a_transcript_is_not_sealed_with_the_requests_host(app, ledger, client, session):
    app.config["PUBLIC_URL"] = None
    e = ledger.educator("TN")
    office = ledger.headers("state_office", state="TN")
    r = client.post(f"/api/v1/educators/{e.id}/transcripts", json={"state": "TN"},
                    headers={**office, "Host": "evil.example"})
    assert r.status_code == 503 and "PUBLIC_URL" in r.json["message"]
    r = client.post(f"/api/v1/educators/{e.id}/transcripts", json={"state": "TN"},
                    headers={**office, "Host": "127.0.0.1:5000"})
    assert r.status_code == 201 and r.json["verify"].startswith("http://127.0.0.1:5000/verify/")


# -- F-21: staff e-mails in rulebook versions

def test_only_the_states_office_and_the_admin_see_who_loaded_a_rulebook(ledger, client):
    def loaded_by(**who):
        r = client.get("/api/v1/rulebooks/TN/versions", headers=ledger.headers(**who))
        return {v["loaded_by"] for v in r.json}

    assert loaded_by(role="admin") == {"test"}
    assert loaded_by(role="state_office", state="TN") == {"test"}
    assert loaded_by(role="state_office", state="UT") == {"the TN state office"}
    e = ledger.educator("UT")
    assert loaded_by(role="educator", educator=e.id) == {"the TN state office"}
    r = client.get("/api/v1/rulebooks/TN", headers=ledger.headers("educator", educator=e.id))
    assert r.json["loaded_by"] == "the TN state office" and json.dumps(r.json).count("test") == 0


# -- F-14: the sign-in limit stops guessing without locking out a school behind one address

def test_one_accounts_failed_sign_ins_do_not_lock_out_a_colleague_at_the_same_address(web_user, client, ledger):
    from ledger.access.users import create_user
    from ledger.models import db

    for email in ("guessed@example.org", "colleague@example.org"):
        create_user(db.session, "test", email, "correct-horse-battery", "admin")
    token = csrf_token(client, "/login")
    codes = [client.post("/login", data={"csrf_token": token, "email": "guessed@example.org",
                                         "password": "nope-nope-nope"}).status_code for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    r = client.post("/login", data={"csrf_token": token, "email": "colleague@example.org",
                                    "password": "correct-horse-battery"})
    assert r.status_code == 302


def test_successful_sign_ins_do_not_count_toward_the_limit(client, ledger):
    from ledger.access.users import create_user
    from ledger.models import db

    create_user(db.session, "test", "busy@example.org", "correct-horse-battery", "admin")
    for _ in range(12):
        r = client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "email": "busy@example.org",
                                        "password": "correct-horse-battery"})
        assert r.status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/state")})


# -- F-04 and F-20: the same activity, recorded at the same moment, is recorded once

def at_once(app, n: int, request) -> list:
    """What `request(client)` answers, called by n clerks at the same moment (threads
    released together, each with its own client)."""
    barrier, answers = threading.Barrier(n), []

    def clerk():
        with app.test_client() as c:
            barrier.wait()
            answers.append(request(c))

    threads = [threading.Thread(target=clerk) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


ACTIVITY = {"kind": "activity", "title": "Summer institute", "hours": 6, "tags": ["literacy"], "earned_on": "2023-06-01"}


@pytest.mark.committed
def test_twenty_identical_activity_posts_at_once_record_one_entry(app, ledger, session):
    e = ledger.educator("TN")
    url, headers = f"/api/v1/educators/{e.id}/entries", ledger.headers()
    statuses = at_once(app, 20, lambda c: c.post(url, json=ACTIVITY, headers=headers).status_code)
    assert sorted(statuses) == [200] * 19 + [201]
    assert session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 1


@pytest.mark.committed
def test_two_imports_of_the_same_activity_rows_at_once_record_them_once(app, ledger, session):
    e = ledger.educator("TN")
    rows = "".join(f"{e.license_number},TN,2023-05-{1 + i % 28:02d},,Par {i},1,\n" for i in range(300))
    body = "license_number,state,earned_on,credential,title,hours,tags\n" + rows
    headers = {**ledger.headers(), "Content-Type": "text/csv"}

    def post(c):
        r = c.post("/api/v1/imports?format=csv", data=body, headers=headers)
        return r.status_code, r.json["accepted"], r.json["duplicates"]

    answers = at_once(app, 2, post)
    assert sorted(answers) == [(200, 0, 300), (200, 300, 0)]
    assert session.scalar(sa.select(sa.func.count()).select_from(Entry)) == 300


def test_an_activity_recorded_again_returns_the_first_and_after_a_void_records_anew(ledger, client):
    e = ledger.educator("TN")
    url, headers = f"/api/v1/educators/{e.id}/entries", ledger.headers()
    first = client.post(url, json=ACTIVITY, headers=headers)
    again = client.post(url, json={**ACTIVITY, "tags": ["literacy", "literacy"]}, headers=headers)
    assert (first.status_code, again.status_code, again.json["id"]) == (201, 200, first.json["id"])
    other_day = client.post(url, json={**ACTIVITY, "earned_on": "2023-06-02"}, headers=headers)
    assert other_day.status_code == 201
    client.post(f"/api/v1/entries/{first.json['id']}/void", json={"reason": "wrong day"}, headers=headers)
    anew = client.post(url, json=ACTIVITY, headers=headers)
    assert anew.status_code == 201 and anew.json["id"] != first.json["id"]


# -- F-11: accounts an office can run

def test_a_revoked_or_expired_token_answers_401(ledger, client, runner, session):
    from datetime import timedelta

    from ledger.access.tokens import create_token
    from ledger.models import ApiToken, db, utcnow

    token = create_token(db.session, "test", "admin", label="payroll sync", owner="it@example.org",
                         expires_at=utcnow() + timedelta(days=30))
    db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/catalog", headers=auth).status_code == 200
    row = session.scalar(sa.select(ApiToken).where(ApiToken.label == "payroll sync"))
    listed = runner.invoke(args=["ledger", "list-tokens"])
    assert f"{row.id}\tadmin\teverything\tpayroll sync\tit@example.org" in listed.output
    assert runner.invoke(args=["ledger", "revoke-token", str(row.id)]).exit_code == 0
    assert client.get("/api/v1/catalog", headers=auth).status_code == 401
    again = runner.invoke(args=["ledger", "revoke-token", str(row.id)])
    assert again.exit_code == 1 and "already revoked" in again.output

    old = create_token(db.session, "test", "admin", expires_at=utcnow() + timedelta(seconds=1))
    db.session.execute(sa.update(ApiToken).where(ApiToken.label.is_(None)).values(
        expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert client.get("/api/v1/catalog", headers={"Authorization": f"Bearer {old}"}).status_code == 401


def test_create_token_from_the_command_line_expires_and_names_its_owner(ledger, runner, session):
    from ledger.models import ApiToken, utcnow

    r = runner.invoke(args=["ledger", "create-token", "--role", "state_office", "--state", "TN", "--label", "sis",
                            "--owner", "ops@tn.example", "--expires-in-days", "30"])
    assert r.exit_code == 0, r.output
    row = session.scalar(sa.select(ApiToken).where(ApiToken.label == "sis"))
    assert row.owner == "ops@tn.example" and 29 <= (row.expires_at - utcnow()).days <= 30


def test_an_admin_disables_a_user_from_the_page_and_their_session_ends(ledger, web_user, app):
    from ledger.models import User, db

    hr = web_user("district_hr", district="JUAB", email="clerk@example.org")
    assert hr.get("/district").status_code == 200
    target = db.session.scalar(sa.select(User).where(User.email == "clerk@example.org"))
    admin = app.test_client()
    from ledger.access.users import create_user

    create_user(db.session, "test", "boss@example.org", "correct-horse-battery", "admin")
    admin.post("/login", data={"csrf_token": csrf_token(admin, "/login"), "email": "boss@example.org",
                               "password": "correct-horse-battery"})
    page = f"/admin/users/{target.id}"
    r = admin.post(page, data={"csrf_token": csrf_token(admin, page), "action": "disable"})
    assert r.status_code == 302 and target.disabled_at is not None
    gone = hr.get("/district")
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    again = admin.post(page, data={"csrf_token": csrf_token(admin, page), "action": "disable"})
    assert again.status_code == 422 and "already disabled" in again.get_data(as_text=True)


def test_a_disabled_user_cannot_sign_in_and_an_enabled_one_can(ledger, client):
    from ledger.access.users import create_user, disable_user, enable_user
    from ledger.models import db

    user = create_user(db.session, "test", "gone@example.org", "correct-horse-battery", "admin")
    disable_user(db.session, "test", user)
    data = {"csrf_token": csrf_token(client, "/login"), "email": "gone@example.org", "password": "correct-horse-battery"}
    assert client.post("/login", data=data).status_code == 401
    enable_user(db.session, "test", user)
    assert client.post("/login", data=data).status_code == 302


def test_disabling_a_signed_in_user_ends_their_session_at_once(ledger, web_user):
    from ledger.access.users import disable_user
    from ledger.models import User, db

    hr = web_user("district_hr", district="JUAB", email="leaver@example.org")
    assert hr.get("/district").status_code == 200
    disable_user(db.session, "test", db.session.scalar(sa.select(User).where(User.email == "leaver@example.org")))
    r = hr.get("/district")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_an_admin_resets_a_password_and_changes_a_role_from_the_users_page(ledger, web_user, app):
    from ledger.access.users import create_user
    from ledger.models import db

    target = create_user(db.session, "test", "mover@example.org", "correct-horse-battery", "district_hr",
                         district="JUAB")
    admin = web_user("admin")
    page = f"/admin/users/{target.id}"
    short = admin.post(page, data={"csrf_token": csrf_token(admin, page), "action": "password", "password": "short"})
    assert short.status_code == 422 and "at least 12 characters" in short.get_data(as_text=True)
    assert admin.post(page, data={"csrf_token": csrf_token(admin, page), "action": "password",
                                  "password": "a-brand-new-password"}).status_code == 302
    bad = admin.post(page, data={"csrf_token": csrf_token(admin, page), "action": "role", "role": "state_office",
                                 "state": "ZZ"})
    assert bad.status_code == 422 and "ZZ" in bad.get_data(as_text=True)
    assert admin.post(page, data={"csrf_token": csrf_token(admin, page), "action": "role", "role": "state_office",
                                  "state": "UT"}).status_code == 302
    assert target.role == "state_office" and target.district_id is None and target.state_id is not None
    signed_in = app.test_client()
    r = signed_in.post("/login", data={"csrf_token": csrf_token(signed_in, "/login"), "email": "mover@example.org",
                                       "password": "a-brand-new-password"})
    assert r.status_code == 302 and signed_in.get("/state").status_code == 200


def test_an_admin_revokes_a_token_from_the_tokens_page(ledger, web_user, client):
    from ledger.access.tokens import create_token
    from ledger.models import ApiToken, db

    token = create_token(db.session, "test", "admin", label="old sync")
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.label == "old sync"))
    admin = web_user("admin")
    listing = admin.get("/admin/tokens").get_data(as_text=True)
    assert "old sync" in listing
    r = admin.post(f"/admin/tokens/{row.id}/revoke", data={"csrf_token": csrf_token(admin, "/admin/tokens")})
    assert r.status_code == 302
    assert client.get("/api/v1/catalog", headers={"Authorization": f"Bearer {token}"}).status_code == 401


# -- F-10 (part): TRUNCATE and rulebook versions

HISTORY = ("entries", "voids", "audit_events", "salary_runs", "salary_run_rows", "transcripts",
           "transcript_revocations", "rulebook_versions", "licenses", "chain_links", "employments")


@pytest.mark.parametrize("table", HISTORY)
def test_the_history_tables_refuse_truncate_even_from_their_owner(app, ledger, table):
    from ledger.models import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (DELETE is refused by the row triggers)")
    with pytest.raises(sa.exc.DBAPIError, match="append-only|history"):
        with db.session.begin_nested():
            db.session.execute(sa.text(f"TRUNCATE {table} CASCADE"))


@pytest.mark.parametrize("statement", ["UPDATE rulebook_versions SET loaded_by = 'forged'",
                                       "DELETE FROM rulebook_versions"])
def test_rulebook_versions_refuse_change(app, ledger, statement):
    from ledger.models import db

    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with db.session.begin_nested():
            db.session.execute(sa.text(statement))
    assert versions(db.session) == 1


# -- the OpenAPI document tells the truth

def test_an_import_whose_content_type_contradicts_its_format_answers_415(ledger, client):
    r = client.post("/api/v1/imports?format=openbadges", data="12", headers={**ledger.headers(),
                                                                              "Content-Type": "text/csv"})
    assert r.status_code == 415 and "Content-Type" in r.json["errors"]
    r = client.post("/api/v1/imports?format=csv", data="a,b", headers={**ledger.headers(),
                                                                        "Content-Type": "application/json"})
    assert r.status_code == 415


def test_a_verify_upload_without_a_body_is_refused(client):
    r = client.post("/api/v1/verify/TN-2026-AAAA-BBBB-CCCC", headers={"Content-Type": "application/pdf"})
    assert r.status_code == 400 and r.json["errors"] == {"_body": ["empty"]}


def test_the_document_states_the_constraints_and_statuses_the_server_enforces(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    entry = doc["components"]["schemas"]["ActivityEntryIn"]["properties"]
    assert entry["earned_on"]["pattern"].startswith("^(19") and entry["hours"]["multipleOf"] == 0.01
    assert entry["hours"]["exclusiveMinimum"] is True and entry["evidence_url"]["pattern"].startswith("^https?://")
    paths = doc["paths"]
    assert {"401", "403", "415"} <= set(paths["/api/v1/imports"]["post"]["responses"])
    assert {"401", "403", "404"} <= set(paths["/api/v1/districts/{code}/salary-runs"]["post"]["responses"])
    assert "200" in paths["/api/v1/districts/{code}/export.json"]["get"]["responses"]
    assert {"401", "404"} <= set(paths["/api/v1/educators/{educator_id}/employment"]["get"]["responses"])


# -- F-02: salary runs of one district, made at the same moment, post each credit once

@pytest.mark.committed
def test_six_salary_runs_at_once_post_the_new_credits_once(app, ledger, session):
    from ledger.models import SalaryRunRow

    people = [ledger.educator("UT", district="JUAB", n=f"pay{i}") for i in range(3)]
    hr = ledger.headers("district_hr", district="JUAB")
    with app.test_client() as c:
        assert c.post("/api/v1/districts/JUAB/salary-runs", json={"pay_date": "2027-01-01"}, headers=hr).status_code == 201
    for p in people:
        for code in ("DP-FA-01", "DP-FA-02", "DP-LIT-01", "DP-LIT-02"):
            ledger.record(p, code, date(2026, 3, 1))

    def run(c):
        r = c.post("/api/v1/districts/JUAB/salary-runs", json={"pay_date": "2027-02-01"}, headers=hr)
        return r.status_code, sum(row["credits_new"] for row in r.json["rows"])

    answers = at_once(app, 6, run)
    assert {status for status, _ in answers} == {201}
    earned = sum(credits for _, credits in answers)
    assert earned == sorted(credits for _, credits in answers)[-1] > 0  # one run posted them, the rest nothing
    posted = session.scalar(sa.select(sa.func.sum(SalaryRunRow.credits_new)))
    assert float(posted) == earned


# -- F-22: /me is the educators' page; other roles get 403

@pytest.mark.parametrize("role,scope", [("admin", {}), ("state_office", {"state": "TN"}),
                                        ("district_hr", {"district": "JUAB"})])
def test_me_answers_403_to_other_roles(ledger, web_user, role, scope):
    assert web_user(role, **scope).get("/me").status_code == 403


# -- F-09: a transcript too long to lay out while a request waits

def test_a_transcript_with_more_entries_than_a_request_prints_is_refused_clearly(app, ledger, client, runner,
                                                                                  web_user, tmp_path):
    app.config["TRANSCRIPT_MAX_ENTRIES"] = 5
    e = ledger.educator("TN", n="long1")
    for i in range(6):
        ledger.record(e, title=f"Workshop {i}", hours=1, earned_on=date(2023, 3, 1 + i))
    office = ledger.headers("state_office", state="TN")
    r = client.post(f"/api/v1/educators/{e.id}/transcripts", json={"state": "TN"}, headers=office)
    assert r.status_code == 422 and "6 entries" in r.json["message"] and "print-transcript" in r.json["message"]
    assert client.get(f"/api/v1/educators/{e.id}/transcript.pdf", headers=office).status_code == 422
    page = web_user("state_office", state="TN")
    issued = page.post(f"/educators/{e.id}/transcripts",
                       data={"csrf_token": csrf_token(page, f"/educators/{e.id}")}, follow_redirects=True)
    assert "6 entries" in issued.get_data(as_text=True)
    out = runner.invoke(args=["ledger", "print-transcript", str(e.id), "--state", "TN", "--out",
                              str(tmp_path / "t.pdf")])
    assert out.exit_code == 0, out.output
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")


# -- F-10 (part): a transcript changed behind the application's back no longer verifies

def _bypassing_triggers(db):
    """As the database superuser would: row triggers off (PostgreSQL), or dropped inside
    the test's transaction (SQLite; rolled back with it)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    else:
        db.session.execute(sa.text("DROP TRIGGER transcripts_no_update"))


def test_a_transcript_whose_pdf_digest_and_name_were_swapped_verifies_as_not_valid(ledger, client):
    from ledger.models import Transcript, db

    a, b = ledger.educator("TN", n="forge1"), ledger.educator("TN", n="forge2")
    office = ledger.headers("state_office", state="TN")
    first = client.post(f"/api/v1/educators/{a.id}/transcripts", json={"state": "TN"}, headers=office).json
    second = client.post(f"/api/v1/educators/{b.id}/transcripts", json={"state": "TN"}, headers=office).json
    assert client.get(f"/api/v1/verify/{first['serial']}").json["valid"] is True
    other = db.session.scalar(sa.select(Transcript).where(Transcript.serial == second["serial"]))
    _bypassing_triggers(db)
    db.session.execute(sa.update(Transcript).where(Transcript.serial == first["serial"]).values(
        pdf=other.pdf, sha256=other.sha256, name="Forged Name"))
    answer = client.get(f"/api/v1/verify/{first['serial']}").json
    assert (answer["valid"], answer["sealed"]) == (False, False)
    checked = client.post(f"/api/v1/verify/{first['serial']}", data=other.pdf,
                          headers={"Content-Type": "application/pdf"}).json
    assert checked["valid"] is False
    page = client.get(f"/verify/{first['serial']}").get_data(as_text=True)
    assert "Not valid" in page and "changed afterwards" in page
    assert client.get(f"/api/v1/verify/{second['serial']}").json["valid"] is True


# -- F-10 (part): the application's DML-only role cannot lift the guards

@pytest.mark.parametrize("statement,refusal", [
    ("ALTER TABLE entries DISABLE TRIGGER entries_append_only", "must be owner"),
    ("DROP TRIGGER voids_append_only ON voids", "must be owner"),
    ("TRUNCATE audit_events", "permission denied"),
    ("UPDATE rulebook_versions SET loaded_by = 'forged'", "permission denied"),
    ("DELETE FROM transcripts", "permission denied"),
    ("DELETE FROM employments", "permission denied"),
    ("UPDATE chain_links SET hash = 'x'", "permission denied"),
])
def test_the_app_role_cannot_disable_triggers_truncate_or_change_history(app, ledger, statement, refusal):
    from ledger.access.database import grant_app_role
    from ledger.models import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("database roles are PostgreSQL's; SQLite has none")
    role = f"ledger_app_{uuid.uuid4().hex[:8]}"  # made inside the test's transaction: rolled back with it
    grant_app_role(db.session, role)
    db.session.execute(sa.text(f"SET LOCAL ROLE {role}"))
    assert db.session.execute(sa.text("SELECT count(*) FROM entries")).scalar() >= 0  # it reads
    with pytest.raises(sa.exc.DBAPIError, match=refusal):
        with db.session.begin_nested():
            db.session.execute(sa.text(statement))


def test_the_application_does_its_whole_work_as_the_dml_only_role(app, ledger, client):
    from ledger.access.database import grant_app_role
    from ledger.models import db

    if db.engine.dialect.name != "postgresql":
        pytest.skip("database roles are PostgreSQL's; SQLite has none")
    role = f"ledger_app_{uuid.uuid4().hex[:8]}"
    grant_app_role(db.session, role)
    admin = ledger.headers()  # the token is made before the role change: only its use is tested
    db.session.execute(sa.text(f"SET LOCAL ROLE {role}"))
    e = client.post("/api/v1/educators", headers=admin, json={
        "license_number": "ROLE-1", "state": "UT", "district": "JUAB", "first_name": "Ro", "last_name": "Le",
        "employed_since": "2020-01-01", "licenses": [{"type": "professional", "cycle_start": "2022-07-01",
                                                      "cycle_end": "2027-06-30"}]}).json
    entry = client.post(f"/api/v1/educators/{e['id']}/entries", headers=admin, json={
        "kind": "microcredential", "credential": "DP-FA-01", "earned_on": "2023-01-01"}).json
    assert client.post(f"/api/v1/entries/{entry['id']}/void", headers=admin, json={"reason": "x"}).status_code == 200
    csv = "license_number,state,earned_on,title,hours\nROLE-1,UT,2023-02-01,Institute,3\n"
    r = client.post("/api/v1/imports?format=csv", data=csv, headers={**admin, "Content-Type": "text/csv"})
    assert (r.status_code, r.json["accepted"]) == (200, 1)
    assert client.post("/api/v1/districts/JUAB/salary-runs", headers=admin,
                       json={"pay_date": "2026-01-01"}).status_code == 201
    t = client.post(f"/api/v1/educators/{e['id']}/transcripts", headers=admin, json={"state": "UT"})
    assert t.status_code == 201
    assert client.post(f"/api/v1/transcripts/{t.json['serial']}/revoke", headers=admin,
                       json={"reason": "test"}).status_code == 200
