"""The hash chain over the history (F-10): every way the application writes history links
it, and `flask ledger verify-ledger` finds a row changed, removed or slipped in behind the
application's back, a link rewritten, a chain rewritten from an anchor on, and an index
(holdings) that no longer agrees with the entries. Tampering is done as a database
superuser would: with the row triggers off (PostgreSQL) or dropped (SQLite), inside the
test's transaction."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
import sqlalchemy as sa

from .test_attacks import at_once
from .test_reminders import free_port

DISTRICT = "JUAB"


def verify(runner, *args):
    from ledger.models import db

    db.session.commit()  # the tampering is committed, as a superuser's would be (the command reads, then rolls back)
    return runner.invoke(args=["ledger", "verify-ledger", *args])


def assert_holds(runner, *args) -> str:
    out = verify(runner, *args)
    assert out.exit_code == 0, out.output
    assert "ledger holds" in out.output
    return re.search(r"head (\d+:[0-9a-f]{64})", out.output)[1]


def assert_broken(runner, *expected, args=()):
    out = verify(runner, *args)
    assert out.exit_code == 1, out.output
    for text in expected:
        assert text in out.output, out.output
    return out.output


def bypass_guards(db, *tables):
    """Row triggers off for this transaction (PostgreSQL: as a superuser may), or the
    tables' triggers dropped inside it (SQLite: rolled back with the test)."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
        return
    for table in tables:
        names = db.session.execute(sa.text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"),
                                   {"t": table}).scalars().all()
        for name in names:
            db.session.execute(sa.text(f'DROP TRIGGER "{name}"'))


def links(db, table: str) -> list[int]:
    return db.session.execute(sa.text("SELECT record_id FROM chain_links WHERE record_type = :t ORDER BY seq"),
                              {"t": table}).scalars().all()


def a_busy_ledger(ledger, client):
    """One of each kind of history write, through the API: educator with a license, MC
    entries, an activity, a void, a CSV import, a salary run, a transcript and its
    revocation."""
    admin = ledger.headers()
    e = ledger.educator("UT", district=DISTRICT, n=uuid.uuid4().hex[:6], employed_since=date(2020, 1, 1))
    mc = ledger.record(e, "DP-FA-01")
    ledger.record(e, title="Summer institute", hours=6, tags=["literacy"])
    assert client.post(f"/api/v1/entries/{mc.id}/void", headers=admin, json={"reason": "wrong teacher"}).status_code == 200
    ledger.record(e, "DP-FA-02")
    csv = f"license_number,state,earned_on,title,hours\n{e.license_number},UT,2023-02-01,Institute,3\n"
    r = client.post("/api/v1/imports?format=csv", data=csv, headers={**admin, "Content-Type": "text/csv"})
    assert (r.status_code, r.json["accepted"]) == (200, 1)
    assert client.post(f"/api/v1/districts/{DISTRICT}/salary-runs", headers=admin,
                       json={"pay_date": "2026-01-01"}).status_code == 201
    t = client.post(f"/api/v1/educators/{e.id}/transcripts", headers=admin, json={"state": "UT"})
    assert t.status_code == 201
    assert client.post(f"/api/v1/transcripts/{t.json['serial']}/revoke", headers=admin,
                       json={"reason": "test"}).status_code == 200
    return e, mc


def test_every_kind_of_history_write_is_linked_and_the_ledger_holds(ledger, client, runner, session):
    from ledger.models import CHAINED_TABLES, db

    e, _ = a_busy_ledger(ledger, client)
    head = assert_holds(runner)
    for table in CHAINED_TABLES:
        stored = db.session.execute(sa.text(f"SELECT id FROM {table} ORDER BY id")).scalars().all()
        assert sorted(links(db, table)) == stored, table
    seqs = db.session.execute(sa.text("SELECT seq FROM chain_links ORDER BY seq")).scalars().all()
    assert seqs == list(range(1, len(seqs) + 1))
    assert head == f"{seqs[-1]}:" + db.session.scalar(sa.text("SELECT hash FROM chain_links ORDER BY seq DESC LIMIT 1"))
    assert_holds(runner, "--anchor", head)  # the head printed is an anchor that holds
    ledger.record(e, title="Later", hours=1)
    assert_holds(runner, "--anchor", head)  # and still holds after more is written


