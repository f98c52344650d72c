"""District HR's pages (roster, imports, salary runs), on both engines: what HR sees,
filtered to the day, the import report, salary runs and their CSV, and scope."""

from __future__ import annotations

import io
import re
from copy import deepcopy
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from ledger import clock
from ledger.districts import salary_runs
from ledger.educators.employment import move
from ledger.entries.service import void_entry
from ledger.models import Entry, SalaryRun, db
from ledger.rulebooks.service import load_rulebook
from pathways import add_months
from tests import samples
from tests.conftest import ACTOR, csrf_token

DAY = date(2025, 3, 10)
SIX_MONTHS = add_months(DAY, 6)  # 2025-09-10

# Utah with a second district, for scope.
UT_TWO = deepcopy(samples.UT)
UT_TWO["districts"].append({"code": "NEBO", "name": "Nebo School District", "salary_credits_per_mc": 1})


def lic(start, end, type_="professional"):
    return [{"type": type_, "cycle_start": start, "cycle_end": end}]


@pytest.fixture
def today(monkeypatch):
    """The pages' today, settable: `today(day)`."""
    def set_day(day):
        monkeypatch.setattr(clock, "today", lambda: day)
    set_day(DAY)
    return set_day


@pytest.fixture
def staff(ledger, today):
    """Juab teachers at every renewal status on DAY, and people who are not Juab's."""
    load_rulebook(db.session, ACTOR, deepcopy(UT_TWO))
    db.session.commit()
    t = {}
    # half the cycle gone on DAY (200 of 400 days): 50 of 100 hours is exactly on pace
    t["pace"] = ledger.educator("UT", district="JUAB", last_name="Onpace", license_number="111001",
                                licenses=lic(DAY - timedelta(days=200), DAY + timedelta(days=200)))
    ledger.record(t["pace"], None, DAY - timedelta(days=100), title="Summer institute", hours=50)
    t["behind"] = ledger.educator("UT", district="JUAB", last_name="Behind", license_number="111002",
                                  licenses=lic(DAY - timedelta(days=200), DAY + timedelta(days=200)))
    ledger.record(t["behind"], None, DAY - timedelta(days=100), title="Workshop", hours=49)
    # the cycle ends exactly six months on: due soon; a day later: not yet
    t["due"] = ledger.educator("UT", district="JUAB", last_name="Duesoon", license_number="111003",
                               licenses=lic(date(2020, 9, 11), SIX_MONTHS))
    ledger.record(t["due"], None, date(2021, 1, 5), title="Course", hours=99)
    t["later"] = ledger.educator("UT", district="JUAB", last_name="Duelater", license_number="111004",
                                 licenses=lic(date(2020, 9, 12), SIX_MONTHS + timedelta(days=1)))
    ledger.record(t["later"], None, date(2021, 1, 5), title="Course", hours=99)
    # ended yesterday short: lapsed; ends today: still in progress
    t["lapsed"] = ledger.educator("UT", district="JUAB", last_name="Lapsed", license_number="111005",
                                  licenses=lic(date(2020, 3, 10), DAY - timedelta(days=1)))
    t["lastday"] = ledger.educator("UT", district="JUAB", last_name="Lastday", license_number="111006",
                                   licenses=lic(date(2020, 3, 11), DAY))
    t["done"] = ledger.educator("UT", district="JUAB", last_name="Complete", license_number="111007",
                                licenses=lic(date(2022, 7, 1), date(2027, 6, 30)))
    ledger.record(t["done"], None, date(2023, 1, 5), title="Master's course", hours=100)
    # not Juab's: another district, no district, and a teacher who moved away
    t["nebo"] = ledger.educator("UT", district="NEBO", last_name="Nebo", license_number="222001")
    t["none"] = ledger.educator("UT", last_name="Nodistrict", license_number="222002")
    t["moved"] = ledger.educator("UT", district="JUAB", last_name="Moved", license_number="222003",
                                 employed_since=date(2019, 8, 1))
    move(db.session, ACTOR, t["moved"].id, "NEBO", date(2024, 8, 1))
    db.session.commit()
    return t


