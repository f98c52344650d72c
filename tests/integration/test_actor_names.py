"""Who did something is written in 200-character columns (recorded_by, actor...): a user
with a 254-character e-mail or a token with a 200-character label must still be able to
write, and be named recognisably (PostgreSQL enforces the length; SQLite does not)."""

from __future__ import annotations

import sqlalchemy as sa

from ledger.access.principals import actor_name
from ledger.access.tokens import create_token
from ledger.models import AuditEvent, Entry, db
from tests.conftest import csrf_token


def test_a_long_token_label_still_writes_and_is_named_cut(ledger, client):
    e = ledger.educator("TN")
    token = create_token(db.session, "test", "admin", label="L" * 200)
    db.session.commit()
    r = client.post(f"/api/v1/educators/{e.id}/entries", headers={"Authorization": f"Bearer {token}"},
                    json={"kind": "activity", "title": "Workshop", "hours": 2, "earned_on": "2024-02-01"})
    assert r.status_code == 201, r.json
    by = db.session.scalar(sa.select(Entry.recorded_by).where(Entry.id == r.json["id"]))
    assert len(by) == 200 and by.startswith("token:") and by.endswith("L…)")


def test_a_254_character_email_still_writes_through_the_pages(ledger, client, web_user):
    e = ledger.educator("TN")
    email = ("a" * 240) + "@example.org"  # 252 characters
    web_user("state_office", state="TN", email=email)
    r = client.post(f"/educators/{e.id}/entries", data={
        "csrf_token": csrf_token(client, f"/educators/{e.id}"), "kind": "activity", "title": "Institute",
        "hours": "3", "earned_on": "2024-03-01"})
    assert r.status_code in (200, 302), r.get_data(as_text=True)[:300]
    by = db.session.scalar(sa.select(Entry.recorded_by).where(Entry.educator_id == e.id, Entry.title == "Institute"))
    assert by is not None and len(by) <= 200 and by.startswith("user:")
    assert all(len(a) <= 200 for a in db.session.scalars(sa.select(AuditEvent.actor)))


def test_short_names_are_kept_whole():
    assert actor_name("user:7", "ada@example.org") == "user:7 (ada@example.org)"
    assert actor_name("cli:root") == "cli:root"
    assert len(actor_name("user:123456", "x" * 300)) == 200
