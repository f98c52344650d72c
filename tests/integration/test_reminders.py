"""Reminders (issue 17, CONTRACT.md section 8) against a real SMTP server (aiosmtpd on a
free port), reading what arrives: each threshold on its exact day, once; none for a
complete cycle; a crash between recording and sending; the staff digest's counts and
scope; the opt-out; names escaped in the HTML body. On both engines."""

from __future__ import annotations

import email
import socket
from datetime import date, timedelta
from email import policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from ledger.access.users import create_user
from ledger.models import Credential, Issuer, Notice, db
from tests.integration.test_pathways_api import UT_CARDS

END = date(2025, 6, 30)  # the sample educator's cycle: 2020-07-01 to 2025-06-30, 60 PDPs in TN


class Inbox:
    def __init__(self):
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port, MAIL_USE_TLS=False,
                      MAIL_FROM="ledger@example.org")
    yield inbox
    controller.stop()


def run(runner, day: date, *extra):
    result = runner.invoke(args=["ledger", "send-reminders", "--as-of", day.isoformat(), *extra])
    return result


def ran(runner, day: date):
    result = run(runner, day)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def bodies(message) -> tuple[str, str]:
    return (message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content())


def notices(client, ledger, e, **scope):
    r = client.get(f"/api/v1/educators/{e.id}/notices", headers=ledger.headers(**scope))
    assert r.status_code == 200, r.json
    return r.json


def teacher(ledger, address="ada@example.org", **kw):
    return ledger.educator(email=address, **kw)


@pytest.mark.parametrize("threshold", [180, 90, 30])
def test_each_threshold_is_sent_on_its_exact_day_and_not_the_day_before(ledger, runner, client, smtp, threshold):
    e = teacher(ledger)
    ran(runner, END - timedelta(days=threshold + 1))
    assert threshold not in [n["threshold"] for n in notices(client, ledger, e)]
    before = len(smtp.messages)
    ran(runner, END - timedelta(days=threshold))
    got = notices(client, ledger, e)
    assert got[0]["threshold"] == threshold and got[0]["kind"] == "cycle_ending"
    assert got[0]["outcome"] == "sent"
    assert len(smtp.to("ada@example.org")) - before == 1
    text, html = bodies(smtp.to("ada@example.org")[-1])
    # one sentence: what is left, by when, and the link to the teacher's page
    assert "Earn 60 PDP by 30 June 2025 to renew your professional license: see your page at " \
           f"https://ledger.example/educators/{e.id}." in text
    assert f'href="https://ledger.example/educators/{e.id}"' in html


def test_nothing_is_sent_181_days_before(ledger, runner, client, smtp):
    e = teacher(ledger)
    ran(runner, END - timedelta(days=181))
    assert notices(client, ledger, e) == [] and smtp.to("ada@example.org") == []


def test_a_complete_cycle_gets_no_notice(ledger, runner, client, smtp):
    e = teacher(ledger)
    ledger.record(e, title="Summer institute", hours=60, earned_on=date(2023, 7, 1))
    for days in (180, 90, 30):
        ran(runner, END - timedelta(days=days))
    assert notices(client, ledger, e) == [] and smtp.messages == []


def test_a_second_run_the_same_day_sends_nothing(ledger, runner, client, smtp):
    e = teacher(ledger)
    ran(runner, END - timedelta(days=90))
    out = ran(runner, END - timedelta(days=90))
    assert len(smtp.to("ada@example.org")) == 1 and len(notices(client, ledger, e)) == 1
    assert "0 notices and 0 digests recorded" in out


def test_a_run_that_missed_a_day_sends_the_threshold_crossed_once_and_only_while_inside_it(ledger, runner, client,
                                                                                          smtp):
    e = teacher(ledger)
    ran(runner, END - timedelta(days=175))    # the job was down on day 180
    ran(runner, END - timedelta(days=100))    # still inside 180: already sent
    ran(runner, END - timedelta(days=85))     # down on day 90: 90 now, never a late 180 beside it
    assert [n["threshold"] for n in notices(client, ledger, e)] == [90, 180]
    assert len(smtp.to("ada@example.org")) == 2