def row_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-testid="roster-row" data-educator="(\d+)"', page)]


def row_of(page: str, educator_id: int) -> str:
    match = re.search(rf'data-educator="{educator_id}">(.*?)</tr>', page, re.DOTALL)
    assert match, f"educator {educator_id} is not on the page"
    return match.group(1)


def pills(page: str, educator_id: int) -> list[str]:
    return re.findall(r'data-testid="(?:renewal|due|stage)-pill"[^>]*>([^<]+)<', row_of(page, educator_id))


def juab_hr(web_user):
    return web_user("district_hr", district="JUAB")


# -- the roster -------------------------------------------------------------------------

def test_roster_lists_current_employees_with_status_pills_to_the_day(staff, web_user, today):
    client = juab_hr(web_user)
    r = client.get("/district")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    juab = {k: v.id for k, v in staff.items() if k not in ("nebo", "none", "moved")}
    assert set(row_ids(page)) == set(juab.values())          # current employees only
    assert "Nebo" not in page and "Nodistrict" not in page and "Moved" not in page
    assert pills(page, juab["pace"]) == ["On pace"]
    assert "50 of 100 hours" in row_of(page, juab["pace"])
    assert pills(page, juab["behind"]) == ["Behind pace"]
    assert pills(page, juab["due"]) == ["On pace", "Due within 6 months"]
    assert pills(page, juab["later"]) == ["On pace"]
    assert pills(page, juab["lapsed"]) == ["Lapsed"]
    assert pills(page, juab["lastday"]) == ["Behind pace", "Due within 6 months"]
    assert pills(page, juab["done"]) == ["Complete"]
    assert f'href="/educators/{juab["done"]}"' in page
    kpi = dict(re.findall(r'data-testid="kpi-(\w+)"[^>]*>\s*<div class="stat">(\d+)<', page))
    assert kpi == {"employees": "7", "behind": "2", "due_soon": "2", "lapsed": "1", "complete": "1", "holding": "0"}

    # one day later: half the cycle plus a day has gone by, 50 hours is now behind; the
    # last-day cycle has ended short; the later cycle is now within six months
    today(DAY + timedelta(days=1))
    page = client.get("/district").get_data(as_text=True)
    assert pills(page, juab["pace"]) == ["Behind pace"]
    assert pills(page, juab["lastday"]) == ["Lapsed"]
    assert pills(page, juab["later"]) == ["On pace", "Due within 6 months"]
    assert pills(page, juab["due"]) == ["On pace", "Due within 6 months"]
    # the counts too, though no status was stored again: judged from the dates that day
    kpi = dict(re.findall(r'data-testid="kpi-(\w+)"[^>]*>\s*<div class="stat">(\d+)<', page))
    assert kpi == {"employees": "7", "behind": "2", "due_soon": "2", "lapsed": "2", "complete": "1", "holding": "0"}


def test_a_kept_roster_row_is_judged_again_after_a_write_and_a_rename(staff, ledger, web_user):
    client = juab_hr(web_user)
    pace = staff["pace"]
    assert "50 of 100 hours" in row_of(client.get("/district").get_data(as_text=True), pace.id)
    assert "50 of 100 hours" in row_of(client.get("/district").get_data(as_text=True), pace.id)  # as kept
    ledger.record(pace, None, DAY - timedelta(days=10), title="Evening course", hours=10)
    assert "60 of 100 hours" in row_of(client.get("/district").get_data(as_text=True), pace.id)
    pace.last_name = "Renamed"
    db.session.commit()
    assert "Renamed" in row_of(client.get("/district").get_data(as_text=True), pace.id)


