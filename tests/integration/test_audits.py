"""Audits for the state office (issue 15, item 3): a reproducible random sample of the
cycles a state renewed in a period, cases listing the entries the renewal counted with
their evidence, and outcomes (passed, or findings voiding the entries disallowed).
Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from ledger import clock
from ledger.access.principals import Principal
from ledger.audits import service as audits
from ledger.errors import Conflict, Forbidden, NotFound
from ledger.licenses import service as licenses
from ledger.models import Audit, AuditCase, AuditEvent, AuditFinding, Entry, db
from ledger.standing.facts import facts_by_educator
from tests.conftest import ACTOR, csrf_token

from .test_submissions import pdf, submit

TODAY = date(2026, 11, 25)
CYCLE = {"type": "professional", "cycle_start": date(2020, 7, 1), "cycle_end": date(2025, 6, 30)}
YEAR = {"period_from": date(2024, 1, 1), "period_to": date(2024, 12, 31)}


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def renewed(ledger, state="TN", on=date(2024, 6, 1), **entry):
    """An educator of `state` whose first cycle was renewed on `on`, with the entry (60
    hours by default; Utah's 100) that completed it; (educator, entry, cycle id)."""
    e = ledger.educator(state, licenses=[CYCLE])
    hours = 100 if state == "UT" else 60
    made = ledger.record(e, **({"title": "Summer institute", "hours": hours, "earned_on": date(2023, 1, 10)} | entry))
    [view] = licenses.licenses_of(db.session, ACTOR, e.id, TODAY)
    licenses.renew(db.session, ACTOR, view.id, {"renewed_on": on, "next_cycle_end": date(2030, 6, 30)}, TODAY)
    db.session.commit()
    return e, made, view.cycles[0].row.id


def draw(state="TN", **data):
    if "share" in data:
        data["share"] = Decimal(data["share"])
    row = audits.sample(db.session, ACTOR, {"state": state, **YEAR, **data})
    db.session.commit()
    return row


def tn_office(web_user):
    return web_user("state_office", state="TN")


# -- sampling

def test_the_same_seed_draws_the_same_cases_and_the_draw_is_random_over_the_sorted_cycle_ids(ledger):
    cycles = sorted(renewed(ledger, on=date(2024, 1 + i, 3))[2] for i in range(8))
    first, again = draw(count=3, seed=11), draw(count=3, seed=11)
    assert [c.cycle_id for c in first.cases] == [c.cycle_id for c in again.cases]
    assert sorted(c.cycle_id for c in first.cases) == sorted(random.Random(11).sample(cycles, 3))
    samples = {tuple(sorted(c.cycle_id for c in draw(count=3, seed=s).cases)) for s in range(1, 6)}
    assert len(samples) > 1  # another seed, another sample
    for s in range(1, 6):
        assert draw(count=3, seed=s).seed == s  # each kept with its seed


def test_a_seed_not_given_is_drawn_and_kept(ledger):
    renewed(ledger)
    row = draw(share="0.5")
    assert row.seed is not None and row.seed >= 0
    assert [c.cycle_id for c in draw(share="0.5", seed=row.seed).cases] == [c.cycle_id for c in row.cases]


def test_a_share_of_a_non_round_count_is_rounded_up(ledger):
    for i in range(30):
        renewed(ledger, on=date(2024, 1 + i % 12, 1 + i // 12))
    assert (len(draw(share=Decimal("0.05"), seed=1).cases), draw(share=Decimal("0.05"), seed=1).candidates) == (2, 30)
    assert len(draw(share=Decimal("0.1"), seed=1).cases) == 3  # exactly 3: not rounded further
    assert len(draw(count=50, seed=1).cases) == 30  # a count beyond the candidates takes them all


def test_both_days_of_the_period_are_included_and_the_days_outside_are_not(ledger):
    inside = {renewed(ledger, on=date(2024, 1, 1))[2], renewed(ledger, on=date(2024, 12, 31))[2]}
    renewed(ledger, on=date(2023, 12, 31))
    renewed(ledger, on=date(2025, 1, 1))
    assert {c.cycle_id for c in draw(count=10, seed=1).cases} == inside


def test_another_states_cycles_are_never_sampled(ledger):
    tn = renewed(ledger)[2]
    renewed(ledger, "UT")
    row = draw(count=10, seed=3)
    assert [c.cycle_id for c in row.cases] == [tn] and row.candidates == 1


def test_no_cycle_renewed_in_the_period_is_a_clear_refusal_and_keeps_no_audit(ledger, web_user):
    renewed(ledger, on=date(2023, 5, 1))
    c = tn_office(web_user)
    r = c.post("/state/audits", data={"csrf_token": csrf_token(c, "/state/audits"), "from": "2024-01-01",
                                      "to": "2024-12-31", "share": "5%"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "No audit was drawn" in page and "no TN cycle was renewed from 2024-01-01 to 2024-12-31" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Audit)) == 0


# -- scope

@pytest.mark.parametrize("role", ["district_hr", "educator"])
def test_hr_and_educators_may_not_open_the_audit_pages_nor_draw_one(ledger, web_user, client, role):
    e, _, _ = renewed(ledger)
    row = draw(count=1, seed=1)
    web_user(role, **({"district": "JUAB"} if role == "district_hr" else {"educator": e.id}))
    for path in ("/state/audits", f"/state/audits/{row.id}", f"/state/audits/{row.id}/cases/{row.cases[0].id}"):
        assert client.get(path).status_code == 403, path
    r = client.post("/state/audits", data={"from": "2024-01-01", "to": "2024-12-31", "count": "1"})
    assert r.status_code in (400, 403)  # no form of theirs carries the token; the page refuses them anyway
    who = Principal(role=role, actor="t", district_id=1, educator_id=e.id)
    with pytest.raises(Forbidden):
        audits.get_audit(db.session, who, row.id)
    with pytest.raises(Forbidden):
        audits.sample(db.session, who, {"state": "TN", **YEAR, "count": 1})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Audit)) == 1


def test_another_states_office_finds_no_such_audit(ledger, web_user, client):
    renewed(ledger)
    row = draw(count=1, seed=1)
    web_user("state_office", state="UT")
    case = row.cases[0]
    assert client.get(f"/state/audits/{row.id}").status_code == 404
    assert client.get(f"/state/audits/{row.id}/cases/{case.id}").status_code == 404
    assert client.get(f"/state/audits/{row.id}/cases/{case.id}/entries/1/evidence").status_code == 404
    assert f"Audit {row.id}" not in client.get("/state/audits").get_data(as_text=True)
    ut = Principal(role="state_office", actor="t", state_id=case.cycle.state_id + 1000)
    with pytest.raises(Forbidden):  # nor draws one of TN's renewals
        audits.sample(db.session, ut, {"state": "TN", **YEAR, "count": 1})


def test_a_state_office_draws_its_own_states_audit_from_the_page(ledger, web_user):
    mine = renewed(ledger)[2]
    c = tn_office(web_user)
    r = c.post("/state/audits", data={"csrf_token": csrf_token(c, "/state/audits"), "from": "2024-01-01",
                                      "to": "2024-12-31", "share": "5%", "seed": "42"})
    assert r.status_code == 302
    row = db.session.scalar(sa.select(Audit))
    assert (row.seed, [c.cycle_id for c in row.cases], row.created_by.startswith("user:")) == (42, [mine], True)
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="seed">42<' in page and "--seed 42" in page


# -- outcomes

def outcome(c, row, case, **form):
    path = f"/state/audits/{row.id}/cases/{case.id}"
    return c.post(path + "/outcome", data={"csrf_token": csrf_token(c, path), **form})


def test_a_case_passed_is_recorded_with_who_and_when_and_cannot_be_decided_again(ledger, web_user):
    _, entry, _ = renewed(ledger)
    row = draw(count=1, seed=1)
    c = tn_office(web_user)
    case = row.cases[0]
    assert outcome(c, row, case, outcome="passed").status_code == 302
    db.session.refresh(case)
    assert case.status == "passed" and case.decided_by.startswith("user:") and case.decided_at is not None
    assert db.session.get(Entry, entry.id).void is None
    assert outcome(c, row, case, outcome="passed").status_code == 409
    with pytest.raises(Conflict):
        audits.decide(db.session, ACTOR, row.id, case.id, "findings", {entry.id: "late"}, TODAY)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "decide_audit_case")) == 1