def test_a_crash_between_recording_and_sending_is_sent_exactly_once_on_the_next_run(ledger, runner, client, smtp,
                                                                                     monkeypatch):
    from ledger.reminders import delivery

    e = teacher(ledger)

    def crash(self, notice):
        raise RuntimeError("the machine went down")

    with monkeypatch.context() as m:
        m.setattr(delivery.SmtpSender, "deliver", crash)
        result = run(runner, END - timedelta(days=30))
        assert isinstance(result.exception, RuntimeError)
    db.session.rollback()
    recorded = notices(client, ledger, e)
    assert [(n["threshold"], n["outcome"]) for n in recorded] == [(30, "pending")]
    assert smtp.messages == []
    ran(runner, END - timedelta(days=29))
    ran(runner, END - timedelta(days=29))
    assert len(smtp.to("ada@example.org")) == 1
    assert [(n["id"], n["outcome"]) for n in notices(client, ledger, e)] == [(recorded[0]["id"], "sent")]


def test_a_refusing_server_is_failed_and_tried_again(ledger, runner, client, smtp, app):
    e = teacher(ledger)
    port = app.config["MAIL_PORT"]
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    result = run(runner, END - timedelta(days=30))
    assert result.exit_code == 1 and "1 failed" in result.output
    assert notices(client, ledger, e)[0]["outcome"] == "failed"
    app.config["MAIL_PORT"] = port
    ran(runner, END - timedelta(days=30))
    assert len(smtp.to("ada@example.org")) == 1
    n = notices(client, ledger, e)[0]
    assert (n["outcome"], n["attempts"]) == ("sent", 2)


def test_without_mail_server_notices_are_recorded_and_logged_not_sent(ledger, runner, client, smtp, app, caplog,
                                                                      web_user):
    e = teacher(ledger)
    app.config["MAIL_SERVER"] = None
    with caplog.at_level("INFO", logger="ledger.reminders"):
        out = ran(runner, END - timedelta(days=30))
    assert "logged, not sent (no MAIL_SERVER)" in out
    assert [n["outcome"] for n in notices(client, ledger, e)] == ["logged"]
    assert smtp.messages == [] and "ada@example.org" in caplog.text
    app.config["MAIL_SERVER"] = "127.0.0.1"
    ran(runner, END - timedelta(days=30))
    assert smtp.messages == []  # a logged notice is delivered: configuring a server later sends no old mail
    sent = web_user("state_office", state="TN").get("/reminders/sent").get_data(as_text=True)
    assert "ada@example.org" in sent and "Logged, not sent" in sent  # the state office sees it went to the log


def test_an_educator_without_an_address_is_recorded_as_such(ledger, runner, client, smtp):
    e = ledger.educator()
    ran(runner, END - timedelta(days=30))
    assert [n["outcome"] for n in notices(client, ledger, e)] == ["no_address"]


def test_a_name_with_html_is_escaped_in_the_html_body(ledger, runner, smtp):
    teacher(ledger, first_name="<b>Ada</b>", last_name="O'Neil & <i>Co</i>")
    ran(runner, END - timedelta(days=30))
    text, html = bodies(smtp.to("ada@example.org")[0])
    assert "&lt;b&gt;Ada&lt;/b&gt;" in html and "<b>Ada</b>" not in html and "<i>Co</i>" not in html
    assert "Dear <b>Ada</b> O'Neil & <i>Co</i>," in text


def test_grace_beginning_is_a_deadline_notice_sent_once(ledger, runner, client, smtp):
    from tests import samples

    rulebook = {**samples.TN, "renewal": [{**samples.TN["renewal"][0], "grace_days": 61}, samples.TN["renewal"][1]]}
    assert client.post("/api/v1/rulebooks", json=rulebook, headers=ledger.headers()).status_code == 201
    e = teacher(ledger)
    ran(runner, END + timedelta(days=1))
    ran(runner, END + timedelta(days=20))
    got = notices(client, ledger, e)
    assert [(n["kind"], n["threshold"], n["optional"]) for n in got] == [("grace_started", 0, False)]
    assert "by 30 August 2025, the last day of grace" in got[0]["summary"]
    assert len(smtp.to("ada@example.org")) == 1