def test_roster_pages_everyone_and_a_filter_in_name_order(staff, web_user, monkeypatch):
    from ledger.districts import pages
    monkeypatch.setattr(pages, "PER_PAGE", 3)
    client = juab_hr(web_user)
    juab = sorted((v.last_name, v.id) for k, v in staff.items() if k not in ("nebo", "none", "moved"))
    seen = []
    for number in (1, 2, 3):
        page = client.get(f"/district?page={number}").get_data(as_text=True)
        seen += row_ids(page)
        assert f"page {number} of 3" in page
    assert seen == [i for _, i in juab]                              # 7 employees: 3, 3, 1
    assert row_ids(client.get("/district?page=9").get_data(as_text=True)) == [juab[-1][1]]  # the last page
    on_pace = [i for name, i in juab if name in ("Duelater", "Duesoon", "Onpace")]
    assert row_ids(client.get("/district?status=on_pace&page=1").get_data(as_text=True)) == on_pace
    page = client.get("/district?status=behind").get_data(as_text=True)
    assert "2 of 7 match" in page and "page 1 of" not in page


def test_roster_filters_and_search(staff, web_user):
    client = juab_hr(web_user)

    def ids(query):
        r = client.get("/district" + query)
        assert r.status_code == 200
        return set(row_ids(r.get_data(as_text=True)))

    s = {k: v.id for k, v in staff.items()}
    assert ids("?status=behind") == {s["behind"], s["lastday"]}
    assert ids("?status=due_soon") == {s["due"], s["lastday"]}
    assert ids("?status=lapsed") == {s["lapsed"]}
    assert ids("?status=complete") == {s["done"]}
    assert ids("?status=on_pace") == {s["pace"], s["due"], s["later"]}
    assert ids("?q=duel") == {s["later"]}                       # name, any case
    assert ids("?q=111005") == {s["lapsed"]}                    # license number
    assert ids("?q=1110&status=due_soon") == {s["due"], s["lastday"]}
    assert ids("?q=Nebo") == set()                              # another district's teacher
    assert ids("?stage=none") == set(ids(""))                   # no role card started
    assert ids("?stage=held") == set()
    assert ids("?status=bogus") == ids("")                      # an unknown filter is ignored
    page = client.get("/district?q=zzz").get_data(as_text=True)
    assert "No employee matches these filters" in page
    for label in ("Name or license number", "Renewal", "Role card"):
        assert f">{label}</label>" in page


def test_roster_shows_pathway_stage_and_salary_lane(ledger, client, web_user, today):
    doc = deepcopy(samples.UT)
    doc["districts"][0]["lanes"] = [{"name": "BA", "min_credits": 0}, {"name": "BA+1", "min_credits": 1}]
    doc["districts"][0]["pathways"] = [{"code": "JUAB-TL", "name": "Teacher Leader", "designation": "Lead Teacher",
                                        "core": ["DP-FA-01", "DP-FA-02", "DP-LIT-01"]}]
    load_rulebook(db.session, ACTOR, doc)
    db.session.commit()
    held = ledger.educator("UT", district="JUAB", last_name="Holder")
    started = ledger.educator("UT", district="JUAB", last_name="Starter")
    for code in ("DP-FA-01", "DP-FA-02", "DP-LIT-01"):
        ledger.record(held, code, date(2023, 1, 10))
    ledger.record(started, "DP-FA-01", date(2023, 1, 10))
    page = juab_hr(web_user).get("/district").get_data(as_text=True)
    assert "Permanent" in pills(page, held.id)            # no maintenance: permanent on award
    assert "In progress 1 of 3" in pills(page, started.id)
    assert re.search(r'data-testid="lane">BA\+1<', row_of(page, held.id))   # 1.5 credits
    assert re.search(r'data-testid="lane">BA<', row_of(page, started.id))   # 0.5 credits
    r = juab_hr(web_user).get("/district?stage=holding")
    assert row_ids(r.get_data(as_text=True)) == [held.id]
    assert set(row_ids(client.get("/district?stage=in_progress").get_data(as_text=True))) == {started.id}


