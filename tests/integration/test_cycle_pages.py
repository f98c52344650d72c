"""The teacher's page follows the license's life (issue 13, item 3): each entry says which
cycle it counts toward, or why none (after the last cycle ended with no next one open;
after a renewal); the headline never says all is well while a cycle is in its grace days
or a designation has lapsed; a lapsed designation shows no later maintenance periods."""

from __future__ import annotations

import re
from copy import deepcopy
from datetime import date

from .. import samples
from .test_pathways_api import UT_CARDS, juab  # noqa: F401 (a fixture)

CYCLE = {"type": "professional", "cycle_start": date(2020, 7, 1), "cycle_end": date(2025, 6, 30)}
NEXT = {**CYCLE, "cycle_start": date(2025, 7, 1), "cycle_end": date(2030, 6, 30)}


def today_is(monkeypatch, day):
    from ledger import clock

    monkeypatch.setattr(clock, "today", lambda: day)


def page(web_user, e):
    return web_user("educator", educator=e.id).get(f"/educators/{e.id}").get_data(as_text=True)


def toward(html):
    """Each entry's row: (its title, where it counts), newest first."""
    rows = re.findall(r'<tr data-testid="entry">(.*?)</tr>', html, re.S)
    out = []
    for row in rows:
        what = re.search(r'data-label="What">(.*?)</td>', row, re.S).group(1)
        code = re.search(r"<strong>(.*?)</strong>", what)
        title = code.group(1) if code else re.sub(r"<span.*?</span>", "", what).strip()
        where = re.search(r'data-testid="counts-toward">(.*?)</td>', row, re.S).group(1)
        out.append((title, where))
    return out


def verdict(html):
    return re.search(r'data-testid="verdict">(.*?)</span>', html).group(1)


def grace_rulebook(client, ledger):
    doc = deepcopy(samples.TN)
    for rule in doc["renewal"]:
        rule.update(grace_days=61, cycle_years=5)
    assert client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers()).status_code == 201


def test_each_entry_names_its_cycle_and_one_after_the_last_cycle_says_none_is_open_yet(
        ledger, web_user, monkeypatch):
    today_is(monkeypatch, date(2026, 12, 4))
    e = ledger.educator("TN", licenses=[CYCLE])
    ledger.record(e, title="Institute", hours=60, earned_on=date(2023, 1, 10))
    ledger.record(e, title="Autumn course", hours=5, earned_on=date(2025, 9, 1))
    assert toward(page(web_user, e)) == [
        ("Autumn course", "None open yet: after cycle 1 ended 30 June 2025; it counts toward the next cycle "
                          "once the license is renewed"),
        ("Institute", "Cycle 1, 2020-2025")]


def test_grace_entries_say_which_cycle_they_went_to(ledger, client, web_user, monkeypatch):
    today_is(monkeypatch, date(2026, 12, 4))
    grace_rulebook(client, ledger)
    e = ledger.educator("TN", licenses=[CYCLE, NEXT])
    ledger.record(e, title="Institute", hours=50, earned_on=date(2023, 1, 1))
    ledger.record(e, title="Completing course", hours=10, earned_on=date(2025, 8, 30))  # last day of grace
    ledger.record(e, title="Later course", hours=3, earned_on=date(2025, 8, 30))  # the same day, after it
    assert toward(page(web_user, e)) == [
        ("Later course", "Cycle 2, 2025-2030"),
        ("Completing course", "Cycle 1, 2020-2025 (in its grace days)"),
        ("Institute", "Cycle 1, 2020-2025")]


def test_the_headline_warns_of_a_cycle_in_grace_even_when_the_next_has_begun(
        ledger, client, web_user, monkeypatch):
    today_is(monkeypatch, date(2025, 8, 1))
    grace_rulebook(client, ledger)
    e = ledger.educator("TN", licenses=[CYCLE, NEXT])
    ledger.record(e, title="Institute", hours=50, earned_on=date(2023, 1, 1))
    html = page(web_user, e)
    assert verdict(html) == "A cycle ended short: in grace until 30 August 2025"
    today_is(monkeypatch, date(2025, 8, 31))  # grace over: cycle 1 is history; cycle 2 is judged alone
    assert verdict(page(web_user, e)) == "Behind pace for renewal"


def test_a_lapsed_designation_is_in_the_headline_and_shows_no_later_periods(
        juab, ledger, client, web_user, monkeypatch):  # noqa: F811 (the fixture)
    e, ids = juab
    today_is(monkeypatch, date(2026, 11, 25))
    html = page(web_user, e)
    assert "Teacher Leader lapsed" not in verdict(html)
    client.post(f"/api/v1/entries/{ids['NEA-SE-01']}/void", json={"reason": "wrong teacher"},
                headers=ledger.headers())
    html = page(web_user, e)
    assert verdict(html).endswith("; Teacher Leader lapsed")
    assert 'class="pill bad" data-testid="verdict"' in html
    timeline = re.search(r'aria-label="Maintenance periods">(.*?)</ol>', html, re.S).group(1)
    assert "Period 1" in timeline and "Period 2" not in timeline


