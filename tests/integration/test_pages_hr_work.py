# ruff: noqa: F811  (the fixtures `staff` and `today` come from test_pages_hr)
"""HR's daily work in the browser (issue 15 item 4), on both engines: the district export
and the roster as downloads, adding a new hire, answers beside the form that was sent,
a second salary run for one pay date only when confirmed, an import report that says
one thing, and checklists that name credentials."""

from __future__ import annotations

import csv
import io
import json
import re
from copy import deepcopy
from datetime import date

import pytest
from sqlalchemy import func, select

from ledger.districts import exports
from ledger.models import Educator, Employment, Entry, License, SalaryRun, db
from ledger.rulebooks.service import load_rulebook
from tests import samples
from tests.conftest import ACTOR, csrf_token
from tests.integration.test_pages_hr import DAY, juab_hr, make_run, row_ids, staff, today, upload  # noqa: F401


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# -- downloads --------------------------------------------------------------------------

def test_the_district_export_downloads_are_what_the_cli_writes(staff, ledger, web_user, runner, tmp_path):
    ledger.record(staff["done"], "DP-FA-01", date(2024, 1, 5), external_id="=HYPERLINK(1)")
    ledger.record(staff["done"], title="Graduate course", amount=1.5, measure="semester_hour", earned_on=date(2024, 2, 29))
    client = juab_hr(web_user)
    r = client.get("/district/export.json")
    assert r.status_code == 200 and r.mimetype == "application/json"
    assert r.headers["Content-Disposition"] == 'attachment; filename="JUAB-export.json"'
    assert r.is_streamed
    body = r.get_data(as_text=True)
    result = runner.invoke(args=["ledger", "export", "--district", "JUAB", "--out", str(tmp_path),
                                 "--as-of", DAY.isoformat()])            # the pages' today
    assert result.exit_code == 0, result.output
    assert body == (tmp_path / "JUAB-export.json").read_text()
    data = json.loads(body)
    juab = {staff[k].id for k in staff if k not in ("nebo", "none", "moved")}
    assert {e["educator_id"] for e in data["educators"]} == juab
    for table in exports.TABLES:
        r = client.get(f"/district/export/{table}.csv")
        assert r.status_code == 200 and r.mimetype == "text/csv", table
        assert r.get_data() == (tmp_path / f"JUAB-{table}.csv").read_bytes(), table
    entries_csv = client.get("/district/export/entries.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in entries_csv                          # formula-safe, as the CLI's
    course = next(r for r in csv.DictReader(io.StringIO(entries_csv)) if r["title"] == "Graduate course")
    assert (float(course["hours"]), course["measure"], course["earned_on"]) == (1.5, "semester_hour", "2024-02-29")
    assert [e["measure"] for e in data["entries"] if e["title"] == "Graduate course"] == ["semester_hour"]
    assert client.get("/district/export/secrets.csv").status_code == 404


@pytest.mark.parametrize("path", ["/district/export.json", "/district/export/entries.csv", "/district/roster.csv"])
def test_downloads_stay_in_scope(staff, web_user, path):
    nebo = web_user("district_hr", district="NEBO")
    assert nebo.get(f"{path}?district=JUAB").status_code == 404      # another district's: not found
    own = nebo.get(path)
    assert own.status_code == 200
    assert "111001" not in own.get_data(as_text=True)               # Juab's teachers are not in Nebo's file


def test_state_office_and_admin_download_where_their_scope_allows(staff, web_user, client):
    ut = web_user("state_office", state="UT")
    assert ut.get("/district/export.json?district=JUAB").status_code == 200
    assert "111001" in ut.get("/district/export/educators.csv?district=JUAB").get_data(as_text=True)
    assert ut.get("/district/roster.csv?district=JUAB").status_code == 403   # the roster is HR's page
    client.post("/logout", data={"csrf_token": csrf_token(client, "/state")})
    tn = web_user("state_office", state="TN")
    assert tn.get("/district/export.json?district=JUAB").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client, "/state")})
    teacher = web_user("educator", educator=staff["pace"].id)
    assert teacher.get("/district/export.json").status_code == 403


def test_the_roster_csv_is_what_the_roster_shows_with_its_filters(staff, web_user):
    client = juab_hr(web_user)
    page = client.get("/district?status=behind").get_data(as_text=True)
    assert 'href="/district/roster.csv?status=behind"' in page
    r = client.get("/district/roster.csv?status=behind")
    assert r.status_code == 200 and "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert {int(row["educator_id"]) for row in rows} == set(row_ids(page)) == {staff["behind"].id, staff["lastday"].id}
    behind = next(row for row in rows if int(row["educator_id"]) == staff["behind"].id)
    assert (behind["license"], behind["earned"], behind["required"], behind["unit"], behind["renewal"]) == (
        "professional", "49", "100", "hours", "Behind pace")
    everyone = list(csv.DictReader(io.StringIO(client.get("/district/roster.csv").get_data(as_text=True))))
    assert len({row["educator_id"] for row in everyone}) == 7
    searched = client.get("/district/roster.csv?q=Complete").get_data(as_text=True)
    assert "111007" in searched and "111001" not in searched


