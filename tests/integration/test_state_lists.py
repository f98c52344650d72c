"""The state office's educator list (issue 18, item 2): from the projection, filtered by
renewal status, the cycle's end (both days included), district, pathway stage and
designation and name, sorted, paginated, each overview figure a link to its list, and the
same list as streamed CSV; bad filters are named and list nothing; scope holds."""

import csv
import io
import re
from copy import deepcopy
from datetime import date

import pytest

from ledger import clock

from .. import samples

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def lic(start, end, type_="professional", state=None):
    return [{"type": type_, "cycle_start": start, "cycle_end": end, **({"state": state} if state else {})}]


def names(page: str) -> list[str]:
    return re.findall(r'<tr data-testid="educator">\s*<td data-label="Name"><a href="[^"]+">([^<]+)</a>', page)


@pytest.fixture
def people(ledger):
    """Five TN educators, one in each status, and a Utah one with no TN license."""
    out = {
        "lapsed": ledger.educator("TN", licenses=lic(date(2020, 7, 1), date(2025, 6, 30)), last_name="Lapsed"),
        "behind": ledger.educator("TN", licenses=lic(date(2023, 7, 1), date(2028, 6, 30)), last_name="Behind"),
        "on_pace": ledger.educator("TN", licenses=lic(date(2026, 7, 1), date(2031, 6, 30)), last_name="Onpace"),
        "complete": ledger.educator("TN", licenses=lic(date(2022, 7, 1), date(2027, 6, 30)), last_name="Complete"),
        "ut": ledger.educator("UT", last_name="Utahn"),
    }
    ledger.record(out["on_pace"], title="Summer institute", hours=20, earned_on=date(2026, 8, 1))
    ledger.record(out["complete"], title="Summer institute", hours=60, earned_on=date(2023, 8, 1))
    return out


def test_each_status_lists_its_own_and_the_overview_links_there(people, web_user):
    client = web_user("state_office", state="TN")
    overview = client.get("/state").get_data(as_text=True)
    for status, who in (("behind_pace", "Behind"), ("on_pace", "Onpace"), ("complete", "Complete"),
                        ("lapsed", "Lapsed")):
        assert f'href="/state/educators?status={status}"' in overview
        page = client.get(f"/state/educators?status={status}").get_data(as_text=True)
        assert [n.split(",")[0] for n in names(page)] == [who], status
    both = client.get("/state/educators?status=complete&status=lapsed").get_data(as_text=True)
    assert [n.split(",")[0] for n in names(both)] == ["Complete", "Lapsed"]
    everyone = client.get("/state/educators").get_data(as_text=True)
    assert "Utahn" not in everyone and len(names(everyone)) == 4


def test_the_cycle_end_range_includes_both_days_and_sorts(people, web_user):
    client = web_user("state_office", state="TN")
    page = client.get("/state/educators?ends_from=2027-06-30&ends_to=2028-06-30&sort=cycle_end&dir=desc")
    assert [n.split(",")[0] for n in names(page.get_data(as_text=True))] == ["Behind", "Complete"]
    page = client.get("/state/educators?ends_from=2027-07-01&ends_to=2028-06-29").get_data(as_text=True)
    assert names(page) == []


def test_district_pathway_stage_and_designation(ledger, client, web_user):
    doc = deepcopy(samples.UT)
    doc["pathways"] = [{"code": "UT-LEAD", "name": "Assessment lead", "designation": "Assessment Lead",
                        "core": ["DP-FA-01", "DP-FA-02"], "required_count": 2}]
    assert client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers()).status_code == 201
    started = ledger.educator("UT", district="JUAB", last_name="Started", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))
    held = ledger.educator("UT", district="JUAB", last_name="Holder", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))
    ledger.educator("UT", last_name="Elsewhere", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))
    ledger.record(started, "DP-FA-01", earned_on=date(2025, 1, 1))
    ledger.record(held, "DP-FA-01", earned_on=date(2025, 1, 1))
    ledger.record(held, "DP-FA-02", earned_on=date(2025, 2, 1))
    office = web_user("state_office", state="UT")

    def listed(query):
        return sorted(n.split(",")[0] for n in names(office.get(f"/state/educators?{query}").get_data(as_text=True)))
    assert listed("district=JUAB") == ["Holder", "Started"]
    assert listed("pathway=UT-LEAD") == ["Holder", "Started"]
    assert listed("pathway=UT-LEAD&stage=in_progress") == ["Started"]
    assert listed("pathway=UT-LEAD&stage=permanent") == ["Holder"]  # no maintenance: held for good
    assert listed("pathway=UT-LEAD&stage=held") == []
    assert listed("designation=UT-LEAD") == ["Holder"]
    assert listed("q=holder") == ["Holder"]


@pytest.mark.parametrize("query, field", [("ends_from=2026-13-01", "ends_from"), ("status=bogus", "status"),
                                          ("stage=held", "stage"), ("ends_from=2027-01-02&ends_to=2027-01-01",
                                                                    "ends_from"), ("sort=salary", "sort")])
def test_a_bad_filter_is_named_and_lists_nothing(people, web_user, query, field):
    client = web_user("state_office", state="TN")
    r = client.get(f"/state/educators?{query}")
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and f"<strong>{field}</strong>" in page and names(page) == []
    assert client.get(f"/state/educators.csv?{query}").status_code == 400


def test_the_list_pages(people, web_user, monkeypatch):
    from ledger.educators import pages
    monkeypatch.setattr(pages, "PER_PAGE", 3)
    client = web_user("state_office", state="TN")
    first = client.get("/state/educators").get_data(as_text=True)
    second = client.get("/state/educators?page=2").get_data(as_text=True)
    assert len(names(first)) == 3 and len(names(second)) == 1 and "Page 2 of 2" in second
    assert not set(names(first)) & set(names(second))


def test_the_csv_is_the_list_every_line_streamed_and_formula_safe(ledger, people, web_user):
    ledger.educator("TN", licenses=lic(date(2023, 7, 1), date(2028, 6, 30)), first_name="=HYPERLINK(1)",
                    last_name="Behind2")
    client = web_user("state_office", state="TN")
    r = client.get("/state/educators.csv?status=behind_pace")
    assert r.status_code == 200 and r.is_streamed and r.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True))))
    assert [row["last_name"] for row in rows] == ["Behind", "Behind2"]
    assert rows[0]["status"] == "behind_pace" and rows[0]["unit"] == "PDP" and rows[0]["required_units"] == "60.00"
    assert rows[1]["first_name"] == "'=HYPERLINK(1)"


def test_other_roles_and_states(people, web_user, ledger):
    hr = web_user("district_hr", district="JUAB")
    assert hr.get("/state/educators?status=lapsed").status_code == 403
    assert hr.get("/state/educators.csv").status_code == 403
    ut = web_user("state_office", state="UT")
    assert "Behind" not in ut.get("/state/educators?status=behind_pace").get_data(as_text=True)
