"""The demo a state office is shown: loads, mixes statuses, and is idempotent."""

import sqlalchemy as sa

from ledger.models import Educator, Entry, RulebookVersion, User, db


def counts():
    return [db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in (Educator, Entry, RulebookVersion, User)]


def test_the_demo_loads_once_prints_its_logins_and_adds_nothing_the_second_time(runner):
    first = runner.invoke(args=["ledger", "demo"])
    assert first.exit_code == 0, first.output
    logins = [line.split() for line in first.output.splitlines() if line.startswith("login: ")]
    assert sorted(l[1] for l in logins) == ["admin", "district_hr", "educator", "state_office"]
    assert all(len(l) == 4 for l in logins)
    educators, entries, versions, users = before = counts()
    assert educators >= 200 and entries > 2000 and versions == 4 and users == 4
    again = runner.invoke(args=["ledger", "demo"])
    assert again.exit_code == 0 and counts() == before
    assert [l for l in again.output.splitlines() if l.startswith("login: ")] == [
        l for l in first.output.splitlines() if l.startswith("login: ")]
