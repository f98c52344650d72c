"""The notices' words in SQL (reminders/words.py) against their Python twins in rules.py,
on both engines, over the edges: every day of a leap year (29 February, the first and last
day of each month, one-digit days), days counted across 29 February and a year's end, one
micro-credential and several, JSON true and false."""

from __future__ import annotations

import json
from datetime import date, timedelta

import sqlalchemy as sa

from ledger.reminders import rules, words

LEAP_YEAR = [date(2024, 1, 1) + timedelta(days=n) for n in range(366)]


def sql(session, expr):
    return session.scalar(sa.select(expr))


def dialect(session) -> str:
    return session.get_bind().dialect.name


def day(d: date):
    return sa.literal(d, sa.Date)


def test_long_date_and_iso_on_every_day_of_a_leap_year(session):
    name = dialect(session)
    spelled = [*session.execute(sa.select(*(words.long_date(name, day(d)) for d in LEAP_YEAR[:183]))).one(),
               *session.execute(sa.select(*(words.long_date(name, day(d)) for d in LEAP_YEAR[183:]))).one()]
    assert spelled == [rules.long_date(d) for d in LEAP_YEAR]
    assert spelled[59] == "29 February 2024" and spelled[0] == "1 January 2024" and spelled[-1] == "31 December 2024"
    isos = session.execute(sa.select(*(words.iso(name, day(d)) for d in LEAP_YEAR[::7]))).one()
    assert list(isos) == [d.isoformat() for d in LEAP_YEAR[::7]]


def test_days_between_across_29_february_and_a_year_end(session):
    name = dialect(session)
    start = date(2024, 2, 28)
    ends = [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1), date(2024, 8, 26), date(2025, 1, 1),
            date(2025, 2, 28), date(2025, 3, 1)]
    got = session.execute(sa.select(*(words.days_between(name, start, day(d)) for d in ends))).one()
    assert list(got) == [(d - start).days for d in ends]  # 0, 1, 2, 180, 308, 366, 367


def test_plural_counts(session):
    got = session.execute(sa.select(*(words.plural(sa.literal(n), "micro-credential", "micro-credentials")
                                      for n in (0, 1, 2, 12)))).one()
    assert list(got) == ["micro-credentials", "micro-credential", "micro-credentials", "micro-credentials"]


def test_json_object_reads_back_as_rules_payload(session):
    name = dialect(session)
    for behind in (True, False):
        payload = words.json_object(name, license="Teaching", left=words.number(sa.literal(3)),
                                    days_left=words.days_between(name, date(2024, 1, 1), day(date(2024, 6, 29))),
                                    behind=words.boolean(name, sa.literal(1) == (1 if behind else 0)),
                                    name=words.text("Ana", " ", "<b>Ruiz</b>"))
        got = sql(session, payload)
        got = json.loads(got) if isinstance(got, str) else got
        assert got == {"license": "Teaching", "left": "3", "days_left": 180, "behind": behind,
                       "name": "Ana <b>Ruiz</b>"}
        assert isinstance(got["behind"], bool) and isinstance(got["days_left"], int)
