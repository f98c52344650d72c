"""Signing in and the educator page, through the web forms, on both engines (CONTRACT.md:
a form at /login with email, password and a CSRF token; scope as the API's)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from ledger.models import Entry, Transcript, User, UserSession, db
from tests.conftest import csrf_token

PASSWORD = "correct-horse-battery"


@pytest.fixture
def teacher(ledger):
    e = ledger.educator("UT", district="JUAB", first_name="Lindsey", last_name="Ostler", licenses=[
        {"type": "professional", "cycle_start": date(2022, 7, 1), "cycle_end": date(2027, 6, 30)}])
    ledger.record(e, "DP-FA-01", date(2023, 1, 10))
    ledger.record(e, title="Summer institute", hours=6, earned_on=date(2024, 6, 1))
    ledger.session.commit()
    return e


def sign_in(client, email, password=PASSWORD):
    return client.post("/login", data={"csrf_token": csrf_token(client, "/login"), "email": email, "password": password})


def make_user(role, email, **scope):
    from ledger.access.users import create_user

    create_user(db.session, "test", email, PASSWORD, role, **scope)
    db.session.commit()


def test_each_role_signs_in_and_lands_on_its_own_page(client, ledger, teacher):
    make_user("educator", "t@example.org", educator=teacher.id)
    make_user("district_hr", "hr@example.org", district="JUAB")
    make_user("state_office", "so@example.org", state="UT")
    make_user("admin", "admin@example.org")
    for email, home in [("t@example.org", "/me"), ("hr@example.org", "/district"),
                        ("so@example.org", "/state"), ("admin@example.org", "/state")]:
        r = sign_in(client, email)
        assert r.status_code == 302 and r.headers["Location"] == home, (email, r.headers.get("Location"))
        page = client.get(home, follow_redirects=True)
        assert page.status_code == 200 and email in page.get_data(as_text=True)
        client.post("/logout", data={"csrf_token": csrf_token(client, home)})
        client.delete_cookie("ledger_session")


def test_a_wrong_password_or_unknown_email_says_the_same_and_signs_nobody_in(client, ledger):
    make_user("admin", "admin@example.org")
    for email, password in [("admin@example.org", "wrong-password-123"), ("nobody@example.org", PASSWORD),
                            ("", ""), ("admin@example.org", "x" * 5000)]:
        r = sign_in(client, email, password)
        assert r.status_code == 401
        assert "That e-mail and password do not match an account." in r.get_data(as_text=True)
    assert client.get("/state").status_code == 302  # still signed out: sent to /login
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)) == 0


def test_the_form_needs_its_csrf_token_and_get_changes_nothing(client, ledger):
    make_user("admin", "admin@example.org")
    r = client.post("/login", data={"email": "admin@example.org", "password": PASSWORD})
    assert r.status_code == 400 and "<html" in r.get_data(as_text=True)
    assert sign_in(client, "admin@example.org").status_code == 302
    assert client.get("/logout").status_code == 405  # signing out is a POST
    assert client.get("/state").status_code == 200


def test_a_sign_in_makes_a_new_session_and_sign_out_ends_it_for_good(client, ledger):
    make_user("admin", "admin@example.org")
    client.get("/login")
    before = client.get_cookie("ledger_session")
    sign_in(client, "admin@example.org")
    cookie = client.get_cookie("ledger_session").value
    assert before is None or before.value != cookie
    row = db.session.scalars(sa.select(UserSession)).one()
    assert row.ended_at is None and row.user.email == "admin@example.org"
    r = client.post("/logout", data={"csrf_token": csrf_token(client, "/state")})
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    db.session.expire_all()
    assert db.session.get(UserSession, row.id).ended_at is not None
    client.set_cookie("ledger_session", cookie)  # a copy of the old cookie is worth nothing
    r = client.get("/state")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


@pytest.mark.parametrize("field, age", [("last_seen_at", timedelta(minutes=31)), ("created_at", timedelta(hours=12, minutes=1))])
def test_idle_and_absolute_timeouts_end_a_session(client, ledger, field, age):
    make_user("admin", "admin@example.org")
    sign_in(client, "admin@example.org")
    assert client.get("/state").status_code == 200
    old = datetime.now(timezone.utc) - age
    db.session.execute(sa.update(UserSession).values({field: old}))
    db.session.commit()
    r = client.get("/state")
    assert r.status_code == 302 and r.headers["Location"].startswith("/login")


def test_a_session_just_inside_its_idle_limit_goes_on(client, ledger):
    make_user("admin", "admin@example.org")
    sign_in(client, "admin@example.org")
    db.session.execute(sa.update(UserSession).values(last_seen_at=datetime.now(timezone.utc) - timedelta(minutes=29)))
    db.session.commit()
    assert client.get("/state").status_code == 200
    db.session.expire_all()
    row = db.session.scalars(sa.select(UserSession)).one()
    assert datetime.now(timezone.utc) - row.last_seen_at < timedelta(minutes=1)  # touched: the clock restarts


def test_sign_in_attempts_are_rate_limited(client, ledger):
    make_user("admin", "admin@example.org")
    token = csrf_token(client, "/login")
    codes = [client.post("/login", data={"csrf_token": token, "email": "admin@example.org", "password": "nope-nope-nope"}).status_code
             for _ in range(11)]
    assert codes[:10] == [401] * 10 and codes[10] == 429
    r = client.post("/login", data={"csrf_token": token, "email": "admin@example.org", "password": PASSWORD})
    assert r.status_code == 429 and "Too many attempts" in r.get_data(as_text=True)


def test_cookies_are_httponly_samesite_and_secure_in_production(app, client, ledger):
    import re

    make_user("admin", "admin@example.org")
    app.config["SESSION_COOKIE_SECURE"] = True
    page = client.get("/login", base_url="https://localhost").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = client.post("/login", base_url="https://localhost", headers={"Referer": "https://localhost/login"},
                    data={"csrf_token": token, "email": "admin@example.org", "password": PASSWORD})
    assert r.status_code == 302
    cookie = next(v for k, v in r.headers.items() if k == "Set-Cookie" and v.startswith("ledger_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


@pytest.mark.parametrize("target, lands", [("/educators/1", "/educators/1"), ("https://evil.example/x", "/state"),
                                           ("//evil.example", "/state")])
def test_after_sign_in_only_a_page_of_this_site_is_followed(client, ledger, target, lands):
    make_user("admin", "admin@example.org")
    r = client.post(f"/login?next={target}", data={"csrf_token": csrf_token(client, "/login"),
                                                    "email": "admin@example.org", "password": PASSWORD})
    assert r.headers["Location"] == lands


def test_passwords_are_stored_with_a_slow_kdf(ledger):
    make_user("admin", "admin@example.org")
    stored = db.session.scalar(sa.select(User.password_hash).where(User.email == "admin@example.org"))
    assert stored.startswith("scrypt:") and PASSWORD not in stored


def test_the_teacher_sees_renewal_pathways_and_every_entry_with_its_rule(web_user, teacher):
    client = web_user("educator", educator=teacher.id)
    page = client.get("/me", follow_redirects=True).get_data(as_text=True)
    assert "Hello, Lindsey" in page
    assert "13.5" in page and "of 100 hours" in page          # 7.5 for the MC + 6 for the activity
    assert "Due <strong>30 June 2027</strong>" in page
    assert "hours a month</strong> to finish on time" in page
    assert "DP-FA-01" in page and "Summer institute" in page
    assert "R277-302: 0.5 USBE credit = 7.5 hours" in page   # the rule behind the units
    assert "Download unofficial transcript" in page
    assert "Record micro-credential" not in page and "Void entry" not in page  # read only
    what_if = client.get(f"/educators/{teacher.id}?state=TN").get_data(as_text=True)
    assert "valued under TN rules" in what_if and "PDP" in what_if
    unknown = client.get(f"/educators/{teacher.id}?state=ZZ", follow_redirects=True).get_data(as_text=True)
    assert "No rulebook is loaded for &#39;ZZ&#39;" in unknown
    pdf = client.get(f"/educators/{teacher.id}/transcript.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transcript)) == 0


def test_behind_pace_is_exact_to_the_day(app, web_user, ledger, monkeypatch):
    from ledger import clock

    e = ledger.educator("UT", district="JUAB", licenses=[
        {"type": "professional", "cycle_start": date(2024, 1, 1), "cycle_end": date(2024, 12, 31)}])  # 365 days
    for i, code in enumerate(["DP-FA-01", "DP-FA-02", "DP-LIT-01", "DP-LIT-02"]):
        ledger.record(e, code, date(2024, 1, 2 + i))        # 4 x 7.5 = 30 hours of 100
    ledger.session.commit()
    client = web_user("educator", educator=e.id)
    # 30 / 100 is on pace while at most 30% of the cycle has gone by: 109.5 of 365 days
    monkeypatch.setattr(clock, "today", lambda: date(2024, 4, 19))   # day 109: 29.9%
    assert "On pace" in client.get(f"/educators/{e.id}").get_data(as_text=True)
    monkeypatch.setattr(clock, "today", lambda: date(2024, 4, 20))   # day 110: 30.1%
    assert "Behind pace" in client.get(f"/educators/{e.id}").get_data(as_text=True)


def test_hr_records_and_voids_through_the_forms(web_user, teacher, ledger):
    client = web_user("district_hr", district="JUAB")
    path = f"/educators/{teacher.id}"
    r = client.post(f"{path}/entries", data={"csrf_token": csrf_token(client, path), "kind": "microcredential",
                                             "credential": "DP-LIT-01", "earned_on": "2024-02-29"})
    assert r.status_code == 302
    page = client.get(path).get_data(as_text=True)
    assert "Recorded DP-LIT-01, earned 2024-02-29." in page and "21" in page  # 13.5 + 7.5 hours
    bad = client.post(f"{path}/entries", data={"csrf_token": csrf_token(client, path), "kind": "microcredential",
                                               "credential": "NO-SUCH-01", "earned_on": "2024-03-01"})
    assert bad.status_code == 422 and "NO-SUCH-01" in bad.get_data(as_text=True)
    future = client.post(f"{path}/entries", data={"csrf_token": csrf_token(client, path), "kind": "activity",
                                                  "title": "Later", "hours": "2", "earned_on": "2999-01-01"})
    assert future.status_code == 422 and "earned_on" in future.get_data(as_text=True) or "must be" in future.get_data(as_text=True)
    entry = db.session.scalar(sa.select(Entry).where(Entry.educator_id == teacher.id, Entry.title == "Summer institute"))
    no_reason = client.post(f"/entries/{entry.id}/void", data={"csrf_token": csrf_token(client, path), "reason": " "})
    assert no_reason.status_code == 422
    r = client.post(f"/entries/{entry.id}/void", data={"csrf_token": csrf_token(client, path), "reason": "recorded twice"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).void.reason == "recorded twice"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry).where(Entry.educator_id == teacher.id)) == 3


def test_pages_keep_the_apis_scope(client, web_user, teacher, ledger):
    other = ledger.educator("TN")
    ledger.session.commit()
    me = web_user("educator", educator=teacher.id)
    assert me.get(f"/educators/{other.id}").status_code == 404
    assert me.get(f"/educators/{other.id}/transcript.pdf").status_code == 404
    assert me.get("/district").status_code == 403 and me.get("/state").status_code == 403
    assert me.get("/admin/users").status_code == 403
    r = me.post(f"/educators/{teacher.id}/entries", data={"csrf_token": csrf_token(me, "/me"), "kind": "microcredential",
                                                          "credential": "DP-LIT-01", "earned_on": "2024-01-01"})
    assert r.status_code == 403
    r = me.post(f"/educators/{teacher.id}/transcripts", data={"csrf_token": csrf_token(me, "/me")})
    assert r.status_code == 403
    page = me.get("/educators/999999")
    assert page.status_code == 404 and "Not found" in page.get_data(as_text=True)


def test_hr_sees_its_employees_only_and_may_not_issue(client, web_user, teacher, ledger):
    outsider = ledger.educator("UT")
    ledger.session.commit()
    hr = web_user("district_hr", district="JUAB")
    assert hr.get(f"/educators/{teacher.id}").status_code == 200
    assert hr.get(f"/educators/{outsider.id}").status_code == 404
    r = hr.post(f"/educators/{teacher.id}/transcripts", data={"csrf_token": csrf_token(hr, f"/educators/{teacher.id}")})
    assert r.status_code == 403
    assert hr.get("/state").status_code == 403


def test_the_state_office_issues_and_revokes_from_the_educator_page(client, web_user, teacher, ledger):
    office = web_user("state_office", state="UT")
    path = f"/educators/{teacher.id}"
    r = office.post(f"{path}/transcripts", data={"csrf_token": csrf_token(office, path), "state": "UT"})
    assert r.status_code == 302
    row = db.session.scalars(sa.select(Transcript)).one()
    page = office.get(path).get_data(as_text=True)
    assert f"Issued official transcript {row.serial}." in page
    pdf = office.get(f"/transcripts/{row.serial}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    r = office.post(f"/transcripts/{row.serial}/revoke", data={"csrf_token": csrf_token(office, path), "reason": "typo"})
    assert r.status_code == 302
    assert client.get(f"/api/v1/verify/{row.serial}").json["revoked"] is True


def test_signed_out_visitors_are_sent_to_sign_in(client, teacher):
    r = client.get(f"/educators/{teacher.id}")
    assert r.status_code == 302 and r.headers["Location"].startswith(f"/login?next=%2Feducators%2F{teacher.id}")


def test_an_admin_makes_accounts_with_a_role_and_scope(client, web_user, ledger):
    admin = web_user("admin")
    token = csrf_token(admin, "/admin/users")
    short = admin.post("/admin/users", data={"csrf_token": token, "email": "new@example.org", "password": "short",
                                             "role": "district_hr", "district": "JUAB"})
    assert short.status_code == 422 and "at least 12 characters" in short.get_data(as_text=True)
    noscope = admin.post("/admin/users", data={"csrf_token": token, "email": "new@example.org",
                                               "password": "long-enough-password", "role": "district_hr"})
    assert noscope.status_code == 422 and "required for role district_hr" in noscope.get_data(as_text=True)
    ok = admin.post("/admin/users", data={"csrf_token": token, "email": "New@Example.org",
                                          "password": "long-enough-password", "role": "district_hr", "district": "JUAB"})
    assert ok.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "new@example.org"))
    assert user.role == "district_hr" and user.district_id is not None
    fresh = client.application.test_client()
    assert sign_in(fresh, "new@example.org", "long-enough-password").headers["Location"] == "/district"


@pytest.mark.parametrize("fields, status", [
    ({"kind": "activity", "title": "Nul\x00byte", "hours": "2", "earned_on": "2024-01-01"}, 422),
    ({"kind": "activity", "title": "Hours", "hours": "abc", "earned_on": "2024-01-01"}, 422),
    ({"kind": "activity", "title": "Hours", "hours": "1e400", "earned_on": "2024-01-01"}, 422),
    ({"kind": "activity", "title": "x" * 301, "hours": "2", "earned_on": "2024-01-01"}, 422),
    ({"kind": "microcredential", "credential": "DP-LIT-01", "earned_on": "2024-02-30"}, 422),
    ({"kind": "microcredential", "credential": "DP-LIT-01", "earned_on": "2024-01-01",
      "evidence_url": "javascript:alert(1)"}, 422),
    ({"kind": "nonsense"}, 422),
    ({"kind": "microcredential", "credential": "DP-FA-01", "earned_on": "2024-01-01"}, 422),  # already held
])
def test_bad_form_input_is_named_and_changes_nothing(web_user, teacher, fields, status):
    client = web_user("district_hr", district="JUAB")
    path = f"/educators/{teacher.id}"
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Entry))
    r = client.post(f"{path}/entries", data={"csrf_token": csrf_token(client, path), **fields})
    assert r.status_code == status, r.get_data(as_text=True)[:300]
    assert "Traceback" not in r.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Entry)) == before


@pytest.mark.parametrize("target", ["/a\r\nSet-Cookie: z=1", "/a\nb", "/\\evil.example", "/a\tb"])
def test_redirect_targets_with_control_characters_are_ignored(client, web_user, teacher, ledger, target):
    make_user("admin", "admin@example.org")
    r = client.post("/login?next=" + target.replace("\r", "%0D").replace("\n", "%0A").replace("\t", "%09"),
                    data={"csrf_token": csrf_token(client, "/login"), "email": "admin@example.org", "password": PASSWORD})
    assert r.status_code == 302 and r.headers["Location"] == "/state"
    office = web_user("state_office", state="UT")
    path = f"/educators/{teacher.id}"
    office.post(f"{path}/transcripts", data={"csrf_token": csrf_token(office, path), "state": "UT"})
    serial = db.session.scalars(sa.select(Transcript.serial)).first()
    r = office.post(f"/transcripts/{serial}/revoke", data={"csrf_token": csrf_token(office, path), "reason": "x",
                                                           "back": target})
    assert r.status_code == 302 and r.headers["Location"].endswith("#transcripts")


@pytest.mark.parametrize("educator", ["²", "99999999999999999999999", "-1", "0"])
def test_an_odd_educator_id_on_the_users_form_is_named(web_user, ledger, educator):
    admin = web_user("admin")
    r = admin.post("/admin/users", data={"csrf_token": csrf_token(admin, "/admin/users"), "email": "e@example.org",
                                         "password": "long-enough-password", "role": "educator", "educator": educator})
    assert r.status_code == 422 and "an educator id" in r.get_data(as_text=True)


@pytest.mark.parametrize("text", ["a: &a [*a]", "\n".join(
    ["a: &a [x, x, x, x, x, x, x, x, x, x]"] + [f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]"
                                               for p, c in zip("abcdefgh", "bcdefghi")])])
def test_yaml_aliases_are_refused_not_expanded(web_user, ledger, text):
    office = web_user("state_office", state="TN")
    r = office.post("/state/rulebooks", data={"csrf_token": csrf_token(office, "/state/rulebooks"), "document": text})
    assert r.status_code == 422 and "aliases" in r.get_data(as_text=True)


def test_every_page_judges_the_current_cycle_alike(web_user, ledger, monkeypatch):
    """An old cycle that lapsed is history; a cycle that has not begun is not yet due."""
    from ledger import clock

    e = ledger.educator("UT", district="JUAB", licenses=[
        {"type": "professional", "cycle_start": date(2016, 7, 1), "cycle_end": date(2021, 6, 30)},   # lapsed
        {"type": "professional", "cycle_start": date(2021, 7, 1), "cycle_end": date(2027, 6, 30)},   # current
        {"type": "professional", "cycle_start": date(2027, 7, 1), "cycle_end": date(2032, 6, 30)}])  # next
    for i in range(14):
        ledger.record(e, title=f"Course {i}", hours=8, earned_on=date(2022, 1, 1 + i))  # 112 hours: complete
    ledger.session.commit()
    day = date(2026, 11, 25)
    monkeypatch.setattr(clock, "today", lambda: day)
    me = web_user("educator", educator=e.id)
    page = me.get(f"/educators/{e.id}").get_data(as_text=True)
    assert 'data-testid="verdict">Renewal requirements met' in page
    assert "earlier cycle" in page and "next cycle" in page
    me.post("/logout", data={"csrf_token": csrf_token(me, f"/educators/{e.id}")})
    hr = web_user("district_hr", district="JUAB")
    roster = hr.get("/district").get_data(as_text=True)
    assert "2027-06-30" in roster and "2032-06-30" not in roster and "2021-06-30" not in roster


def test_the_state_overview_counts_current_cycles_by_their_own_dates(ledger):
    from ledger.models import State
    from ledger.standing.report import renewal_summary

    e = ledger.educator("UT", licenses=[
        {"type": "professional", "cycle_start": date(2021, 7, 1), "cycle_end": date(2027, 6, 30)},
        {"type": "professional", "cycle_start": date(2027, 7, 1), "cycle_end": date(2032, 6, 30)}])
    for i in range(14):
        ledger.record(e, title=f"Course {i}", hours=8, earned_on=date(2022, 1, 1 + i))
    behind = ledger.educator("UT", licenses=[
        {"type": "professional", "cycle_start": date(2024, 1, 1), "cycle_end": date(2028, 12, 31)}])
    ledger.session.commit()
    ut = db.session.scalar(sa.select(State).where(State.code == "UT"))
    counts = renewal_summary(db.session, ut, date(2026, 11, 25))
    assert (counts["complete"], counts["in_progress"], counts["behind"], counts["lapsed"]) == (1, 1, 1, 0)
    assert counts["educators"] == 2 and behind.id