@pytest.fixture
def leader(ledger, client):
    """A Juab Teacher Leader awarded 2021-03-01 whose maintenance period 1 (2 MCs by
    29 February 2024) has none yet."""
    assert client.post("/api/v1/rulebooks", json=UT_CARDS, headers=ledger.headers()).status_code == 201
    e = teacher(ledger, "lead@example.org", state="UT", district="JUAB")
    for credential, day in [("DP-FA-01", date(2020, 1, 10)), ("DP-FA-02", date(2020, 2, 29)),
                            ("DP-LIT-01", date(2020, 5, 1)), ("DP-LIT-02", date(2021, 3, 1))]:
        ledger.record(e, credential, earned_on=day)
    return e


def test_a_designation_short_of_its_maintenance_within_180_days_is_noticed_once(leader, ledger, runner, client,
                                                                                smtp):
    ran(runner, date(2023, 9, 1))     # 181 days before the period's end: not yet
    assert notices(client, ledger, leader) == []
    ran(runner, date(2023, 9, 2))
    ran(runner, date(2023, 12, 1))
    got = notices(client, ledger, leader)
    assert [(n["kind"], n["cycle"], n["optional"]) for n in got] == [("maintenance_short", "JUAB-TL#1", True)]
    assert got[0]["summary"] == "Earn 2 more micro-credentials by 29 February 2024 to keep Teacher Leader"
    text, _ = bodies(smtp.to("lead@example.org")[0])
    assert "turn off these optional reminders with one click: https://ledger.example/reminders/settings/" in text


def test_the_opt_out_stops_optional_notices_and_never_deadline_ones(leader, ledger, runner, client, smtp):
    text, _ = bodies(_first_deadline_mail(runner, smtp, "lead@example.org"))  # 2025-01-01: lapsed by then
    link = text.rsplit("one click: ", 1)[1].split()[0].removeprefix("https://ledger.example")
    page = client.get(link)
    assert page.status_code == 200 and "are\n    <strong data-testid=\"state\">on</strong>" in page.get_data(as_text=True)
    token = page.get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post(link, data={"csrf_token": token, "optional": "off"}).status_code == 302
    assert "<strong data-testid=\"state\">off</strong>" in client.get(link).get_data(as_text=True)
    ran(runner, date(2023, 12, 1))    # the maintenance notice would be due: off
    assert [n["kind"] for n in notices(client, ledger, leader)] == ["cycle_ending"]
    ran(runner, END - timedelta(days=90))    # a deadline still comes
    assert [n["threshold"] for n in notices(client, ledger, leader)] == [90, 180]
    assert len(smtp.to("lead@example.org")) == 2


def _first_deadline_mail(runner, smtp, address):
    """A deadline notice (180 days) long before the maintenance one: its mail links the setting."""
    ran(runner, END - timedelta(days=180))
    return smtp.to(address)[0]


def test_a_forged_or_altered_settings_link_is_not_found(ledger, client):
    assert client.get("/reminders/settings/not-a-token").status_code == 404
    from ledger.reminders.settings import token_for

    e = teacher(ledger)
    good = token_for(e.id)
    assert client.get(f"/reminders/settings/{good}").status_code == 200
    assert client.get(f"/reminders/settings/{good[:-2]}xx").status_code == 404
    r = client.post(f"/reminders/settings/{good}", data={"csrf_token": "", "optional": "off"})
    assert r.status_code == 400  # the form's CSRF token is still required


# -- the staff digest ---------------------------------------------------------------------------

def _at_risk(ledger, name, district=None, state="UT"):
    """Cycle ending within 90 days and behind pace (nothing earned)."""
    return ledger.educator(state=state, district=district, first_name=name, last_name="Risk",
                           email=f"{name.lower()}@example.org")


def _user(role, address, state=None, district=None):
    create_user(db.session, "test", address, "correct-horse-battery", role, state, district)
    db.session.commit()


def _pending_badge(ledger, holder):
    issuer = Issuer(code="OBI-TEST", name="Some Provider")
    db.session.add(issuer)
    db.session.flush()
    db.session.add(Credential(code="OB-TEST-1", title="Imported <script>badge</script>", issuer_id=issuer.id,
                              tags=[], reviewed=False))
    db.session.commit()
    ledger.record(holder, "OB-TEST-1", earned_on=date(2024, 1, 5))