# -- a new hire -------------------------------------------------------------------------

def hire(client, **fields):
    data = {"csrf_token": csrf_token(client, "/district/new-hire"), "first_name": "Grace", "last_name": "Hopper",
            "email": "grace@example.org", "license_number": "333001", "license_state": "UT",
            "license_type": "professional", "cycle_start": "2024-07-01", "cycle_end": "2029-06-30",
            "employed_since": "2025-03-01", **fields}
    return client.post("/district/new-hire", data=data)


def test_hr_adds_a_new_hire_with_their_license(staff, web_user):
    client = juab_hr(web_user)
    page = client.get("/district/new-hire").get_data(as_text=True)
    assert '<option value="UT" selected>' in page and 'value="TN"' not in page   # HR: its own state only
    r = hire(client)
    assert r.status_code == 302
    person = db.session.scalar(select(Educator).where(Educator.license_number == "333001"))
    assert r.headers["Location"].startswith(f"/educators/{person.id}")
    assert (person.first_name, person.email, person.district.code, person.state.code) == (
        "Grace", "grace@example.org", "JUAB", "UT")
    lic = db.session.scalar(select(License).where(License.educator_id == person.id))
    assert (lic.type, lic.cycle_start, lic.cycle_end) == ("professional", date(2024, 7, 1), date(2029, 6, 30))
    job = db.session.scalar(select(Employment).where(Employment.educator_id == person.id))
    assert job.started_on == date(2025, 3, 1)
    assert "Added Grace Hopper" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert person.id in row_ids(client.get("/district").get_data(as_text=True))


@pytest.mark.parametrize("fields,field,message", [
    ({"first_name": ""}, "first_name", "Length must be between 1 and 100"),
    ({"email": "not-an-email"}, "email", "email"),
    ({"license_number": "=cmd|x"}, "license_number", "letters, digits"),
    ({"cycle_end": "2020-01-01"}, "cycle_end", "before cycle_start"),
    ({"cycle_start": "2024-02-30"}, "cycle_start", "Not a valid date"),
    ({"license_type": "wizard"}, "license_type", "no license type 'wizard'"),
])
def test_a_bad_new_hire_is_refused_by_field_and_adds_nothing(staff, web_user, fields, field, message):
    client = juab_hr(web_user)
    before = count(Educator)
    r = hire(client, **fields)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    error = re.search(rf'data-testid="error-{field}">([^<]*)<', page)
    assert error and message in error.group(1).replace("&#39;", "'"), page[:0]
    assert 'id="hire-errors"' in page and "data-focus" in page       # the summary beside the form, focused
    assert count(Educator) == before


def test_hr_cannot_license_a_new_hire_in_another_state(staff, web_user):
    """F-06: another state's license would put the educator in that state's scope."""
    client = juab_hr(web_user)
    before = (count(Educator), count(License))
    r = hire(client, license_state="TN")
    assert r.status_code == 403
    error = re.search(r'data-testid="error-license_state">([^<]*)<', r.get_data(as_text=True))
    assert error and "only in UT" in error.group(1)
    assert (count(Educator), count(License)) == before


def test_a_license_number_already_recorded_is_named(staff, web_user):
    client = juab_hr(web_user)
    r = hire(client, license_number="111001")                        # Juab's own teacher
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert re.search(r'data-testid="error-license_number">[^<]*already an educator', page)
    assert f'href="/educators/{staff["pace"].id}"' in page
    r = hire(client, license_number="222001")                        # Nebo's: named nowhere
    assert r.status_code == 409
    assert "Nebo" not in r.get_data(as_text=True) and "outside" in r.get_data(as_text=True)