def test_findings_void_the_entries_disallowed_with_the_reason_and_they_count_nowhere(ledger, web_user):
    e, entry, cycle = renewed(ledger)
    kept = ledger.record(e, title="Reading group", hours=5, earned_on=date(2023, 2, 1))
    row = draw(count=1, seed=1)
    case = row.cases[0]
    c = tn_office(web_user)
    r = outcome(c, row, case, outcome="findings", disallow=[str(entry.id)],
                **{f"reason-{entry.id}": "certificate names another person"})
    assert r.status_code == 302
    db.session.expire_all()
    void = db.session.get(Entry, entry.id).void
    assert void.reason == f"Audit {row.id}: certificate names another person"
    assert db.session.get(Entry, kept.id).void is None
    facts = {f.id for f in facts_by_educator(db.session, [e.id], TODAY)[e.id]}
    assert entry.id not in facts and kept.id in facts
    [finding] = db.session.scalars(sa.select(AuditFinding)).all()
    assert (finding.void_id, finding.reason, finding.case_id) == (void.id, "certificate names another person", case.id)
    assert db.session.get(AuditCase, case.id).status == "findings"
    # the renewal already granted is history: cycle 1 stays complete as its renewal kept it
    [view] = licenses.licenses_of(db.session, ACTOR, e.id, TODAY)
    assert (view.cycles[0].row.id, view.cycles[0].status) == (cycle, "complete")
    page = c.get(f"/state/audits/{row.id}/cases/{case.id}").get_data(as_text=True)
    assert 'data-testid="finding"' in page and "certificate names another person" in page
    assert "The renewal already granted is not re-judged" in page
    assert outcome(c, row, case, outcome="passed").status_code == 409


