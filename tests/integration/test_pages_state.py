"""The state office's pages (/state...): figures from the renewal report, rulebook
versions and uploads, the catalog's review filter, transcripts issued and revoked from
the page, and scope (another state's records are not found; other roles get 403).
Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import re
from collections import Counter
from copy import deepcopy
from datetime import date, timedelta

import pytest
import yaml
from sqlalchemy import func, select

from ledger import clock
from ledger.entries.service import void_entry
from ledger.models import Credential, Issuer, RulebookVersion, State, Transcript
from ledger.standing.report import mcs_by_issuer, state_renewal_report
from ledger.transcripts import service as transcripts
from tests import samples
from tests.conftest import ACTOR, csrf_token

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """The pages' 'today' is fixed, so cycles and pace do not drift with the calendar."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def lic(start, end, type_="professional"):
    return [{"type": type_, "cycle_start": start, "cycle_end": end}]


def kpi(page: str, name: str) -> int:
    match = re.search(rf'data-testid="kpi-{name}">(\d+)<', page)
    assert match, f"no kpi {name}"
    return int(match.group(1))


def versions(session, code="TN") -> list[int]:
    return list(session.scalars(select(RulebookVersion.version).join(State).where(State.code == code)
                                .order_by(RulebookVersion.version)))


def table_count(page: str, label: str) -> int | None:
    """The count in a chart's table fallback for one label."""
    match = re.search(rf"<tr><td>{re.escape(label)}</td><td class=\"num\">(\d+)</td></tr>", page)
    return int(match.group(1)) if match else None


# --- overview ----------------------------------------------------------------------------

def test_the_overview_counts_match_the_renewal_report(ledger, web_user, session):
    ledger.educator("TN", licenses=lic(date(2020, 7, 1), date(2025, 6, 30)))                 # lapsed
    behind = ledger.educator("TN", licenses=lic(date(2023, 7, 1), date(2028, 6, 30)))         # behind pace
    ledger.record(behind, "DP-FA-02", date(2024, 1, 10))
    on_pace = ledger.educator("TN", licenses=lic(date(2026, 7, 1), date(2031, 6, 30)))        # on pace
    ledger.record(on_pace, title="Summer institute", hours=20, earned_on=date(2026, 8, 1))
    done = ledger.educator("TN", licenses=lic(date(2020, 7, 1), date(2025, 6, 30)))           # complete
    ledger.record(done, title="Summer institute", hours=60, earned_on=date(2021, 8, 1))
    ledger.educator("UT", licenses=lic(date(2020, 7, 1), date(2025, 6, 30)))                  # another state
    session.commit()

    report = list(state_renewal_report(session, "TN", TODAY))
    statuses = Counter(row[3] for row in report)
    client = web_user("state_office", state="TN")
    r = client.get("/state")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert kpi(page, "educators") == len({row[0] for row in report}) == 4
    assert kpi(page, "complete") == statuses["complete"] == 1
    assert kpi(page, "on-pace") + kpi(page, "behind") + kpi(page, "in-grace") == statuses["in_progress"] == 2
    assert kpi(page, "lapsed") == statuses["lapsed"] == 1
    assert kpi(page, "behind") == 1 and kpi(page, "on-pace") == 1 and kpi(page, "in-grace") == 0
    # the chart's table says the same
    assert table_count(page, "Complete") == 1
    assert table_count(page, "In progress, behind pace") == 1
    assert table_count(page, "In progress, on pace") == 1
    assert table_count(page, "Lapsed (cycle ended short)") == 1