def test_chart_counts_employees_mcs_per_month_for_24_months(staff, ledger, web_user):
    pace, behind, nebo = staff["pace"], staff["behind"], staff["nebo"]
    ledger.record(pace, "DP-FA-01", date(2025, 3, 1))          # this month
    ledger.record(behind, "DP-FA-01", date(2025, 3, 10))        # today
    ledger.record(behind, "DP-FA-02", date(2025, 1, 31))
    ledger.record(pace, "DP-LIT-01", date(2023, 4, 1))          # the first of the 24 months
    ledger.record(pace, "DP-LIT-02", date(2023, 3, 31))         # a day before: not shown
    gone = ledger.record(pace, "BB-CM-01", date(2025, 1, 2))    # voided: counts nowhere
    void_entry(db.session, ACTOR, gone.id, "recorded for the wrong teacher")
    ledger.record(nebo, "DP-FA-01", date(2025, 2, 3))           # not Juab's
    ledger.record(staff["moved"], "DP-FA-01", date(2024, 5, 3))  # left Juab
    page = juab_hr(web_user).get("/district").get_data(as_text=True)
    chart = page[page.index('data-testid="mc-chart"'):]
    table = dict(re.findall(r'<tr><td>(\w+ \d{4})</td><td class="num">(\d+)</td></tr>', chart))
    assert len(table) == 24
    months = list(table)
    assert months[0] == "Apr 2023" and months[-1] == "Mar 2025"
    assert table["Mar 2025"] == "2" and table["Jan 2025"] == "1" and table["Apr 2023"] == "1"
    assert table["Feb 2025"] == "0" and table["May 2024"] == "0"
    assert sum(map(int, table.values())) == 4
    assert "last 24 months (4 in all)" in chart
    assert "<svg" in chart and 'role="img"' in chart


def test_admin_picks_a_district(staff, web_user):
    client = web_user("admin")
    page = client.get("/district?district=NEBO").get_data(as_text=True)
    assert set(row_ids(page)) == {staff["nebo"].id, staff["moved"].id}
    assert ">District</label>" in page
    assert set(row_ids(client.get("/district").get_data(as_text=True))) >= {staff["done"].id}  # JUAB first
    assert client.get("/district?district=NOPE").status_code == 404


@pytest.mark.parametrize("role,scope", [("educator", "educator"), ("state_office", {"state": "UT"})])
def test_other_roles_get_403(staff, web_user, role, scope):
    client = web_user(role, educator=staff["pace"].id) if scope == "educator" else web_user(role, **scope)
    for path in ("/district", "/district/imports", "/district/salary-runs", "/district/salary-runs/1",
                 "/district/salary-runs/1.csv"):
        assert client.get(path).status_code == 403, path


def test_signed_out_goes_to_sign_in(client, ledger):
    r = client.get("/district")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


# -- imports ----------------------------------------------------------------------------

def upload(client, body: bytes, name="staff.csv", fmt="csv", **flags):
    data = {"csrf_token": csrf_token(client, "/district/imports"), "format": fmt,
            "file": (io.BytesIO(body), name), **{k: "1" for k, v in flags.items() if v}}
    return client.post("/district/imports", data=data, content_type="multipart/form-data")


def entries():
    return db.session.scalar(select(func.count()).select_from(Entry))


def cells(page: str) -> list[tuple[str, str, str]]:
    table = page[page.index('data-testid="import-errors"'):]
    return re.findall(r'data-label="Row">([^<]*)</td><td data-label="Field"><code>([^<]*)</code></td>'
                      r'<td data-label="Message">([^<]*)</td>', table)


def stat(page: str, name: str) -> str:
    return re.search(rf'data-testid="import-{name}">([^<]+)<', page).group(1)


