"""The rulebook preview (issue 14 item 7): an upload on the state office's rulebook page is
checked and previewed, not loaded: whose current-cycle status it would change, counted by
(from, to); "Publish this version" loads exactly the document previewed, once; "Discard"
keeps nothing; another state's office neither sees nor publishes it. Every test runs on
SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from copy import deepcopy
from datetime import date, timedelta

import pytest
import yaml
from sqlalchemy import func, select

from ledger import clock
from ledger.models import AuditEvent, PendingRulebook, RulebookVersion, State
from ledger.rulebooks import preview
from tests import samples
from tests.conftest import ACTOR, csrf_token

TODAY = date(2026, 11, 25)
CYCLE = [{"type": "professional", "cycle_start": date(2025, 7, 1), "cycle_end": date(2030, 6, 30)}]


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def versions(session, code="TN") -> list[int]:
    return list(session.scalars(select(RulebookVersion.version).join(State).where(State.code == code)
                                .order_by(RulebookVersion.version)))


def pending_count(session) -> int:
    return session.scalar(select(func.count()).select_from(PendingRulebook))


def upload(client, document, filename="tn.yaml", path="/state/rulebooks"):
    text = document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False)
    return client.post(path, data={"csrf_token": csrf_token(client, "/state/rulebooks"),
                                   "file": (io.BytesIO(text.encode()), filename)},
                       content_type="multipart/form-data")


def raised(units=70) -> dict:
    doc = deepcopy(samples.TN)
    doc["renewal"][0]["required_units"] = units  # professional: 60 -> units
    return doc


@pytest.fixture
def teachers(ledger, session):
    """Two TN professionals in the current cycle: one complete at 62 hours (in progress
    under 70), one in progress at 40 (unchanged); a Utah teacher the TN office never sees."""
    complete = ledger.educator("TN", licenses=CYCLE, first_name="Cora", last_name="Complete")
    ledger.record(complete, title="Summer institute", hours=62, earned_on=date(2026, 1, 10))
    steady = ledger.educator("TN", licenses=CYCLE, first_name="Sam", last_name="Steady")
    ledger.record(steady, title="Workshop", hours=40, earned_on=date(2026, 1, 10))
    utah = ledger.educator("UT", licenses=CYCLE, first_name="Una", last_name="Utah")
    ledger.record(utah, title="Course", hours=120, earned_on=date(2026, 1, 10))
    session.commit()
    return {"complete": complete, "steady": steady, "utah": utah}


def preview_of(client, r):
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    location = r.headers["Location"]
    assert "/state/rulebooks/preview/" in location
    page = client.get(location)
    assert page.status_code == 200
    return location, page.get_data(as_text=True)


def sha_on(page: str) -> str:
    return re.search(r'name="sha256" value="([0-9a-f]{64})"', page).group(1)


def publish(client, location, sha, path_suffix="/publish"):
    token = csrf_token(client, "/state/rulebooks")
    return client.post(location.split("?")[0] + path_suffix + ("?" + location.split("?")[1] if "?" in location else ""),
                       data={"csrf_token": token, "sha256": sha})


def test_an_upload_shows_the_preview_and_changes_nothing(web_user, session, teachers):
    client = web_user("state_office", state="TN")
    location, page = preview_of(client, upload(client, raised()))
    assert versions(session) == [1]
    assert pending_count(session) == 1
    assert "Publish this version" in page and "Discard" in page
    assert re.search(r'data-testid="kpi-changed">1<', page)
    # the counts by (from, to) and the list name exactly the educator whose status changes
    assert page.count('data-testid="change-count"') == 1
    assert re.search(r"Complete</span></td><td[^>]*>→</td><td><span class=\"pill info\">In progress", page)
    assert page.count('data-testid="change"') == 1
    assert "Complete, Cora" in page and teachers["complete"].license_number in page
    assert "Steady, Sam" not in page and "Utah, Una" not in page
    # and the file's change, side by side
    assert re.search(r'class="src ins"><span aria-label="added">\+ </span>[^<]*required_units: 70<', page)
    # the rulebook page lists the preview awaiting a decision
    assert 'data-testid="pending"' in client.get("/state/rulebooks").get_data(as_text=True)


def test_status_changes_counts_each_transition(ledger, session, teachers):
    tn = session.scalar(select(State).where(State.code == "TN"))
    doc = preview.check_rulebook(session, ACTOR, raised(30))[1]  # 30: the in-progress teacher becomes complete
    summary = preview.status_changes(session, tn, doc, TODAY)
    assert summary["counts"] == [["in_progress", "complete", 1]]
    assert summary["changes"] == [[teachers["steady"].id, "professional", "in_progress", "complete"]]
    assert summary["educators"] == 2 and summary["licenses"] == 2
    unchanged = preview.status_changes(session, tn, preview.check_rulebook(session, ACTOR, samples.TN)[1], TODAY)
    assert unchanged["changed"] == 0 and unchanged["counts"] == []
    no_rule = deepcopy(samples.TN)
    no_rule["renewal"] = no_rule["renewal"][1:]  # professional has no rule any more
    gone = preview.status_changes(session, tn, preview.check_rulebook(session, ACTOR, no_rule)[1], TODAY)
    assert sorted(map(tuple, gone["counts"])) == [("complete", None, 1), ("in_progress", None, 1)]
    assert versions(session) == [1] and pending_count(session) == 0


def test_publish_loads_exactly_the_previewed_document_once(web_user, session, teachers):
    client = web_user("state_office", state="TN")
    location, page = preview_of(client, upload(client, raised()))
    sha = sha_on(page)
    stored = session.scalar(select(PendingRulebook))
    assert stored.sha256 == sha == preview.document_sha256(stored.document)

    r = publish(client, location, sha)
    assert r.status_code == 302
    assert "rulebook version 2" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert versions(session) == [1, 2]
    row = session.scalar(select(RulebookVersion).join(State).where(State.code == "TN", RulebookVersion.version == 2))
    assert preview.document_sha256(row.document) == sha
    assert row.document["renewal"][0]["required_units"] == 70
    assert pending_count(session) == 0

    again = publish(client, location, sha)  # the same preview twice
    assert again.status_code == 404
    assert versions(session) == [1, 2]
    assert "Traceback" not in again.get_data(as_text=True)


def test_a_tampered_or_stale_publish_is_refused(web_user, session, teachers, monkeypatch):
    client = web_user("state_office", state="TN")
    location, page = preview_of(client, upload(client, raised()))
    sha = sha_on(page)

    r = publish(client, location, "0" * 64)  # another document's hash
    assert r.status_code == 422 and "not the document previewed" in r.get_data(as_text=True)
    r = publish(client, location.replace("/preview/", "/preview/x"), sha)  # another id
    assert r.status_code == 404
    # the stored document changed behind the preview's back: its hash no longer matches
    stored = session.scalar(select(PendingRulebook))
    original = stored.document
    stored.document = {**original, "cite": "changed"}
    session.commit()
    r = publish(client, location, sha)
    assert r.status_code == 422
    stored.document = original
    session.commit()
    assert versions(session) == [1]

    # a version loaded since the preview: publish would silently undo it
    from ledger.rulebooks.service import load_rulebook
    load_rulebook(session, ACTOR, samples.TN)
    session.commit()
    r = publish(client, location, sha)
    assert r.status_code == 409 and "version 2 was loaded after this preview" in r.get_data(as_text=True)
    assert versions(session) == [1, 2]

    # older than an hour
    stored.base_version = 2
    stored.uploaded_at = stored.uploaded_at - timedelta(hours=preview.PENDING_HOURS, minutes=1)
    session.commit()
    page = client.get(location).get_data(as_text=True)
    assert "can no longer be published" in page and "Publish this version" not in page
    r = publish(client, location, sha)
    assert r.status_code == 409 and "older than" in r.get_data(as_text=True)
    assert versions(session) == [1, 2]


def test_discard_leaves_nothing(web_user, session, teachers):
    client = web_user("state_office", state="TN")
    location, _ = preview_of(client, upload(client, raised()))
    r = publish(client, location, "", "/discard")
    assert r.status_code == 302
    assert "nothing was loaded" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert pending_count(session) == 0 and versions(session) == [1]
    assert client.get(location).status_code == 404
    assert publish(client, location, "", "/discard").status_code == 404
    # the office's decisions are kept: who previewed, what (its digest) and who discarded it
    rows = session.execute(select(AuditEvent.action, AuditEvent.record_id, AuditEvent.detail)
                           .where(AuditEvent.action.in_(("preview_rulebook", "discard_rulebook")))
                           .order_by(AuditEvent.id)).all()
    assert [(a, rid) for a, rid, _ in rows] == [("preview_rulebook", "TN preview"), ("discard_rulebook", "TN preview")]
    assert rows[0].detail["sha256"] == rows[1].detail["sha256"] and rows[0].detail["base_version"] == 1


def switch(client, web_user, role, **scope):
    """Sign the client out, then in as another user."""
    client.post("/logout", data={"csrf_token": csrf_token(client, "/state")})
    assert web_user(role, **scope) is client


def test_another_states_office_neither_sees_nor_publishes_the_preview(web_user, session, teachers):
    client = web_user("state_office", state="TN")
    location, page = preview_of(client, upload(client, raised()))
    sha = sha_on(page)
    switch(client, web_user, "state_office", state="UT")
    assert client.get(location).status_code == 404
    assert publish(client, location, sha).status_code == 404
    assert publish(client, location, sha, "/discard").status_code == 404
    assert 'data-testid="pending"' not in client.get("/state/rulebooks").get_data(as_text=True)
    assert versions(session) == [1] and pending_count(session) == 1
    # an admin sees it with ?state=TN and may publish it
    switch(client, web_user, "admin")
    assert client.get(location + "?state=TN").status_code == 200
    assert publish(client, location + "?state=TN", sha).status_code == 302
    assert versions(session) == [1, 2]


def test_bad_yaml_still_names_the_field_and_previews_nothing(web_user, session, teachers):
    client = web_user("state_office", state="TN")
    bad = raised()
    bad["exchange_rates"][0]["effective_from"] = "2019-13-01"
    r = upload(client, bad)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "<code>exchange_rates[0].effective_from</code>" in page and "Publish this version" not in page
    r = upload(client, "state: TN\nname: [unclosed\n")
    assert r.status_code == 422 and "not valid YAML or JSON" in r.get_data(as_text=True)
    r = upload(client, samples.UT, "ut.yaml")  # another state's rulebook
    assert r.status_code == 403
    assert versions(session) == [1] and pending_count(session) == 0


def test_the_change_list_filters_by_transition_and_pages(web_user, session, ledger, monkeypatch):
    from ledger.rulebooks import pages

    monkeypatch.setattr(pages, "PREVIEW_PER_PAGE", 2)
    for i in range(3):
        e = ledger.educator("TN", licenses=CYCLE, last_name=f"Done{i}")
        ledger.record(e, title="Institute", hours=62, earned_on=date(2026, 1, 10))
    e = ledger.educator("TN", licenses=CYCLE, last_name="Almost")
    ledger.record(e, title="Institute", hours=40, earned_on=date(2026, 1, 10))
    client = web_user("state_office", state="TN")
    location, page = preview_of(client, upload(client, raised(70)))
    assert re.search(r'data-testid="kpi-changed">3<', page)
    assert page.count('data-testid="change"') == 2 and "Page 1 of 2" in page
    second = client.get(location + "?page=2").get_data(as_text=True)
    assert second.count('data-testid="change"') == 1 and "Done2" in second
    none = client.get(location + "?from=lapsed&to=complete").get_data(as_text=True)
    assert none.count('data-testid="change"') == 0
    odd = client.get(location + "?from=%3Cscript%3E&page=x")
    assert odd.status_code == 200 and "&lt;script&gt;" in odd.get_data(as_text=True)


def test_the_cli_preview_prints_the_same_summary_and_loads_nothing(runner, session, teachers, tmp_path):
    path = tmp_path / "tn.yaml"
    path.write_text(yaml.safe_dump(raised(), sort_keys=False))
    out = runner.invoke(args=["ledger", "load-rulebook", "--preview", str(path)])
    assert out.exit_code == 0, out.output
    assert "1 of 2 current cycles (2 educators) would change status from v1" in out.output
    assert "complete -> in progress: 1" in out.output
    assert f"Complete, Cora\t{teachers['complete'].license_number}\tprofessional" in out.output
    assert "Steady" not in out.output and "nothing was loaded" in out.output
    assert versions(session) == [1] and pending_count(session) == 0
    path.write_text("state: TN\nname: [unclosed\n")
    out = runner.invoke(args=["ledger", "load-rulebook", "--preview", str(path)])
    assert out.exit_code == 1 and "not valid YAML or JSON" in out.output and "Traceback" not in out.output


def test_the_api_preview_names_the_changes_and_loads_nothing(ledger, client, session, teachers):
    headers = ledger.headers("state_office", state="TN")
    r = client.post("/api/v1/rulebook-previews", json=raised(), headers=headers)
    assert r.status_code == 200, r.json
    body = r.json
    assert (body["state"], body["in_force"], body["changed"], body["as_of"]) == ("TN", 1, 1, TODAY.isoformat())
    assert body["counts"] == [{"from": "complete", "to": "in_progress", "educators": 1}]
    assert body["changes"] == [{"educator_id": teachers["complete"].id, "license": "professional",
                                "from": "complete", "to": "in_progress"}]
    assert versions(session) == [1] and pending_count(session) == 0
    # the same checks as loading: a mistake named by its field, another state's rules refused
    bad = raised()
    bad["renewal"][0]["required_units"] = -1
    r = client.post("/api/v1/rulebook-previews", json=bad, headers=headers)
    assert r.status_code == 422 and "renewal[0].required_units" in r.json["errors"], r.json
    ut = deepcopy(samples.UT)
    assert client.post("/api/v1/rulebook-previews", json=ut, headers=headers).status_code == 403
    assert client.post("/api/v1/rulebook-previews", json=raised(),
                       headers=ledger.headers("educator", educator=teachers["steady"].id)).status_code == 403


def test_the_api_preview_path_is_no_state(ledger, client):
    # found by the long fuzz: under /rulebooks/ the path also matched GET /rulebooks/{state},
    # so OPTIONS advertised a GET the document does not have
    r = client.options("/api/v1/rulebook-previews", headers=ledger.headers())
    assert set(r.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}, r.headers["Allow"]