def test_mcs_by_issuer_leave_out_voided_entries_and_other_states(ledger, web_user, session):
    tn = ledger.educator("TN")
    ledger.record(tn, "DP-FA-01", date(2022, 3, 1))
    ledger.record(tn, "BB-CM-01", date(2022, 4, 1))
    voided = ledger.record(tn, "DP-LIT-01", date(2022, 5, 1))
    void_entry(session, ACTOR, voided.id, "recorded for the wrong educator")
    ledger.record(tn, title="Workshop", hours=5, earned_on=date(2022, 6, 1))   # an activity, not an MC
    ut = ledger.educator("UT")
    ledger.record(ut, "DP-FA-02", date(2022, 3, 1))
    ledger.record(ut, "NEA-SE-01", date(2022, 3, 1))
    session.commit()

    assert mcs_by_issuer(session, session.scalar(select(State).where(State.code == "TN"))) == [
        ("BloomBoard", 1), ("Digital Promise", 1)]
    page = web_user("state_office", state="TN").get("/state").get_data(as_text=True)
    assert table_count(page, "Digital Promise") == 1
    assert table_count(page, "BloomBoard") == 1
    assert table_count(page, "National Education Association") is None


def test_the_overview_shows_seasons_with_the_command_to_resume(ledger, web_user, session):
    e = ledger.educator("TN")  # both licenses end 2025-06-30: in the season
    ledger.educator("TN")
    ledger.educator("TN", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))  # not in it
    transcripts.issue(session, ACTOR, e.id, state="TN", today=TODAY, season="TN:expiring-before:2025-07-01")
    session.commit()
    client = web_user("state_office", state="TN")
    page = client.get("/state").get_data(as_text=True)
    assert "TN:expiring-before:2025-07-01" in page
    assert "flask ledger print-season --state TN --expiring-before 2025-07-01 --out season/" in page
    assert "1 to print" in page
    assert kpi(page, "issued") == 1 and kpi(page, "revoked") == 0


# --- rulebooks ---------------------------------------------------------------------------

def upload(client, document: str, filename="tn.yaml", path="/state/rulebooks"):
    return client.post(path, data={"csrf_token": csrf_token(client, "/state/rulebooks"),
                                   "file": (io.BytesIO(document.encode()), filename)},
                       content_type="multipart/form-data")


def publish_preview(client, r):
    """An upload answers with its preview (nothing loaded); publish it as the page's form does."""
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    location = r.headers["Location"]
    page = client.get(location).get_data(as_text=True)
    sha = re.search(r'name="sha256" value="([0-9a-f]{64})"', page).group(1)
    path, _, query = location.partition("?")
    return client.post(f"{path}/publish" + (f"?{query}" if query else ""),
                       data={"csrf_token": csrf_token(client, "/state/rulebooks"), "sha256": sha})


def test_a_rulebook_upload_adds_a_version_and_the_side_by_side_marks_the_changed_rate(ledger, web_user, session):
    client = web_user("state_office", state="TN")
    changed = deepcopy(samples.TN)
    changed["exchange_rates"][1]["units"] = 7
    r = upload(client, yaml.safe_dump(changed, sort_keys=False))
    assert versions(session) == [1]  # previewed, not loaded
    r = publish_preview(client, r)
    assert r.status_code == 302, r.get_data(as_text=True)[:2000]
    assert versions(session) == [1, 2]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "TN rulebook version 2" in page
    assert page.count('data-testid="version"') == 2

    page = client.get("/state/rulebooks?a=1&b=2").get_data(as_text=True)
    assert re.search(r'class="src del"><span aria-label="removed">− </span>[^<]*units: 6<', page)
    assert re.search(r'class="src ins"><span aria-label="added">\+ </span>[^<]*units: 7<', page)
    assert "1 changed line" in page
    # the default comparison is the newest version against the one before it
    assert "units: 7" in client.get("/state/rulebooks").get_data(as_text=True)


def test_a_rulebook_with_a_bad_field_names_it_and_changes_nothing(ledger, web_user, session):
    client = web_user("state_office", state="TN")
    bad = deepcopy(samples.TN)
    bad["exchange_rates"][2]["effective_from"] = "2019-13-01"
    r = client.post("/state/rulebooks", data={"csrf_token": csrf_token(client, "/state/rulebooks"),
                                              "document": yaml.safe_dump(bad, sort_keys=False)})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "<code>exchange_rates[2].effective_from</code>" in page
    assert "Nothing was loaded" in page
    assert "2019-13-01" in page  # the pasted text is kept to fix
    assert versions(session) == [1]

    r = upload(client, "state: TN\nname: [unclosed\n")
    assert r.status_code == 422 and "not valid YAML or JSON" in r.get_data(as_text=True)
    assert "tn.yaml" in r.get_data(as_text=True) and "/tmp" not in r.get_data(as_text=True)
    assert versions(session) == [1]