def test_import_with_a_bad_row_records_nothing_and_reports_it(staff, web_user):
    client = juab_hr(web_user)
    page = client.get("/district/imports").get_data(as_text=True)
    assert "license_number" in page and "external_id" in page      # the columns, as help
    for label in ("File (CSV; Open Badges as JSON, JSON Lines, a VC-JWT or a baked PNG or SVG; up to 16 MiB)", "Format", "Keep the good rows", "Only check"):
        assert f">{label}</label>" in page
    body = (b"license_number,state,credential,earned_on\n"
            b"111001,UT,DP-FA-01,2025-01-05\n"
            b"111002,UT,NOPE-99,2025-01-05\n"
            b"222001,UT,DP-FA-01,2025-01-05\n")                       # Nebo's teacher: not in scope
    before = entries()
    r = upload(client, body)
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert entries() == before
    assert "Nothing was recorded: 2 rows have errors" in page
    assert (stat(page, "accepted"), stat(page, "rejected"), stat(page, "recorded")) == ("1", "2", "No")
    errors = cells(page)
    assert [(row, field) for row, field, _ in errors] == [("2", "credential"), ("3", "license_number")]
    assert "matches no educator" in errors[1][2]

    # only check, with partial: still nothing recorded
    r = upload(client, body, partial=True, dry_run=True)
    assert r.status_code == 200 and entries() == before
    assert "Checked only: nothing was recorded. 1 row would be recorded, 2 would be rejected" in r.get_data(as_text=True)

    # keep the good rows: the good row is recorded, the bad ones listed
    r = upload(client, body, partial=True)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and entries() == before + 1
    assert "Recorded 1 entry; 2 bad rows left out" in page
    assert stat(page, "recorded") == "Yes" and len(cells(page)) == 2

    # the same file again: the good row is a duplicate now
    r = upload(client, body, partial=True)
    assert entries() == before + 1 and stat(r.get_data(as_text=True), "duplicates") == "1"


@pytest.mark.parametrize("body,fmt,message", [
    (b"", "csv", "empty"),
    (b"\xff\xfe\x00bad", "csv", "UTF-8"),
    (b"name,when\nAda,2025-01-01\n", "csv", "license_number"),
    (b"{not json", "openbadges", ""),
    (b"\xff\xfe", "openbadges", "UTF-8"),
    (b"license_number,state,earned_on\x00\n1,UT,2025-01-01\n", "csv", ""),
    (b"[]", "openbadges", "no assertions"),
])
def test_a_file_that_cannot_be_read_gets_the_row_0_message(staff, web_user, body, fmt, message):
    client = juab_hr(web_user)
    before = entries()
    r = upload(client, body, fmt=fmt, name="bad.json" if fmt == "openbadges" else "bad.csv")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "could not be read, and nothing was recorded" in page
    assert cells(page)[0][0] == "file" and message in cells(page)[0][2]
    assert entries() == before