def test_the_digest_counts_and_names_only_the_recipients_scope(ledger, runner, smtp, client):
    from tests import samples

    other = {**samples.UT["districts"][0], "code": "NEBO", "name": "Nebo"}
    rulebook = {**samples.UT, "districts": [samples.UT["districts"][0], other]}
    assert client.post("/api/v1/rulebooks", json=rulebook, headers=ledger.headers()).status_code == 201
    a = _at_risk(ledger, "Alma", "JUAB")
    _at_risk(ledger, "Bea", "JUAB")
    _at_risk(ledger, "Cleo", "NEBO")
    _at_risk(ledger, "Dora", state="TN")
    on_pace = ledger.educator(state="UT", district="JUAB", first_name="Eve", last_name="Fine")
    ledger.record(on_pace, title="Institute", hours=99, earned_on=date(2024, 6, 1))
    _pending_badge(ledger, a)
    _user("district_hr", "hr.juab@example.org", district="JUAB")
    _user("state_office", "state.ut@example.org", state="UT")
    _user("state_office", "state.tn@example.org", state="TN")
    ran(runner, END - timedelta(days=60))
    hr_text, hr_html = bodies(smtp.to("hr.juab@example.org")[0])
    assert smtp.to("hr.juab@example.org")[0]["Subject"].endswith(": 2 at risk; 1 pending review")
    assert "Cycle ending within 90 days, behind pace: 2" in hr_text
    assert "Alma Risk" in hr_text and "Bea Risk" in hr_text
    assert "Cleo" not in hr_text + hr_html and "Dora" not in hr_text + hr_html and "Eve" not in hr_text
    assert "Badges awaiting review (they count for nothing until approved): 1" in hr_text
    assert "<script>" not in hr_html and "&lt;script&gt;" in hr_html
    ut_text, _ = bodies(smtp.to("state.ut@example.org")[0])
    assert "Cycle ending within 90 days, behind pace: 3" in ut_text and "Cleo Risk" in ut_text
    assert "Dora" not in ut_text
    tn_text, _ = bodies(smtp.to("state.tn@example.org")[0])
    assert "behind pace: 1" in tn_text and "Dora Risk" in tn_text
    assert not ({"Alma", "Bea", "Cleo"} & set(tn_text.replace(",", " ").split()))
    ran(runner, END - timedelta(days=59))  # the same week: no second digest
    assert len(smtp.to("hr.juab@example.org")) == 1
    ran(runner, END - timedelta(days=52))  # a week later: the next
    assert len(smtp.to("hr.juab@example.org")) == 2


def test_a_digest_with_nothing_to_say_is_not_sent(ledger, runner, smtp):
    _user("district_hr", "hr.quiet@example.org", district="JUAB")
    ran(runner, END - timedelta(days=60))
    assert smtp.to("hr.quiet@example.org") == []


# -- the API and the pages: scope ----------------------------------------------------------------

def test_notices_are_read_in_scope_through_the_api(ledger, runner, client, smtp):
    e = teacher(ledger, state="UT", district="JUAB")
    other = ledger.educator(state="UT")
    ran(runner, END - timedelta(days=30))
    for scope in [{"role": "educator", "educator": e.id}, {"role": "district_hr", "district": "JUAB"},
                  {"role": "state_office", "state": "UT"}, {}]:
        assert [n["threshold"] for n in notices(client, ledger, e, **scope)] == [30]
    for scope in [{"role": "educator", "educator": other.id}, {"role": "state_office", "state": "TN"}]:
        r = client.get(f"/api/v1/educators/{e.id}/notices", headers=ledger.headers(**scope))
        assert r.status_code == 404 and r.json["code"] == 404
    assert client.get(f"/api/v1/educators/{e.id}/notices").status_code == 401
    assert client.get("/api/v1/educators/2147483648/notices", headers=ledger.headers()).status_code == 404