def test_every_link_has_the_digest_the_chain_wrote_before_its_fast_paths(ledger, client, runner, session, app):
    """Links written now (rows read back in batches, the fast canonical forms, COPY on
    PostgreSQL) hold byte for byte the digest and hash the chain wrote before those
    (tests/chain_reference.py), over the rows as verify-ledger reads them: old ledgers
    verify, and new links are what the old code would have written."""
    from ledger.integrity.chain import chained_tables
    from ledger.models import db
    from tests import chain_reference as before

    e, _ = a_busy_ledger(ledger, client)
    ledger.educator("UT", email="ada@example.org")
    # notices for the mail, refused by a port nobody listens on (failed deliveries), then
    # the same day with no mail server: those logged (deliveries), a newcomer's for the log
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False, MAIL_FROM="l@example.org")
    assert runner.invoke(args=["ledger", "send-reminders", "--as-of", "2025-01-01"]).exit_code == 1
    app.config["MAIL_SERVER"] = None
    ledger.educator("UT", email="bea@example.org")
    assert runner.invoke(args=["ledger", "send-reminders", "--as-of", "2025-01-01"]).exit_code == 0
    db.session.commit()
    written = {row.record_type for row in db.session.execute(sa.text("SELECT DISTINCT record_type FROM chain_links"))}
    assert {"entries", "voids", "licenses", "transcripts", "salary_run_rows", "notices", "notice_deliveries"} <= written
    channels = db.session.execute(sa.text("SELECT DISTINCT channel FROM notices")).scalars().all()
    assert set(channels) == {None, "log"}
    previous = "0" * 64  # the chain's genesis
    tables = chained_tables()
    for link in db.session.execute(sa.text("SELECT * FROM chain_links ORDER BY seq")).all():
        table = tables[link.record_type]
        row = db.session.execute(sa.select(table).where(table.c.id.in_([link.record_id]))).one()._mapping
        assert link.digest == before.row_digest(link.record_type, row), (link.record_type, link.record_id)
        previous = before.link_hash(previous, link.seq, link.record_type, link.record_id, link.digest)
        assert link.hash == previous, link.seq
    assert_holds(runner)


def test_a_row_linked_twice_is_refused_as_a_failed_statement(ledger, session):
    """The chain holds one link per row (COPY on PostgreSQL too): linking a linked row
    again fails as SQLAlchemy reports a failed statement, so callers' handlers see it."""
    from ledger.integrity.chain import append, chained_tables
    from ledger.models import db

    entry = ledger.record(ledger.educator("UT"), title="Institute", hours=3)
    with pytest.raises(sa.exc.IntegrityError):
        with db.session.begin_nested():
            append(db.session.connection(), chained_tables(), {"entries": [entry.id]})
            append(db.session.connection(), chained_tables(), {"entries": [entry.id]})


def test_a_large_import_written_with_copy_is_linked(ledger, client, runner, session):
    from ledger.models import db

    e = ledger.educator("UT", district=DISTRICT)
    rows = "".join(f"{e.license_number},UT,2023-02-{1 + i % 28:02d},Workshop {i},1\n" for i in range(300))
    r = client.post("/api/v1/imports?format=csv", data="license_number,state,earned_on,title,hours\n" + rows,
                    headers={**ledger.headers(), "Content-Type": "text/csv"})
    assert (r.status_code, r.json["accepted"]) == (200, 300)
    imported = db.session.execute(sa.text("SELECT id FROM entries WHERE educator_id = :e"),
                                  {"e": e.id}).scalars().all()
    assert set(imported) <= set(links(db, "entries"))
    assert_holds(runner)


def test_an_entry_changed_behind_the_applications_back_is_named(ledger, client, runner, session):
    from ledger.models import db

    e = ledger.educator("UT")
    entry = ledger.record(e, title="Institute", hours=3)
    assert_holds(runner)
    bypass_guards(db, "entries")
    db.session.execute(sa.text("UPDATE entries SET hours = 30 WHERE id = :id"), {"id": entry.id})
    out = assert_broken(runner, f"(entries {entry.id})", "no longer matches what was recorded")
    assert out.count("\n") >= 2  # the summary line, then the first problem


def test_a_void_deleted_behind_the_applications_back_is_named(ledger, client, runner, session):
    from ledger.models import Void, db

    e = ledger.educator("UT")
    entry = ledger.record(e, title="Institute", hours=3)
    client.post(f"/api/v1/entries/{entry.id}/void", headers=ledger.headers(), json={"reason": "duplicate"})
    void = db.session.scalar(sa.select(Void.id).where(Void.entry_id == entry.id))
    bypass_guards(db, "voids")
    db.session.execute(sa.text("DELETE FROM voids WHERE id = :id"), {"id": void})
    assert_broken(runner, f"(voids {void})", "the record is gone from the database")


def test_a_row_slipped_in_without_a_link_is_named(ledger, runner, session):
    from ledger.models import db

    e = ledger.educator("UT")
    db.session.execute(sa.text(
        "INSERT INTO entries (educator_id, kind, title, hours, tags, earned_on, recorded_by, recorded_at) "
        "VALUES (:e, 'activity', 'Forged', 40, '[]', '2023-01-01', 'nobody', CURRENT_TIMESTAMP)"),
        {"e": e.id})
    forged = db.session.scalar(sa.text("SELECT max(id) FROM entries"))
    assert_broken(runner, f"entries {forged}: in no link of the chain")


