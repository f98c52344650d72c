"""Review gates what counts (CONTRACT.md section 3): a badge that joined the catalog
through an import counts for nothing (no units under any rate, no salary credit, no role
card) until a state office or an admin approves it; a rejection needs a reason and a
catalog load does not undo it; every review is kept."""

from datetime import date

import pytest
import sqlalchemy as sa

from ledger.models import Credential, CredentialReview, Issuer, db


@pytest.fixture
def badge(ledger, session):
    """A badge imported into the catalog, not yet reviewed."""
    issuer = session.scalar(sa.select(Issuer).where(Issuer.code == "DP"))
    c = Credential(code="OB-1234567890AB", title="Imported badge", issuer_id=issuer.id, tags=["literacy"],
                   badge_id="https://badges.example.org/new", reviewed=False)
    session.add(c)
    session.commit()
    return c


def review(client, ledger, code, headers=None, **body):
    return client.post(f"/api/v1/catalog/{code}/review", json=body, headers=headers or ledger.headers("admin"))


def standing(client, ledger, e):
    return client.get(f"/api/v1/educators/{e.id}/standing?as_of=2024-01-01", headers=ledger.headers()).json


def test_an_unreviewed_badge_counts_for_nothing_until_approved(ledger, client, badge):
    e = ledger.educator("UT", district="JUAB")
    entry = ledger.record(e, "OB-1234567890AB", earned_on=date(2023, 5, 1))
    s = standing(client, ledger, e)
    [v] = [x for x in s["entries"] if x["id"] == entry.id]
    assert (v["units"], v["reason"], v["rule"]) == (0, "not_reviewed", None)  # before no_rate: UT has a rate
    assert entry.id not in s["renewal"][0]["counted_entries"]
    assert (s["salary"]["credits"], s["salary"]["microcredentials"]) == (0, 0)
    r = review(client, ledger, "OB-1234567890AB", decision="approved")
    assert r.status_code == 200, r.json
    assert (r.json["credential"]["review_status"], r.json["review"]["decision"], r.json["entries"]) == (
        "approved", "approved", 1)
    s = standing(client, ledger, e)
    [v] = [x for x in s["entries"] if x["id"] == entry.id]
    assert v["units"] == 7.5 and entry.id in s["renewal"][0]["counted_entries"]
    assert (s["salary"]["credits"], s["salary"]["microcredentials"]) == (0.5, 1)


def test_a_rejection_needs_a_reason_is_kept_and_a_catalog_load_does_not_undo_it(ledger, client, badge, session):
    e = ledger.educator("UT")
    entry = ledger.record(e, "OB-1234567890AB", earned_on=date(2023, 5, 1))
    assert review(client, ledger, "OB-1234567890AB", decision="approved").status_code == 200
    bare = review(client, ledger, "OB-1234567890AB", decision="rejected")
    assert bare.status_code == 422 and "reason" in bare.json["errors"]
    r = review(client, ledger, "OB-1234567890AB", decision="rejected", reason="not issued by Digital Promise")
    assert r.status_code == 200 and r.json["credential"]["review_status"] == "rejected"
    [v] = [x for x in standing(client, ledger, e)["entries"] if x["id"] == entry.id]
    assert (v["units"], v["reason"]) == (0, "rejected")
    load = client.post("/api/v1/catalog", headers=ledger.headers("admin"), json={"credentials": [
        {"code": "OB-1234567890AB", "title": "Imported badge", "issuer": "DP"}]})
    assert load.status_code == 200, load.json
    [c] = [c for c in client.get("/api/v1/catalog", headers=ledger.headers()).json if c["code"] == "OB-1234567890AB"]
    assert c["review_status"] == "rejected"
    kept = session.scalars(sa.select(CredentialReview.decision).order_by(CredentialReview.id)).all()
    assert kept == ["approved", "rejected"]


@pytest.mark.parametrize("role,scope,status", [
    ("district_hr", {"district": "JUAB"}, 403), ("educator", {}, 403), ("state_office", {"state": "UT"}, 200)])
def test_who_may_review(ledger, client, badge, role, scope, status):
    if role == "educator":
        scope = {"educator": ledger.educator("UT").id}
    r = review(client, ledger, "OB-1234567890AB", ledger.headers(role, **scope), decision="approved")
    assert r.status_code == status, r.json


def test_an_unknown_credential_or_decision(ledger, client, badge):
    assert review(client, ledger, "NO-SUCH", decision="approved").status_code == 404
    r = review(client, ledger, "OB-1234567890AB", decision="maybe")
    assert r.status_code == 422 and "decision" in r.json["errors"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CredentialReview)) == 0


def test_the_state_office_reviews_from_the_catalog_page_and_sees_what_it_changed(ledger, client, badge, web_user):
    from ..conftest import csrf_token

    e = ledger.educator("TN", first_name="Ada", last_name="Reviewed")
    ledger.record(e, "OB-1234567890AB", earned_on=date(2023, 5, 1))
    office = web_user("state_office", state="TN")
    page = office.get("/state/catalog?review=awaiting").get_data(as_text=True)
    assert "Awaiting review" in page and "Ada Reviewed" in page
    token = csrf_token(office, "/state/catalog")
    bare = office.post("/state/catalog/OB-1234567890AB/review", data={"csrf_token": token, "decision": "rejected"})
    assert bare.status_code == 422 and "reason: required for a rejection" in bare.get_data(as_text=True)
    r = office.post("/state/catalog/OB-1234567890AB/review", data={"csrf_token": token, "decision": "approved"},
                    follow_redirects=True)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Approved OB-1234567890AB: its 1 entry now counts." in html
    assert "Approved by" in html


def test_the_page_says_in_words_why_an_unreviewed_badge_counts_nowhere(ledger, client, badge, web_user):
    e = ledger.educator("UT", district="JUAB")
    ledger.record(e, "OB-1234567890AB", earned_on=date(2023, 5, 1))  # inside the cycle, yet counted nowhere
    web_user("state_office", state="UT")
    page = client.get(f"/educators/{e.id}").get_data(as_text=True)
    assert "awaiting the state office&#39;s review of this badge" in page
    assert "None: awaiting the state office&#39;s review of this badge" in page
    assert ">not_reviewed<" not in page