def test_a_state_office_loads_only_its_own_rulebook(ledger, web_user, session):
    client = web_user("state_office", state="TN")
    r = upload(client, yaml.safe_dump(samples.UT, sort_keys=False), "ut.yaml")
    assert r.status_code == 403
    assert "only its own state" in r.get_data(as_text=True)
    assert versions(session, "UT") == [1]


def test_an_admin_picks_the_state(ledger, web_user, session):
    client = web_user("admin")
    page = client.get("/state").get_data(as_text=True)
    assert "Tennessee educator licensure" in page  # the first state by code
    page = client.get("/state/rulebooks?state=UT").get_data(as_text=True)
    assert "Utah rulebooks" in page
    r = upload(client, yaml.safe_dump(samples.UT, sort_keys=False), "ut.yaml", "/state/rulebooks?state=UT")
    assert r.status_code == 302 and "state=UT" in r.headers["Location"]
    r = publish_preview(client, r)
    assert r.status_code == 302 and "state=UT" in r.headers["Location"]
    assert versions(session, "UT") == [1, 2]


# --- catalog -----------------------------------------------------------------------------

def test_the_catalog_filters_badges_awaiting_review(ledger, web_user, session):
    issuer = session.scalar(select(Issuer).where(Issuer.code == "DP"))
    session.add(Credential(code="OB-0123456789AB", title="Imported Badge", issuer_id=issuer.id, tags=["imported"],
                           badge_id="https://badges.example/b/1", reviewed=False))
    session.commit()
    client = web_user("state_office", state="TN")
    everything = client.get("/state/catalog").get_data(as_text=True)
    assert "OB-0123456789AB" in everything and "DP-FA-01" in everything
    assert "https://example.org/badges/fa-01" in everything
    waiting = client.get("/state/catalog?review=awaiting").get_data(as_text=True)
    assert "OB-0123456789AB" in waiting and "https://badges.example/b/1" in waiting
    assert "DP-FA-01" not in waiting
    assert waiting.count('data-testid="credential"') == 1


# --- transcripts -------------------------------------------------------------------------

def test_the_transcripts_page_lists_only_its_states_transcripts(ledger, web_user, session):
    tn = ledger.educator("TN", first_name="Tess")
    ut = ledger.educator("UT", first_name="Ursula")
    tn_row = transcripts.issue(session, ACTOR, tn.id, state="TN", today=TODAY)
    ut_row = transcripts.issue(session, ACTOR, ut.id, state="UT", today=TODAY)
    session.commit()
    client = web_user("state_office", state="TN")
    page = client.get("/state/transcripts").get_data(as_text=True)
    assert tn_row.serial in page and f"/verify/{tn_row.serial}" in page and f"/transcripts/{tn_row.serial}.pdf" in page
    assert f"/educators/{tn.id}" in page
    assert ut_row.serial not in page and "Ursula" not in page
    # and the other state's records are not found
    assert client.get(f"/transcripts/{ut_row.serial}.pdf").status_code == 404
    assert client.get(f"/educators/{ut.id}").status_code == 404
    assert client.get(f"/educators/{tn.id}").status_code == 200