def test_an_entry_already_void_is_named_as_such_and_not_voided_again(ledger, web_user):
    from ledger.entries.service import void_entry

    _, entry, _ = renewed(ledger)
    row = draw(count=1, seed=1)
    void_entry(db.session, ACTOR, entry.id, "recorded twice")
    db.session.commit()
    c = tn_office(web_user)
    page = c.get(f"/state/audits/{row.id}/cases/{row.cases[0].id}").get_data(as_text=True)
    assert 'data-testid="void"' in page and "recorded twice" in page
    r = outcome(c, row, row.cases[0], outcome="findings", disallow=[str(entry.id)],
                **{f"reason-{entry.id}": "no certificate"})
    assert r.status_code == 302
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert f"Entry {entry.id} was already void" in page and "nothing was voided again" in page
    db.session.expire_all()
    assert db.session.get(Entry, entry.id).void.reason == "recorded twice"
    assert db.session.scalar(sa.select(AuditFinding.void_id)) is None


@pytest.mark.parametrize("form, field, message", [
    ({"outcome": "findings"}, "findings", "disallow at least one entry"),
    ({"outcome": "maybe"}, "outcome", "passed, or findings"),
    ({}, "outcome", "passed, or findings"),
    ({"outcome": "findings", "disallow": "ENTRY"}, "findings.ENTRY", "say why entry"),
    ({"outcome": "passed", "disallow": "ENTRY", "reason-ENTRY": "late"}, "outcome", "decided as findings"),
    ({"outcome": "findings", "disallow": "999999"}, "findings.999999", "is not an entry of this case"),
])
def test_a_bad_outcome_is_named_by_field_and_changes_nothing(ledger, web_user, form, field, message):
    _, entry, _ = renewed(ledger)
    row = draw(count=1, seed=1)
    form = {k: v.replace("ENTRY", str(entry.id)) for k, v in form.items()}
    r = outcome(tn_office(web_user), row, row.cases[0], **{k.replace("ENTRY", str(entry.id)): v
                                                            for k, v in form.items()})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "The outcome was not recorded" in page and message in page
    field = field.replace("ENTRY", str(entry.id))
    if field.startswith("findings.") and field != "findings.999999":
        assert f'id="{field}-error"' in page  # beside the entry's reason
    db.session.expire_all()
    assert db.session.get(AuditCase, row.cases[0].id).status == "open"
    assert db.session.get(Entry, entry.id).void is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditFinding)) == 0