def test_moving_someone_in_is_the_state_offices_as_in_the_api(staff, web_user, client):
    hr = juab_hr(web_user)
    assert "ask the state office" in hr.get("/district/new-hire").get_data(as_text=True).lower()
    assert hr.get("/district/new-hire/search?q=Nebo").status_code == 403
    token = csrf_token(hr, "/district/new-hire")
    r = hr.post(f"/district/new-hire/move/{staff['nebo'].id}", data={"csrf_token": token, "started_on": "2025-03-01"})
    assert r.status_code == 404                                     # outside HR's scope, as in the API
    client.post("/logout", data={"csrf_token": token})

    office = web_user("state_office", state="UT")
    page = office.get("/district/new-hire/search?district=JUAB&q=Moved").get_data(as_text=True)
    assert 'data-testid="found-educator"' in page and "222003" in page   # in Nebo since 2024-08-01
    token = csrf_token(office, "/district/new-hire?district=JUAB")
    mover = staff["moved"].id
    r = office.post(f"/district/new-hire/move/{mover}?district=JUAB",
                    data={"csrf_token": token, "started_on": "2025-04-01", "q": "Moved"})
    assert r.status_code == 422                                     # DAY is 2025-03-10
    form = re.search(rf'id="move-{mover}">.*?</form>', r.get_data(as_text=True), re.DOTALL).group(0)
    assert "Not moved: is after today" in form and "data-focus" in form
    r = office.post(f"/district/new-hire/move/{mover}?district=JUAB",
                    data={"csrf_token": token, "started_on": "2025-03-01"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Educator, mover).district.code == "JUAB"


# -- answers beside the form ------------------------------------------------------------

def test_record_answers_inside_the_form_that_was_sent_and_focuses_it(staff, ledger, web_user):
    ledger.record(staff["done"], "DP-FA-01", date(2024, 1, 5))
    client = juab_hr(web_user)
    path = f"/educators/{staff['done'].id}"
    token = csrf_token(client, path)
    r = client.post(f"{path}/entries", data={"csrf_token": token, "kind": "microcredential",
                                             "credential": "DP-FA-01", "earned_on": "2024-02-01"})
    assert r.status_code == 409 or r.status_code == 422
    page = r.get_data(as_text=True)
    mc_form = page[page.index('id="record-mc"'):page.index('id="record-activity"')]
    assert 'data-testid="record-error"' in mc_form and "data-focus" in mc_form and "already held" in mc_form
    assert page.count("data-focus") == 1
    assert f'action="{path}/entries#record-mc"' in page              # the answer opens at the form

    r = client.post(f"{path}/entries", data={"csrf_token": token, "kind": "activity", "title": "Course",
                                             "hours": "3", "earned_on": "2024-02-01"})
    assert r.status_code == 302 and r.headers["Location"].endswith("#record-activity")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    activity_form = page[page.index('id="record-activity"'):]
    assert re.search(r'data-testid="record-notice"[^>]*>Recorded Course, earned 2024-02-01', activity_form)
    assert 'class="flashes"' not in page                             # not at the top, out of sight


def test_void_answers_in_the_row_and_above_the_entries(staff, ledger, web_user):
    entry = ledger.record(staff["done"], "DP-FA-02", date(2024, 1, 5))
    client = juab_hr(web_user)
    token = csrf_token(client, f"/educators/{staff['done'].id}")
    r = client.post(f"/entries/{entry.id}/void", data={"csrf_token": token, "reason": "  "})
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    row = page[page.index(f'id="void-{entry.id}"'):]
    assert row.startswith(f'id="void-{entry.id}" open')
    assert re.search(r'data-focus data-testid="void-error"', row[:row.index("</form>")])
    r = client.post(f"/entries/{entry.id}/void", data={"csrf_token": token, "reason": "entered twice"})
    assert r.status_code == 302 and r.headers["Location"].endswith("#void-notice")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert re.search(r'id="void-notice">Voided DP-FA-02, earned 2024-01-05', page)


# -- salary runs ------------------------------------------------------------------------

def test_a_second_run_for_one_pay_date_needs_a_confirmation(staff, web_user, client):
    juab_hr(web_user)
    assert make_run(client, "2025-12-01").status_code == 302
    r = make_run(client, "2025-12-01")
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    warning = re.search(r'<div class="alert warn"[^>]*data-testid="same-date-warning".*?</div>', page,
                        re.DOTALL).group(0)
    assert "already has a run for pay date 2025-12-01" in warning and "data-focus" in warning
    assert '<input type="hidden" name="confirm" value="2025-12-01">' in warning
    assert count(SalaryRun) == 1                                    # nothing posted without it
    token = csrf_token(client, "/district/salary-runs")
    r = client.post("/district/salary-runs", data={"csrf_token": token, "pay_date": "2025-12-01",
                                                   "confirm": "2025-11-01"})
    assert r.status_code == 409 and count(SalaryRun) == 1             # a confirmation for another date
    r = client.post("/district/salary-runs", data={"csrf_token": token, "pay_date": "2025-12-01",
                                                   "confirm": "2025-12-01"})
    assert r.status_code == 302 and count(SalaryRun) == 2
    assert make_run(client, "2026-01-01").status_code == 302           # a new date needs no confirmation


def test_the_api_still_makes_a_second_run_for_one_pay_date(staff, ledger, client):
    headers = ledger.headers("district_hr", district="JUAB")
    for _ in range(2):
        r = client.post("/api/v1/districts/JUAB/salary-runs", json={"pay_date": "2025-12-01"}, headers=headers)
        assert r.status_code == 201
    assert all(row["credits_new"] == 0 for row in r.get_json()["rows"])


# -- the import report ------------------------------------------------------------------

GOOD = b"111001,UT,DP-FA-01,2025-01-05\n"
OTHER = b"111002,UT,DP-FA-02,2025-01-05\n"
BAD = b"111002,UT,NOPE-99,2025-01-05\n"
HEAD = b"license_number,state,credential,earned_on\n"


def verdict(page: str) -> tuple[str, str, str]:
    text = re.search(r'data-testid="import-verdict"[^>]*>([^<]+)<', page).group(1)
    recorded = re.search(r'data-testid="import-recorded">([^<]+)<', page).group(1)
    label = re.search(r'data-testid="import-accepted">[^<]*</div><div class="small"><span class="pill \w+">([^<]+)<',
                      page).group(1)
    return text, recorded, label


@pytest.mark.parametrize("body,flags,says,recorded,label,added", [
    (HEAD + GOOD + OTHER, {}, "Recorded 2 entries.", "Yes", "recorded", 2),
    (HEAD + GOOD + BAD, {"partial": True}, "Recorded 1 entry; 1 bad row left out", "Yes", "recorded", 1),
    (HEAD + GOOD + BAD, {}, "Nothing was recorded: 1 row has errors", "No", "good rows, not recorded", 0),
    (HEAD + BAD, {"partial": True}, "Nothing was recorded: every row with something new has errors", "No",
     "recorded", 0),
    (HEAD + GOOD, {"dry_run": True}, "Checked only: nothing was recorded. 1 row would be recorded.", "No",
     "would be recorded", 0),
    (HEAD + GOOD + BAD, {"dry_run": True}, "Checked only: nothing was recorded. 1 row would be recorded, 1 would "
     "be rejected (listed below). Imported as it is, the file would record nothing", "No", "would be recorded", 0),
])
def test_the_import_report_says_one_thing(staff, web_user, body, flags, says, recorded, label, added):
    client = juab_hr(web_user)
    before = count(Entry)
    text, tile, accepted = verdict(upload(client, body, **flags).get_data(as_text=True))
    assert text.startswith(says), text
    assert (tile, accepted) == (recorded, label)
    assert count(Entry) == before + added
    assert ("Yes" if text.startswith("Recorded") else "No") == tile    # the tile never contradicts the verdict


def test_the_same_file_again_says_nothing_was_recorded(staff, web_user):
    client = juab_hr(web_user)
    upload(client, HEAD + GOOD)
    text, tile, _ = verdict(upload(client, HEAD + GOOD).get_data(as_text=True))
    assert text == "Nothing was recorded: there was nothing new, every row was already in the ledger."
    assert tile == "No"


# -- checklists -------------------------------------------------------------------------

def test_checklists_name_each_credential(ledger, web_user, today):
    doc = deepcopy(samples.UT)
    doc["districts"][0]["pathways"] = [{
        "code": "JUAB-TL", "name": "Teacher Leader", "designation": "Lead Teacher",
        "core": ["DP-FA-01", "DP-LIT-01"], "electives": [{"choose": 1, "from": ["BB-CM-01", "NEA-TL-01"]}]}]
    load_rulebook(db.session, ACTOR, doc)
    db.session.commit()
    teacher = ledger.educator("UT", district="JUAB")
    ledger.record(teacher, "DP-FA-01", date(2023, 1, 10))
    ledger.record(teacher, "NEA-TL-01", date(2023, 2, 10))
    page = juab_hr(web_user).get(f"/educators/{teacher.id}").get_data(as_text=True)
    core = re.search(r'data-testid="core-checklist">(.*?)</ul>', page, re.DOTALL).group(1)
    items = [re.sub(r"<[^>]+>", "", li).split() for li in re.findall(r"<li[^>]*>(.*?)</li>", core)]
    assert [" ".join(i) for i in items] == [
        "DP-FA-01 Formative Assessment: Checking for Understanding earned 2023-01-10",
        "DP-LIT-01 Reading Fluency still needed"]
    electives = re.search(r'data-testid="elective-checklist">(.*?)</ul>', page, re.DOTALL).group(1)
    assert re.search(r'class="todo"><span class="nowrap">BB-CM-01</span> <span data-testid="credential-title">'
                     r'Classroom Routines</span>', electives)
    assert re.search(r'class="done"><span class="nowrap">NEA-TL-01</span> <span data-testid="credential-title">'
                     r'Teacher Leadership</span>', electives)