def test_issue_by_license_number(ledger, web_user, session):
    tn = ledger.educator("TN", license_number="TN-4242")
    ut = ledger.educator("UT", license_number="UT-777")
    session.commit()
    client = web_user("state_office", state="TN")
    token = csrf_token(client, "/state/transcripts")
    r = client.post("/state/transcripts", data={"csrf_token": token, "license_number": "tn-4242"})
    assert r.status_code == 302
    row = session.scalar(select(Transcript).where(Transcript.educator_id == tn.id))
    assert row is not None and row.state.code == "TN" and row.as_of == TODAY
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert f"Issued official transcript {row.serial}" in page

    for number, field, message in [("UT-777", "license_number", "no educator licensed in TN"),
                                   ("", "license_number", "enter the educator"),
                                   ("TN-4242", "as_of", "must be on or before")]:
        data = {"csrf_token": token, "license_number": number}
        if field == "as_of":
            data["as_of"] = (TODAY + timedelta(days=30)).isoformat()
        r = client.post("/state/transcripts", data=data)
        assert r.status_code == 422
        page = r.get_data(as_text=True)
        assert f"<code>{field}</code>" in page and message in page
    assert session.scalar(select(func.count(Transcript.id))) == 1
    assert session.scalar(select(func.count(Transcript.id)).where(Transcript.educator_id == ut.id)) == 0


def test_revoke_from_the_page_then_verify_says_revoked(ledger, web_user, session):
    e = ledger.educator("TN")
    row = transcripts.issue(session, ACTOR, e.id, state="TN", today=TODAY)
    session.commit()
    serial = row.serial
    client = web_user("state_office", state="TN")
    page = client.get("/state/transcripts").get_data(as_text=True)
    back = re.search(r'name="back" value="([^"]+)"', page).group(1)
    assert back == "/state/transcripts"
    r = client.post(f"/transcripts/{serial}/revoke", data={
        "csrf_token": csrf_token(client, "/state/transcripts"), "reason": "issued in error", "back": back})
    assert r.status_code == 302 and r.headers["Location"].endswith("/state/transcripts")
    page = client.get("/state/transcripts").get_data(as_text=True)
    assert f"Revoked {serial}" in page and "pill bad\">Revoked" in page
    assert "Revoked" in client.get(f"/verify/{serial}").get_data(as_text=True)
    assert serial in client.get("/state/transcripts?show=revoked").get_data(as_text=True)
    assert serial not in client.get("/state/transcripts?show=valid").get_data(as_text=True)


# --- educators ---------------------------------------------------------------------------

def test_educator_search_is_scoped_to_the_state(ledger, web_user, session):
    a = ledger.educator("TN", first_name="Marisol", last_name="Quintero", license_number="TN-555001")
    ledger.educator("UT", first_name="Marisol", last_name="Quintana", license_number="UT-555002")
    # a Utah educator holding a Tennessee license is in Tennessee's scope too
    both = ledger.educator("UT", first_name="Marisol", last_name="Quigley", license_number="UT-555003",
                           licenses=[{"type": "professional", "cycle_start": date(2020, 7, 1),
                                      "cycle_end": date(2025, 6, 30), "state": "TN"}])
    session.commit()
    client = web_user("state_office", state="TN")
    page = client.get("/state/educators?q=marisol").get_data(as_text=True)
    assert f"/educators/{a.id}\"" in page and f"/educators/{both.id}\"" in page
    assert "Quintana" not in page
    page = client.get("/state/educators?q=TN-555001").get_data(as_text=True)
    assert page.count('data-testid="educator"') == 1 and "Quintero" in page
    assert client.get("/state/educators?q=%25").status_code == 200  # a wildcard is text, not a pattern
    assert 'data-testid="educator"' not in client.get("/state/educators?q=%25").get_data(as_text=True)


# --- who may -----------------------------------------------------------------------------

@pytest.mark.parametrize("role, scope", [("district_hr", {"district": "JUAB"}), ("educator", None)])
def test_other_roles_get_403(ledger, web_user, session, role, scope):
    if role == "educator":
        scope = {"educator": ledger.educator("UT").id}
        session.commit()
    client = web_user(role, **scope)
    for path in ("/state", "/state/educators", "/state/rulebooks", "/state/catalog", "/state/transcripts"):
        assert client.get(path).status_code == 403, path
    token = csrf_token(client, "/verify")
    assert client.post("/state/transcripts", data={"csrf_token": token, "license_number": "x"}).status_code == 403
    assert client.post("/state/rulebooks", data={"csrf_token": token, "document": "state: TN"}).status_code == 403


def test_signed_out_goes_to_sign_in(client, ledger):
    r = client.get("/state/transcripts")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
