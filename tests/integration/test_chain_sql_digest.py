"""integrity/sqldigest.py, PostgreSQL's spelling of a row's chain digest, held to the
definition (chain.values_digest of the row read back) over generated notices: strings with
quotes, backslashes, control characters, DEL and letters beyond ASCII, a payload written
by reminders/words.json_object with text, integers, booleans and nulls. A digest it gives
is the definition's; it gives one whenever every value is printable ASCII; a row it
cannot spell gets none and the chain reads it back (the job's chain test below). Then the
reminder job with its windows in two workers, an educator with a name beyond ASCII among
them: the same notices as one at a time, and a ledger that verifies."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

import hypothesis
import pytest
import sqlalchemy as sa
from hypothesis import strategies as st

from ledger.integrity import chain, sqldigest
from ledger.models import Notice, db
from ledger.reminders import words

NOTICES = Notice.__table__
TEXT = st.text(st.characters(blacklist_characters="\x00", max_codepoint=0x2FFF), max_size=24)
ASCII = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=24)
VALUE = st.one_of(TEXT, st.integers(-2**31, 2**31 - 1), st.booleans(), st.none())
SERIAL = itertools.count()


def postgresql_only(engine_name):
    if engine_name != "postgresql":
        pytest.skip("sqldigest spells digests in PostgreSQL's SQL; SQLite's rows are digested in Python")


def _typed(value):
    if value is None:
        return sa.cast(sa.null(), sa.String)  # a typed NULL, as a nullable column gives
    kind = sa.Boolean if isinstance(value, bool) else sa.Integer if isinstance(value, int) else sa.String
    return sa.literal(value, kind)


def insert_returning_digest(educator_id: int, strings: dict, payload: dict, threshold: int, channel):
    spelling = sqldigest.canonical(NOTICES, verbatim=("payload",))
    values = {"educator_id": educator_id, "kind": strings["kind"], "cycle": f"{next(SERIAL)}{strings['cycle']}",
              "threshold": threshold, "as_of": date(2024, 2, 29), "to_address": strings["to_address"],
              "subject": strings["subject"], "summary": strings["summary"], "channel": channel,
              "created_at": datetime(2024, 2, 29, 23, 59, 59, 999, tzinfo=timezone.utc),
              "payload": words.json_object("postgresql", **{k: _typed(v) for k, v in payload.items()})}
    row = db.session.execute(sa.insert(NOTICES).values(values)
                             .returning(NOTICES.c.id, spelling.label("canonical"))).one()
    stored = db.session.execute(sa.select(NOTICES).where(NOTICES.c.id == row.id)).one()
    return sqldigest.digest(row.canonical), chain.values_digest("notices", tuple(NOTICES.c.keys()), stored), stored


STRINGS = st.fixed_dictionaries({"kind": TEXT, "cycle": TEXT, "subject": TEXT, "summary": TEXT,
                                 "to_address": st.one_of(st.none(), TEXT)})
PAYLOAD = st.dictionaries(TEXT, VALUE, max_size=6)


@hypothesis.settings(max_examples=200, deadline=None, database=None, derandomize=True,
                     suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
@hypothesis.given(strings=STRINGS, payload=PAYLOAD, threshold=st.integers(-2**31, 2**31 - 1),
                  channel=st.one_of(st.none(), st.text(max_size=10).filter(lambda s: "\x00" not in s)))
def test_a_digest_spelled_by_postgresql_is_the_definitions(engine_name, ledger, session, strings, payload,
                                                           threshold, channel):
    postgresql_only(engine_name)
    educator = db.session.scalar(sa.text("SELECT min(id) FROM educators")) or ledger.educator("UT").id
    spelled, definition, stored = insert_returning_digest(educator, strings, payload, threshold, channel)
    assert stored.payload == payload  # the canonical text reads back as the object written
    if spelled is not None:
        assert spelled == definition
    printable = all(v is None or (isinstance(v, str) and all(" " <= ch <= "~" for ch in v))
                    for v in (*strings.values(), channel, *payload, *(v for v in payload.values()
                                                                       if isinstance(v, str))))
    if printable:
        assert spelled == definition


@hypothesis.settings(max_examples=60, deadline=None, database=None, derandomize=True,
                     suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
@hypothesis.given(strings=st.fixed_dictionaries({"kind": ASCII, "cycle": ASCII, "subject": ASCII, "summary": ASCII,
                                                 "to_address": ASCII}),
                  payload=st.dictionaries(ASCII, st.one_of(ASCII, st.integers(-2**31, 2**31 - 1), st.booleans()), max_size=6))
def test_printable_rows_are_always_spelled(engine_name, ledger, session, strings, payload):
    postgresql_only(engine_name)
    educator = db.session.scalar(sa.text("SELECT min(id) FROM educators")) or ledger.educator("UT").id
    spelled, definition, _ = insert_returning_digest(educator, strings, payload, 180, "log")
    assert spelled == definition


@pytest.mark.parametrize("odd", ["Zoë", "tab\there", "del\x7f", 'quote" and \\ back', "line\nbreak", "\u2028"])
def test_the_edges_of_the_spelling(engine_name, ledger, session, odd):
    postgresql_only(engine_name)
    educator = db.session.scalar(sa.text("SELECT min(id) FROM educators")) or ledger.educator("UT").id
    strings = {"kind": "k", "cycle": "c", "subject": odd, "summary": "s", "to_address": None}
    spelled, definition, _ = insert_returning_digest(educator, strings, {"name": odd}, 30, None)
    if odd in ("Zoë", "del\x7f", "\u2028"):  # Python escapes these; to_json leaves them: no digest, read back
        assert spelled is None
    else:  # escaped alike
        assert spelled == definition


def test_a_table_with_a_column_it_cannot_spell_is_refused():
    from ledger.models import Entry, Transcript

    assert sqldigest.canonical(NOTICES) is None  # its JSON payload not vouched for
    assert sqldigest.canonical(Entry.__table__, verbatim=("tags",)) is None  # hours: a decimal
    assert sqldigest.canonical(Transcript.__table__, verbatim=("standing",)) is None  # the PDF's bytes
    assert sqldigest.canonical(NOTICES, verbatim=("payload",)) is not None