@pytest.mark.parametrize("form, field", [
    ({"from": "2024-01-01", "to": "2024-12-31", "share": "abc"}, "share"),
    ({"from": "2024-01-01", "to": "2024-12-31", "share": "150%"}, "share"),
    ({"from": "2024-01-01", "to": "2024-12-31"}, "share"),
    ({"from": "2024-01-01", "to": "2024-12-31", "share": "5%", "count": "2"}, "share"),
    ({"from": "2024-01-01", "to": "2024-12-31", "count": "0"}, "count"),
    ({"from": "2024-12-31", "to": "2024-01-01", "count": "1"}, "to"),
    ({"from": "yesterday", "to": "2024-12-31", "count": "1"}, "from"),
    ({"from": "2024-01-01", "to": "2024-12-31", "count": "1", "seed": "-3"}, "seed"),
    ({"from": "2024-01-01", "to": "2024-12-31", "count": "1", "seed": "9" * 30}, "seed"),
])
def test_a_bad_new_audit_is_named_by_field_beside_the_form_and_keeps_nothing(ledger, web_user, form, field):
    renewed(ledger)
    c = tn_office(web_user)
    r = c.post("/state/audits", data={"csrf_token": csrf_token(c, "/state/audits"), **form})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "No audit was drawn" in page
    assert f'id="{field}-error"' in page and f'<code>{field}</code>' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Audit)) == 0


# -- evidence

def test_each_entry_shows_its_evidence_file_its_link_or_that_there_is_none(ledger, web_user, client):
    e = ledger.educator("TN", licenses=[CYCLE])
    office = ledger.headers("state_office", state="TN")
    s = submit(client, office, e.id, {"kind": "activity", "title": "Institute", "hours": 40,
                                      "earned_on": "2023-01-10"}, evidence=(pdf(), "certificate.pdf"))
    assert s.status_code == 201, s.json
    filed = client.post(f"/api/v1/submissions/{s.json['id']}/approve", json={}, headers=office).json["id"]
    linked = ledger.record(e, title="Conference", hours=10, earned_on=date(2023, 3, 1),
                           evidence_url="https://example.org/conference-certificate").id
    bare = ledger.record(e, title="Workshop", hours=10, earned_on=date(2023, 4, 1)).id
    [view] = licenses.licenses_of(db.session, ACTOR, e.id, TODAY)
    licenses.renew(db.session, ACTOR, view.id, {"renewed_on": date(2024, 6, 1), "next_cycle_end": date(2030, 6, 30)},
                   TODAY)
    db.session.commit()
    row = draw(count=1, seed=1)
    case = row.cases[0]
    tn_office(web_user)
    page = client.get(f"/state/audits/{row.id}/cases/{case.id}").get_data(as_text=True)
    sections = {m.group(1): m.group(0) for m in re.finditer(r'id="entry-(\d+)".*?</section>', page, re.S)}
    assert set(sections) == {str(filed), str(linked), str(bare)}
    url = f"/state/audits/{row.id}/cases/{case.id}/entries/{filed}/evidence"
    assert 'data-testid="evidence-pdf"' in sections[str(filed)] and url in sections[str(filed)]
    assert 'data-testid="evidence-link"' in sections[str(linked)] and "conference-certificate" in sections[str(linked)]
    assert "No evidence on record." in sections[str(bare)]
    r = client.get(url)
    assert (r.status_code, r.mimetype, r.headers["X-Content-Type-Options"]) == (200, "application/pdf", "nosniff")
    assert r.data == pdf()
    assert client.get(f"/state/audits/{row.id}/cases/{case.id}/entries/{bare}/evidence").status_code == 404


# -- the CLI and the history

