"""The stored status of each projected cycle and the state's kept counts (issue 18): the
SQL judgement and the Python one agree to the day on both engines, a stored status that no
longer holds is judged from the dates before anything stores it again, `settle` (the daily
job, and a page when few are due) stores it without moving any count, and a write moves the
kept counts by exactly its difference."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ledger import clock
from ledger.models import StandingCount, StandingCycle, State
from ledger.standing import check, counts, lists, projection
from ledger.standing import status as judge

TODAY = date(2026, 11, 25)
D = timedelta(days=1)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def lic(start, end):
    return [{"type": "professional", "cycle_start": start, "cycle_end": end}]


def state_id(session, code="TN"):
    return session.scalar(sa.select(State.id).where(State.code == code))


VARIANTS = [  # (earned, required, fixed, renewed, lapses_on offset from the end, superseded offset)
    ("0", "60", None, False, 1, None),
    ("30", "60", None, False, 31, None),
    ("59.99", "60", None, False, 1, None),
    ("10", "60", None, True, None, 400),
    ("60", "60", "complete", True, None, 1),
    ("0", "60", "lapsed", False, None, None),
    ("5", "0", None, False, 91, None),
]


def test_sql_and_python_judge_every_variant_alike_on_every_day_that_matters(ledger, session):
    e = ledger.educator("TN", licenses=lic(date(2024, 3, 1), date(2028, 2, 29)))
    C = StandingCycle
    status = lists.status_expr(session.get_bind().dialect.name, date(2000, 1, 1))  # replaced per day below
    for earned, required, fixed, renewed, lapses, superseded in VARIANTS:
        end = date(2028, 2, 29)
        values = {"earned_units": Decimal(earned), "required_units": Decimal(required), "fixed_status": fixed,
                  "renewed": renewed, "lapses_on": end + timedelta(days=lapses) if lapses else None,
                  "superseded_on": end + timedelta(days=superseded) if superseded else None}
        session.execute(sa.update(C).where(C.educator_id == e.id).values(**values))
        row = dict(session.execute(sa.select(C.__table__).where(C.educator_id == e.id)).one()._mapping)
        edges = {row["cycle_start"], row["cycle_end"] + D, judge._behind_from(row), row["lapses_on"],
                 row["superseded_on"]} - {None}
        for day in sorted({d + k * D for d in edges for k in (-1, 0, 1)}):
            status = lists.status_expr(session.get_bind().dialect.name, day)
            sql = session.scalar(sa.select(sa.case((lists.current_on(day), status))).where(C.educator_id == e.id))
            assert sql == judge.listed(row, day), (values, day)
    session.rollback()


def test_a_status_that_no_longer_holds_is_judged_from_the_dates_then_settled(ledger, session):
    sid = state_id(session)
    late = ledger.educator("TN", licenses=lic(date(2021, 12, 1), date(2026, 11, 30)))  # TN has no grace: lapsed on 1 December
    done = ledger.educator("TN", licenses=lic(date(2022, 7, 1), date(2027, 6, 30)))
    ledger.record(done, title="Institute", hours=60, earned_on=date(2024, 1, 1))
    C = StandingCycle
    stored = session.execute(sa.select(C.status, C.status_on, C.status_until).where(C.educator_id == late.id)).one()
    assert tuple(stored) == ("behind_pace", TODAY, date(2026, 12, 1))
    first_day_lapsed = date(2026, 12, 1)
    want = {"complete": 1, "on_pace": 0, "behind_pace": 0, "in_grace": 0, "lapsed": 1, "licenses": 2, "educators": 2}
    assert counts.read(session, sid, first_day_lapsed) == want  # nothing stored yet: the dates judge it
    assert check.count_differences(session, session.get(State, sid), first_day_lapsed) == []
    listed = lists.page(session, sid, first_day_lapsed, lists.Filters(statuses=("lapsed",)), sa.true())[0]
    assert [r.educator_id for r in listed] == [late.id]
    assert counts.read(session, sid, TODAY)["behind_pace"] == 1  # the day before, as stored

    assert counts.settle(session, first_day_lapsed, sid) == 1
    session.commit()
    stored = session.execute(sa.select(C.status, C.status_on, C.status_until).where(C.educator_id == late.id)).one()
    assert tuple(stored) == ("lapsed", first_day_lapsed, None)  # for good
    kept = dict(session.execute(sa.select(StandingCount.key, StandingCount.count)
                                .where(StandingCount.state_id == sid, StandingCount.count > 0)).all())
    assert kept == {"complete": 1, "lapsed": 1, "educators": 2}
    assert counts.read(session, sid, first_day_lapsed) == want
    assert counts.settle(session, first_day_lapsed, sid) == 0  # nothing left to store


def test_a_page_settles_a_few_rows_itself_and_leaves_many_to_the_daily_job(ledger, session, monkeypatch):
    sid = state_id(session)
    a = ledger.educator("TN", licenses=lic(date(2021, 12, 1), date(2026, 11, 30)))
    b = ledger.educator("TN", licenses=lic(date(2021, 12, 1), date(2026, 11, 30)))
    C = StandingCycle
    monkeypatch.setattr(counts, "SETTLE_INLINE", 1)
    projection.catch_up(session, date(2026, 12, 1), sid)  # two due, one allowed: none stored
    assert set(session.scalars(sa.select(C.status).where(C.educator_id.in_([a.id, b.id])))) == {"behind_pace"}
    monkeypatch.setattr(counts, "SETTLE_INLINE", 2)
    projection.catch_up(session, date(2026, 12, 1), sid)
    assert set(session.scalars(sa.select(C.status).where(C.educator_id.in_([a.id, b.id])))) == {"lapsed"}


def test_each_write_moves_the_kept_counts_by_its_difference(ledger, session, client):
    sid = state_id(session)

    def kept():
        return dict(session.execute(sa.select(StandingCount.key, StandingCount.count)
                                    .where(StandingCount.state_id == sid, StandingCount.count != 0)).all())

    e = ledger.educator("TN", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))
    assert kept() == {"behind_pace": 1, "educators": 1}
    entry = ledger.record(e, title="Institute", hours=30, earned_on=date(2025, 1, 1))  # 30 of 60, 48% gone
    assert kept() == {"on_pace": 1, "educators": 1}
    r = client.post(f"/api/v1/entries/{entry.id}/void", json={"reason": "recorded twice"},
                    headers=ledger.headers())
    assert r.status_code in (200, 201), r.get_data(as_text=True)
    assert kept() == {"behind_pace": 1, "educators": 1}
    ledger.educator("TN", licenses=lic(date(2024, 7, 1), date(2029, 6, 30)))
    assert kept() == {"behind_pace": 2, "educators": 2}
    assert check.count_differences(session, session.get(State, sid), TODAY) == []
