"""Submissions in the reminders (issues 15 and 17): the educator hears what was decided
(approved, or not with the reason they read), once, unless they turned optional notices
off; the staff digest counts the reports waiting for the recipient's decision, in its
scope only. Against a real SMTP server, on both engines."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from ledger.models import Notice, NoticeSetting, db
from tests.integration.test_reminders import _user, bodies, ran, smtp  # noqa: F401 (the SMTP fixture)
from tests.integration.test_submissions import API, MC, submit

DAY = date(2026, 11, 30)


def test_the_educator_hears_each_decision_once_with_the_reason(ledger, runner, client, smtp):  # noqa: F811
    teacher = ledger.educator("UT", district="JUAB", email="ada@juab.example", first_name="Ada")
    me, hr = ledger.headers("educator", educator=teacher.id), ledger.headers("district_hr", district="JUAB")
    rejected = submit(client, me, teacher.id, {"kind": "activity", "title": "Summer <b>institute</b>", "hours": 6,
                                                "earned_on": "2024-07-01"}).json["id"]
    approved = submit(client, me, teacher.id, MC).json["id"]
    assert client.post(f"{API}/submissions/{rejected}/reject", json={"reason": "no certificate attached"},
                       headers=hr).status_code == 200
    assert client.post(f"{API}/submissions/{approved}/approve", json={}, headers=hr).status_code == 201
    ran(runner, DAY)
    mails = {m["Subject"]: m for m in smtp.to("ada@juab.example")}
    assert set(mails) == {"Not approved: Summer <b>institute</b>",
                          "Approved: Formative Assessment: Checking for Understanding"}, list(mails)
    text, html = bodies(mails["Not approved: Summer <b>institute</b>"])
    assert "was not approved: no certificate attached" in text and "1 July 2024" in text
    assert "<b>institute</b>" not in html and "&lt;b&gt;institute&lt;/b&gt;" in html
    text, _ = bodies(mails["Approved: Formative Assessment: Checking for Understanding"])
    assert "was approved and now counts on your record" in text
    ran(runner, DAY)  # once
    assert len(smtp.to("ada@juab.example")) == 2
    kinds = client.get(f"/api/v1/educators/{teacher.id}/notices", headers=me).json
    assert sorted(n["kind"] for n in kinds) == ["submission_decided", "submission_decided"]


def test_an_educator_who_turned_optional_notices_off_hears_nothing_of_decisions(ledger, runner, client, smtp):  # noqa: F811
    teacher = ledger.educator("UT", district="JUAB", email="bea@juab.example")
    db.session.add(NoticeSetting(educator_id=teacher.id, optional_off=True))
    db.session.commit()
    sid = submit(client, ledger.headers("educator", educator=teacher.id), teacher.id, MC).json["id"]
    assert client.post(f"{API}/submissions/{sid}/approve", json={},
                       headers=ledger.headers("district_hr", district="JUAB")).status_code == 201
    ran(runner, DAY)
    assert smtp.to("bea@juab.example") == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notice)
                             .where(Notice.educator_id == teacher.id)) == 0


def test_the_digest_counts_the_reports_waiting_in_the_recipients_scope(ledger, runner, client, smtp):  # noqa: F811
    juab = ledger.educator("UT", district="JUAB", first_name="Cora", last_name="Juab")
    tn = ledger.educator("TN", first_name="Tess", last_name="Tennessee")
    submit(client, ledger.headers("educator", educator=juab.id), juab.id, MC)
    submit(client, ledger.headers("educator", educator=tn.id), tn.id,
           {"kind": "activity", "title": "Course", "hours": 3, "earned_on": "2024-02-01"})
    _user("district_hr", "hr.juab@example.org", district="JUAB")
    _user("state_office", "state.ut@example.org", state="UT")
    _user("state_office", "state.tn@example.org", state="TN")
    ran(runner, DAY)
    hr, _ = bodies(smtp.to("hr.juab@example.org")[0])
    assert "Reports waiting for your decision (oldest first): 1" in hr and "Cora Juab" in hr and "Tess" not in hr
    ut, _ = bodies(smtp.to("state.ut@example.org")[0])
    assert "Reports waiting for your decision (oldest first): 1" in ut and "Cora Juab" in ut and "Tess" not in ut
    tn_text, _ = bodies(smtp.to("state.tn@example.org")[0])
    assert "Tess Tennessee" in tn_text and "Cora" not in tn_text