def test_the_cli_prints_the_seed_and_the_cases_and_repeats_the_draw(ledger, runner):
    e, _, _ = renewed(ledger)
    renewed(ledger, on=date(2024, 8, 1))
    args = ["ledger", "audit-sample", "--state", "TN", "--from", "2024-01-01", "--to", "2024-12-31", "--share",
            "0.5", "--seed", "9"]
    first, again = runner.invoke(args=args), runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    assert "seed 9" in first.output and "1 of 2 sampled" in first.output and "share 50%" in first.output
    cases = lambda out: [re.sub(r"case \d+: ", "", line) for line in out.splitlines() if "case " in line]  # noqa: E731
    assert cases(first.output) == cases(again.output) and len(cases(first.output)) == 1
    audit_id = int(re.search(r"audit (\d+):", first.output).group(1))
    shown = runner.invoke(args=["ledger", "audit-show", str(audit_id)])
    assert shown.exit_code == 0 and "seed 9" in shown.output and ": open" in shown.output
    bad = runner.invoke(args=["ledger", "audit-sample", "--state", "TN", "--from", "2024-01-01", "--to",
                              "2024-12-31", "--share", "2"])
    assert bad.exit_code == 1 and "share: more than 0 and at most 1" in bad.output
    none = runner.invoke(args=["ledger", "audit-sample", "--state", "TN", "--from", "2010-01-01", "--to",
                               "2010-12-31", "--count", "1"])
    assert none.exit_code == 1 and "no TN cycle was renewed" in none.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Audit)) == 2


def test_an_audit_and_its_findings_are_history_and_a_decided_case_cannot_change(ledger):
    _, entry, _ = renewed(ledger)
    row = draw(count=1, seed=1)
    audits.decide(db.session, ACTOR, row.id, row.cases[0].id, "findings", {entry.id: "no certificate"}, TODAY)
    db.session.commit()
    for sql in ("UPDATE audits SET seed = 2", "DELETE FROM audit_findings", "UPDATE audit_cases SET status = 'open'",
                "DELETE FROM audit_cases"):
        with pytest.raises(sa.exc.DBAPIError), db.session.begin_nested():
            db.session.execute(sa.text(sql))


def test_a_case_outside_its_audit_is_not_found(ledger):
    renewed(ledger)
    a, b = draw(count=1, seed=1), draw(count=1, seed=1)
    with pytest.raises(NotFound):
        audits.get_case(db.session, ACTOR, a.id, b.cases[0].id)


def test_a_renewal_that_kept_no_entry_list_shows_the_entries_earned_in_its_cycle(ledger, web_user):
    """A renewal whose snapshot has no `counted_entries` (renewed with a waiver while no
    rule judged the cycle): the case lists what was earned inside the cycle instead."""
    from ledger.models import LicenseEvent

    e = ledger.educator("TN", licenses=[CYCLE])
    inside = ledger.record(e, title="Workshop", hours=3, earned_on=date(2021, 5, 1))
    ledger.record(e, title="Later workshop", hours=3, earned_on=date(2025, 9, 1))  # after the cycle's end
    [view] = licenses.licenses_of(db.session, ACTOR, e.id, TODAY)
    db.session.add(LicenseEvent(license_id=view.id, cycle_id=view.cycles[0].row.id, kind="renewed",
                                renewed_on=date(2024, 6, 1), reason="records lost in a flood",
                                snapshot={"status": None, "as_of": "2024-06-01",
                                          "waive_reason": "records lost in a flood"}, actor="test"))
    db.session.commit()
    row = draw(count=1, seed=1)
    entries, from_snapshot = audits.case_entries(db.session, row.cases[0])
    assert ([ce.entry.id for ce in entries], from_snapshot) == ([inside.id], False)
    page = tn_office(web_user).get(f"/state/audits/{row.id}/cases/{row.cases[0].id}").get_data(as_text=True)
    assert "The renewal kept no list of entries" in page and "records lost in a flood" in page


def test_an_admin_opens_any_states_audit_and_draws_one_for_the_state_picked(ledger, web_user):
    ut = renewed(ledger, "UT")[2]
    row = draw("UT", count=1, seed=4)
    c = web_user("admin")
    assert c.get(f"/state/audits/{row.id}").status_code == 200
    r = c.post("/state/audits?state=UT", data={"csrf_token": csrf_token(c, "/state/audits?state=UT"),
                                               "from": "2024-01-01", "to": "2024-12-31", "count": "1"})
    assert r.status_code == 302 and "state=UT" in r.headers["Location"]
    newest = db.session.scalar(sa.select(Audit).order_by(Audit.id.desc()).limit(1))
    assert (newest.state.code, [c.cycle_id for c in newest.cases]) == ("UT", [ut])