def test_import_form_errors_and_csrf(staff, web_user):
    client = juab_hr(web_user)
    token = csrf_token(client, "/district/imports")
    r = client.post("/district/imports", data={"csrf_token": token, "format": "csv"},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "Choose a file to upload." in r.get_data(as_text=True)
    r = client.post("/district/imports", data={"format": "csv", "file": (io.BytesIO(b"x"), "a.csv")},
                    content_type="multipart/form-data")
    assert r.status_code == 400                                      # no CSRF token


# -- salary runs ------------------------------------------------------------------------

def make_run(client, pay_date, follow=False):
    return client.post("/district/salary-runs", data={"csrf_token": csrf_token(client, "/district/salary-runs"),
                                                      "pay_date": pay_date}, follow_redirects=follow)


def test_salary_run_made_listed_and_downloaded(staff, ledger, client, web_user):
    ledger.record(staff["done"], "DP-FA-01", date(2024, 1, 5))
    ledger.record(staff["done"], "DP-FA-02", date(2024, 2, 5))
    juab_hr(web_user)
    r = make_run(client, "2025-12-01")
    assert r.status_code == 302
    run_id = int(r.headers["Location"].rsplit("/", 1)[1])
    page = client.get(f"/district/salary-runs/{run_id}").get_data(as_text=True)
    assert "Salary run for 2025-12-01" in page
    rows = re.findall(r'<tr data-testid="run-row">(.*?)</tr>', page, re.DOTALL)
    assert len(rows) == 7                                           # Juab's current employees
    done = next(row for row in rows if "111007" in row)
    assert 'data-label="Credits total" class="num">1<' in done and 'data-label="Lane">BA<' in done
    listing = client.get("/district/salary-runs").get_data(as_text=True)
    assert "2025-12-01" in listing and f"/district/salary-runs/{run_id}.csv" in listing

    r = client.get(f"/district/salary-runs/{run_id}.csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"]
    api = client.get(f"/api/v1/salary-runs/{run_id}.csv", headers=ledger.headers("district_hr", district="JUAB"))
    assert r.get_data() == api.get_data()
    assert r.get_data(as_text=True).splitlines()[0] == ",".join(salary_runs.CSV_HEADER)
    assert len(r.get_data(as_text=True).splitlines()) == 8

    # a second run, newest first; a back-dated one is refused, by field
    assert make_run(client, "2026-01-01").status_code == 302
    listing = client.get("/district/salary-runs").get_data(as_text=True)
    assert listing.index("2026-01-01") < listing.index("2025-12-01")
    r = make_run(client, "2025-12-15")
    assert r.status_code == 422
    assert re.search(r'data-testid="pay-date-error">before the latest run&#39;s pay date 2026-01-01<',
                     r.get_data(as_text=True))
    r = make_run(client, "2026-02-30")
    assert r.status_code == 422 and 'data-testid="pay-date-error"' in r.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(SalaryRun)) == 2


def test_another_districts_run_is_not_found(staff, web_user):
    from ledger.access.principals import ADMIN, Principal

    nebo = salary_runs.create_run(db.session, Principal(ADMIN, "test"), "NEBO", date(2025, 6, 1))
    client = juab_hr(web_user)
    assert client.get(f"/district/salary-runs/{nebo.id}").status_code == 404
    assert client.get(f"/district/salary-runs/{nebo.id}.csv").status_code == 404
    assert client.get("/district/salary-runs/99999999999").status_code == 404
    assert "2025-06-01" not in client.get("/district/salary-runs").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/district")})
    admin = web_user("admin")
    assert admin.get(f"/district/salary-runs/{nebo.id}").status_code == 200
    assert "2025-06-01" in admin.get("/district/salary-runs?district=NEBO").get_data(as_text=True)


def test_roster_cycle_end_range_includes_both_days_and_names_a_bad_date(staff, web_user):
    client = juab_hr(web_user)
    juab = {k: v.id for k, v in staff.items()}
    page = client.get(f"/district?ends_from={SIX_MONTHS}&ends_to={SIX_MONTHS + timedelta(days=1)}")
    assert page.status_code == 200
    assert set(row_ids(page.get_data(as_text=True))) == {juab["due"], juab["later"]}
    page = client.get(f"/district?ends_from={DAY}&ends_to={DAY}&status=behind").get_data(as_text=True)
    assert row_ids(page) == [juab["lastday"]]
    bad = client.get("/district?ends_from=2025-02-30")
    assert bad.status_code == 400 and 'id="ends_from-error"' in bad.get_data(as_text=True)
    assert row_ids(bad.get_data(as_text=True)) == []
    backwards = client.get(f"/district?ends_from={SIX_MONTHS}&ends_to={DAY}")
    assert backwards.status_code == 400 and "must not be after ends_to" in backwards.get_data(as_text=True)
    assert client.get("/district/roster.csv?ends_to=soon").status_code == 400
    csv_text = client.get(f"/district/roster.csv?ends_from={SIX_MONTHS}").get_data(as_text=True)
    assert "Duesoon" in csv_text and "Duelater" in csv_text and "Complete" in csv_text
    assert "111005" not in csv_text and "111006" not in csv_text  # ended before the range