def test_a_renewed_cycle_on_the_page_says_when_and_later_entries_in_it_count_nowhere(
        ledger, client, web_user, monkeypatch):
    today_is(monkeypatch, date(2025, 6, 20))
    grace_rulebook(client, ledger)
    e = ledger.educator("TN", licenses=[CYCLE])
    ledger.record(e, title="Institute", hours=60, earned_on=date(2023, 1, 10))
    [lic] = client.get(f"/api/v1/educators/{e.id}/licenses", headers=ledger.headers()).json
    r = client.post(f"/api/v1/licenses/{lic['id']}/renewals", json={"renewed_on": "2025-06-15"},
                    headers=ledger.headers())
    assert r.status_code == 201, r.json
    ledger.record(e, title="June workshop", hours=4, earned_on=date(2025, 6, 18))
    html = page(web_user, e)
    assert "Renewed on 15 June 2025" in html and verdict(html) == "Renewal requirements met"
    assert toward(html)[0] == ("June workshop", "None: after cycle 1 was renewed")


def test_a_school_year_ended_short_is_named_as_the_reason_and_carried_units_are_said(ledger, client, web_user,
                                                                                      monkeypatch):
    today_is(monkeypatch, date(2026, 12, 4))
    doc = deepcopy(samples.TN)
    for rule in doc["renewal"]:
        rule.update(annual_units=10, carry_over_max_units=5)
    assert client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers()).status_code == 201
    e = ledger.educator("TN", licenses=[{**CYCLE, "cycle_start": date(2019, 7, 1), "cycle_end": date(2020, 6, 30)},
                                        {**CYCLE, "cycle_start": date(2020, 7, 1)}])
    ledger.record(e, title="Before", hours=66, earned_on=date(2019, 9, 1))  # 60 needed: 5 carried at most
    ledger.record(e, title="Year one", hours=70, earned_on=date(2020, 9, 1))  # 2020-21 only: 2021-22 ends short
    html = page(web_user, e)
    assert "The school year 2021-2022 ended 30 June 2022 with 0 of 10 PDP" in html
    assert 'data-testid="school-years"' in html and "ended short" in html
    assert "Includes 5 PDP carried over from the cycle before." in html


def test_a_full_micro_credential_cap_says_the_rest_must_come_from_other_learning_and_marks_the_cut(
        ledger, web_user, client, monkeypatch):
    today_is(monkeypatch, date(2024, 1, 1))
    e = ledger.educator("TN", licenses=[CYCLE])  # 60 PDP, micro-credentials at most 30
    for code, day in [("DP-FA-01", date(2021, 3, 1)), ("BB-CM-01", date(2022, 1, 15)),
                      ("DP-LIT-01", date(2022, 2, 1)), ("DP-LIT-02", date(2022, 3, 1)),
                      ("DP-FA-02", date(2022, 4, 1))]:  # 10 + 8 + 6 + 6 + 6 = 36: the last 6 cut to 0
        ledger.record(e, code, day)
    ledger.record(e, title="Before the cycle", hours=5, earned_on=date(2020, 6, 1))
    html = page(web_user, e)
    assert ("Micro-credentials already count as much as the rule allows: the 30 PDP still needed must come "
            "from other kinds of learning.") in html
    rows = dict(toward(html))
    assert rows["DP-FA-02"] == "Cycle 1, 2020-2025 (0 of 6 counted: the micro-credential cap)"
    assert rows["Before the cycle"] == "None: before cycle 1 began"
    pdf = client.get(f"/api/v1/educators/{e.id}/transcript.pdf?state=TN&as_of=2024-01-01", headers=ledger.headers())
    from .test_transcripts import text_of

    text = " ".join(text_of(pdf.data).split())
    assert "counted toward no renewal cycle above" in text and "0 counted (the micro-credential cap)" in text
    assert "Of which counted toward the renewal cycles listed above" in text and "30.00" in text


def test_what_if_i_moved_shows_what_that_state_requires_beside_how_my_learning_would_count(
        ledger, client, web_user, monkeypatch):
    today_is(monkeypatch, date(2026, 12, 4))
    doc = deepcopy(samples.UT)
    doc["renewal"][0].update(cycle_years=5, min_categories=2, categories=[
        {"name": "learning", "tags": ["course", "microcredential"], "max_units": 90},
        {"name": "collaboration", "tags": ["collaboration"], "max_units": 30}])
    assert client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers()).status_code == 201
    e = ledger.educator("TN", licenses=[CYCLE])
    ledger.record(e, title="Course", hours=40, earned_on=date(2023, 1, 10), tags=["course"])
    ledger.record(e, title="Old course", hours=40, earned_on=date(2021, 1, 10), tags=["course"])  # before the window
    html = web_user("educator", educator=e.id).get("/me?state=UT", follow_redirects=True).get_data(as_text=True)
    assert "What Utah requires" in html and 'data-testid="requires"' in html
    for line in ("100 hours each cycle of 5 years", "Micro-credentials count for at most 90 hours",
                 "Collaboration (collaboration): at most 30 hours", "Learning in at least 2 of those areas"):
        assert line in html, line
    assert "Your learning since 5 December 2021 (5 years) would count <strong>40 of 100 hours</strong> there" in html
    own = web_user("educator", educator=e.id).get(f"/educators/{e.id}").get_data(as_text=True)
    assert "requires</h2>" not in own