def test_the_openapi_document_describes_the_notices(client):
    doc = client.get("/api/v1/openapi.json").json
    op = doc["paths"]["/api/v1/educators/{educator_id}/notices"]["get"]
    assert set(op["responses"]) >= {"200", "401", "404"}
    props = doc["components"]["schemas"]["NoticeOut"]["properties"]
    assert {"kind", "cycle", "threshold", "outcome", "summary"} <= set(props)


def test_the_teacher_sees_their_notices_and_turns_optional_ones_off(ledger, runner, web_user, smtp):
    e = teacher(ledger)
    ran(runner, END - timedelta(days=30))
    c = web_user("educator", educator=e.id)
    page = c.get(f"/educators/{e.id}").get_data(as_text=True)
    assert 'data-testid="notice"' in page and "Earn 60 PDP by 30 June 2025" in page
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = c.post(f"/educators/{e.id}/notice-settings", data={"csrf_token": token, "optional": "off"})
    assert r.status_code == 302
    assert "maintenance) are <strong>off</strong>" in \
           c.get(f"/educators/{e.id}").get_data(as_text=True)
    bad = c.post(f"/educators/{e.id}/notice-settings", data={"csrf_token": token, "optional": "maybe"})
    assert bad.status_code == 422 and "optional" in bad.get_data(as_text=True)


def test_only_the_educator_changes_their_own_setting(ledger, web_user, client):
    from tests.conftest import csrf_token

    e, other = teacher(ledger), ledger.educator()
    c = web_user("educator", educator=e.id)
    r = c.post(f"/educators/{other.id}/notice-settings",
               data={"csrf_token": csrf_token(c, f"/educators/{e.id}"), "optional": "off"})
    assert r.status_code == 404


def test_hr_and_the_state_office_see_what_went_out_in_their_scope(ledger, runner, web_user, client, smtp):
    teacher(ledger, "juab@example.org", state="UT", district="JUAB", first_name="Juana")
    teacher(ledger, "tn@example.org", state="TN", first_name="Tennie")
    ran(runner, END - timedelta(days=30))
    hr = web_user("district_hr", district="JUAB").get("/reminders/sent").get_data(as_text=True)
    assert "Juana" in hr and "Tennie" not in hr and "juab@example.org" in hr
    client.post("/logout", data={"csrf_token": csrf_token_of(client)})
    state = web_user("state_office", state="TN").get("/reminders/sent").get_data(as_text=True)
    assert "Tennie" in state and "Juana" not in state


def csrf_token_of(client):
    from tests.conftest import csrf_token

    return csrf_token(client, "/reminders/sent")


def test_the_sent_page_is_not_for_educators(ledger, web_user):
    e = ledger.educator()
    assert web_user("educator", educator=e.id).get("/reminders/sent").status_code == 403


# -- the database keeps them ------------------------------------------------------------------------

def test_notices_and_deliveries_are_append_only(ledger, runner, smtp):
    teacher(ledger)
    ran(runner, END - timedelta(days=30))
    for sql in ("UPDATE notices SET summary = 'x'", "DELETE FROM notices", "DELETE FROM notice_deliveries"):
        with pytest.raises(sa.exc.DatabaseError):
            with db.session.begin_nested():
                db.session.execute(sa.text(sql))
    assert db.session.scalar(sa.select(sa.func.count(Notice.id))) == 1


def test_the_job_is_on_the_daily_beat_and_runs_as_a_task(ledger, app, smtp, client):
    from ledger.reminders.tasks import SEND

    celery = app.extensions["celery"]
    entry = celery.conf.beat_schedule["send-reminders"]
    assert entry["task"] == SEND and entry["schedule"].hour == {6} and entry["schedule"].minute == {0}
    e = teacher(ledger)
    result = celery.tasks[SEND].apply(kwargs={"as_of": (END - timedelta(days=30)).isoformat()}).get()
    assert result["recorded"] == 1 and result["outcomes"] == {"sent": 1}
    assert len(smtp.to("ada@example.org")) == 1 and notices(client, ledger, e)[0]["outcome"] == "sent"


def test_a_bad_date_names_the_option(runner):
    result = runner.invoke(args=["ledger", "send-reminders", "--as-of", "2025-13-01"])
    assert result.exit_code == 2 and "--as-of" in result.output