def test_a_rewritten_link_is_named(ledger, runner, session):
    from ledger.models import db

    ledger.record(ledger.educator("UT"), title="Institute", hours=3)
    seq = db.session.scalar(sa.text("SELECT max(seq) FROM chain_links")) - 1
    bypass_guards(db, "chain_links")
    db.session.execute(sa.text("UPDATE chain_links SET hash = :h WHERE seq = :s"), {"h": "f" * 64, "s": seq})
    assert_broken(runner, f"link {seq} (", "the chain was changed here")


def test_a_chain_rewritten_to_the_end_holds_alone_and_is_caught_by_an_anchor(ledger, runner, session):
    """A superuser who rewrites every link after a change makes a chain that holds in
    itself; the head written down earlier is what tells it from the real one."""
    from ledger.integrity.chain import GENESIS, link_hash, row_digest
    from ledger.models import db

    entry = ledger.record(ledger.educator("UT"), title="Institute", hours=3)
    anchor = assert_holds(runner)
    bypass_guards(db, "entries", "chain_links")
    db.session.execute(sa.text("UPDATE entries SET recorded_by = 'forged' WHERE id = :id"), {"id": entry.id})
    table = db.metadata.tables["entries"]
    row = db.session.execute(sa.select(table).where(table.c.id == entry.id)).one()._mapping
    previous = GENESIS
    for link in db.session.execute(sa.text("SELECT * FROM chain_links ORDER BY seq")).all():
        digest = row_digest("entries", row) if (link.record_type, link.record_id) == ("entries", entry.id) \
            else link.digest
        new = link_hash(previous, link.seq, link.record_type, link.record_id, digest)
        db.session.execute(sa.text("UPDATE chain_links SET digest = :d, hash = :h WHERE seq = :s"),
                           {"d": digest, "h": new, "s": link.seq})
        previous = new
    assert_holds(runner)
    assert_broken(runner, "the chain was rewritten", args=("--anchor", anchor))


def test_an_anchor_past_the_head_says_the_chain_was_cut_short(ledger, runner, session):
    head = assert_holds(runner)
    seq, digest = head.split(":")
    assert_broken(runner, "the chain was cut short", args=("--anchor", f"{int(seq) + 5}:{digest}"))
    out = verify(runner, "--anchor", "not-an-anchor")
    assert out.exit_code == 2 and "SEQ:HASH" in out.output


def test_a_holding_deleted_behind_the_applications_back_is_named(ledger, runner, session):
    from ledger.models import db

    entry = ledger.record(ledger.educator("UT"), "DP-FA-01")
    db.session.execute(sa.text("DELETE FROM holdings WHERE entry_id = :id"), {"id": entry.id})
    assert_broken(runner, f"entries {entry.id}: an active micro-credential with no holding")


@pytest.mark.committed
def test_links_written_at_the_same_moment_make_one_unbroken_chain(app, ledger, runner, session):
    from ledger.models import db

    e = ledger.educator("UT")
    headers = ledger.headers()
    url = f"/api/v1/educators/{e.id}/entries"
    answers = at_once(app, 8, lambda c: c.post(url, headers=headers, json={
        "kind": "activity", "title": f"Workshop {uuid.uuid4().hex[:6]}", "hours": 2,
        "earned_on": "2023-06-01"}).status_code)
    assert answers == [201] * 8
    db.session.expire_all()
    assert_holds(runner)
    assert db.session.scalar(sa.text("SELECT count(*) FROM entries WHERE educator_id = :e"), {"e": e.id}) == 8


# -- the guards added with the chain: licenses and the chain append-only, employments close-only

@pytest.mark.parametrize("statement", [
    "UPDATE licenses SET cycle_end = '2099-06-30'", "DELETE FROM licenses",
    "UPDATE chain_links SET digest = 'x'", "DELETE FROM chain_links",
    "DELETE FROM employments",
    "UPDATE employments SET district_id = district_id + 1",
])
def test_licenses_the_chain_and_employments_refuse_change(ledger, session, statement):
    from ledger.models import db

    ledger.educator("UT", district=DISTRICT, employed_since=date(2020, 1, 1))
    with pytest.raises(sa.exc.DBAPIError, match="append-only|history"):
        with db.session.begin_nested():
            db.session.execute(sa.text(statement))


def test_an_open_employment_may_be_closed_once_and_not_reopened(ledger, session):
    from ledger.models import Employment, db

    e = ledger.educator("UT", district=DISTRICT, employed_since=date(2020, 1, 1))
    period = db.session.scalar(sa.select(Employment.id).where(Employment.educator_id == e.id))
    db.session.execute(sa.text("UPDATE employments SET ended_on = '2024-06-30' WHERE id = :id"), {"id": period})
    for change in ("ended_on = NULL", "ended_on = '2025-06-30'"):
        with pytest.raises(sa.exc.DBAPIError, match="only an open period may be closed"):
            with db.session.begin_nested():
                db.session.execute(sa.text(f"UPDATE employments SET {change} WHERE id = :id"), {"id": period})
