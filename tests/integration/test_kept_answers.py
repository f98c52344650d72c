"""GET /educators/{id}/standing for today in the educator's own state is kept (issue 18,
item 5): the engine's answer, sent again while the educator's projection token and the
state's rulebook version are those it was computed under; any write that judges the
educator again, a new version, or a catalog change to what they hold makes it recomputed;
another day or another state is always the engine's."""

from copy import deepcopy
from datetime import date

import pytest
import sqlalchemy as sa

from ledger import clock
from ledger.models import StandingAnswer, StandingCycle, StandingEducator
from ledger.standing.answer import educator_standing

from .. import samples

TODAY = date(2026, 11, 25)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def get(client, ledger, e, query=""):
    r = client.get(f"/api/v1/educators/{e.id}/standing{query}", headers=ledger.headers())
    assert r.status_code == 200, r.get_data(as_text=True)
    return r


def kept(session, e):
    return session.scalar(sa.select(sa.func.count()).select_from(StandingAnswer)
                          .where(StandingAnswer.educator_id == e.id))


def test_the_kept_answer_is_the_engines_and_a_write_replaces_it(ledger, client, session):
    e = ledger.educator("TN", licenses=[{"type": "professional", "cycle_start": date(2024, 7, 1),
                                         "cycle_end": date(2029, 6, 30)}])
    first = get(client, ledger, e)
    assert kept(session, e) == 1
    again = get(client, ledger, e)
    assert first.get_data() == again.get_data() and again.mimetype == "application/json"
    assert again.json == educator_standing(session, session.merge(e), None, TODAY)
    assert get(client, ledger, e, f"?as_of={TODAY}").json == again.json  # today named: the same
    ledger.record(e, title="Institute", hours=60, earned_on=date(2025, 1, 1))
    after = get(client, ledger, e)
    assert after.json["renewal"][0]["status"] == "complete" and after.json != again.json
    assert after.json == educator_standing(session, session.merge(e), None, TODAY)


def test_another_day_or_state_is_the_engines_and_is_not_kept(ledger, client, session):
    e = ledger.educator("TN", licenses=[{"type": "professional", "cycle_start": date(2024, 7, 1),
                                         "cycle_end": date(2029, 6, 30)}])
    past = get(client, ledger, e, "?as_of=2025-01-01")
    moved = get(client, ledger, e, "?state=UT")
    assert kept(session, e) == 0
    assert past.json["as_of"] == "2025-01-01" and moved.json["state"] == "UT"


def test_a_changed_token_or_a_new_version_is_not_answered_from_the_kept_one(ledger, client, session):
    e = ledger.educator("TN", licenses=[{"type": "professional", "cycle_start": date(2024, 7, 1),
                                         "cycle_end": date(2029, 6, 30)}])
    ledger.record(e, title="Institute", hours=60, earned_on=date(2025, 1, 1))
    assert get(client, ledger, e).json["renewal"][0]["required_units"] == 60
    # a kept answer that no longer matches its token is recomputed, never sent
    session.execute(sa.update(StandingAnswer).where(StandingAnswer.educator_id == e.id)
                    .values(body='{"forged": true}\n'))
    session.execute(sa.update(StandingEducator).where(StandingEducator.educator_id == e.id).values(token="x" * 32))
    session.commit()
    assert "forged" not in get(client, ledger, e).json
    doc = deepcopy(samples.TN)
    next(r for r in doc["renewal"] if r["license"] == "professional")["required_units"] = 90
    assert client.post("/api/v1/rulebooks", json=doc, headers=ledger.headers()).status_code == 201
    assert get(client, ledger, e).json["renewal"][0]["required_units"] == 90


def test_a_catalog_load_that_changes_a_credentials_tags_judges_its_holders_again(ledger, client, session):
    e = ledger.educator("TN", licenses=[{"type": "practitioner", "cycle_start": date(2024, 7, 1),
                                         "cycle_end": date(2029, 6, 30)}])
    for code, day in (("BB-CM-01", date(2025, 1, 1)), ("BB-CM-02", date(2025, 2, 1)), ("DP-FA-01", date(2025, 3, 1)),
                      ("DP-FA-02", date(2025, 4, 1)), ("BB-LD-01", date(2025, 5, 1))):
        ledger.record(e, code, earned_on=day)
    fixed = sa.select(StandingCycle.fixed_status).where(StandingCycle.educator_id == e.id)
    assert session.scalar(fixed) is None  # 36 units, but no literacy: the minimum is not met
    assert get(client, ledger, e).json["renewal"][0]["status"] == "in_progress"
    catalog = deepcopy(samples.CATALOG)
    for c in catalog["credentials"]:
        if c["code"] in ("BB-CM-01", "BB-CM-02"):  # 8 units each (BloomBoard's rate): 16 of literacy
            c["tags"] = [*c["tags"], "literacy"]
    r = client.post("/api/v1/catalog", json=catalog, headers=ledger.headers())
    assert r.status_code in (200, 201), r.json
    assert session.scalar(fixed) == "complete"
    assert get(client, ledger, e).json["renewal"][0]["status"] == "complete"


def test_warming_keeps_exactly_the_engines_answer_for_everyone(ledger, client, session, runner):
    a = ledger.educator("TN", licenses=[{"type": "professional", "cycle_start": date(2024, 7, 1),
                                         "cycle_end": date(2029, 6, 30)}])
    b = ledger.educator("UT", district="JUAB")
    ledger.record(a, "DP-FA-01", earned_on=date(2025, 1, 1))
    ledger.record(b, "DP-FA-01", earned_on=date(2025, 1, 1))
    r = runner.invoke(args=["ledger", "warm-standings"])
    assert r.exit_code == 0 and "kept" in r.output, r.output
    for e in (a, b):
        assert kept(session, e) == 1
        body = session.scalar(sa.select(StandingAnswer.body).where(StandingAnswer.educator_id == e.id))
        import json
        assert json.loads(body) == educator_standing(session, session.merge(e), None, TODAY)
        assert get(client, ledger, e).get_data(as_text=True) == body  # answered from what is kept
