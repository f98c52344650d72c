"""The demo a state office is shown: loads, mixes statuses, and is idempotent."""

from collections import Counter
from datetime import date, timedelta

import sqlalchemy as sa

from ledger.models import Educator, Entry, RulebookVersion, User, db
from ledger.standing.answer import educator_standing


def counts():
    return [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Educator, Entry, RulebookVersion, User)]


def test_the_demo_loads_once_prints_its_logins_and_adds_nothing_the_second_time(runner):
    first = runner.invoke(args=["ledger", "demo"])
    assert first.exit_code == 0, first.output
    logins = [line.split() for line in first.output.splitlines() if line.startswith("login: ")]
    assert sorted(l[1] for l in logins) == ["admin", "district_hr", "educator", "state_office"]
    assert all(len(l) == 4 for l in logins)
    educators, entries, versions, users = before = counts()
    assert educators >= 200 and entries > 2000 and versions == 6 and users == 4
    again = runner.invoke(args=["ledger", "demo"])
    assert again.exit_code == 0 and counts() == before
    assert [l for l in again.output.splitlines() if l.startswith("login: ")] == [
        l for l in first.output.splitlines() if l.startswith("login: ")]


def test_the_demo_shows_every_stage_of_every_card(runner):
    assert runner.invoke(args=["ledger", "demo"]).exit_code == 0
    today = date.today()
    stages, one_short, awarded_last_month, salary = Counter(), set(), set(), Counter()
    for e in db.session.scalars(sa.select(Educator)):
        s = educator_standing(db.session, e, None, today)
        for p in s["pathways"]:
            stages[p["code"], p["status"]] += 1
            if p["status"] == "in_progress" and p["missing_total"] == 1:
                one_short.add(p["code"])
            if p["awarded_on"] and date.fromisoformat(p["awarded_on"]) >= today - timedelta(days=62):
                awarded_last_month.add(p["code"])
        if s["salary"]:
            salary[s["salary"]["district"], s["salary"]["lane"], s["salary"]["base_salary_pct"]] += 1
    for status in ("in_progress", "active", "lapsed", "permanent"):
        assert stages["JUAB-TL-MATH", status], status
    for code in ("KY-RANK2-MC", "LA-MENTOR", "LA-CONTENT", "MO-CCAC-MC"):
        assert stages[code, "in_progress"] and stages[code, "permanent"], code
    assert {"JUAB-TL-MATH", "LA-MENTOR", "MO-CCAC-MC"} <= one_short
    assert {"JUAB-TL-MATH", "LA-CONTENT"} <= awarded_last_month
    # the raise while the Teacher Leader card holds; Rank 2 sets the Kentucky lane
    assert salary["JUAB", "BA", 5.0] and salary["JUAB", "BA", 0.0] and salary["JUAB", "BA+15", 5.0]
    assert salary["FAYETTE", "Rank 2", 0.0] and salary["FAYETTE", "Rank 3", 0.0]
