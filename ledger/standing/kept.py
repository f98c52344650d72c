"""The API's standing answer for today, kept (issue 18, item 5): one educator's answer in
their own state as of today is the engine's, computed once and sent again while nothing
it was computed from has changed: the educator's projection token (every write that
judges them again makes a new one) and the state's newest rulebook version. The token is
read before the facts, so a write committed in between leaves an answer that only
misses. An answer for another day or another state (what if I moved?) is the engine's."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ..models import Educator, RulebookVersion, StandingAnswer, StandingEducator, savepoint
from .answer import educator_standing
from .facts import rulebook_row


def _json(answer: dict) -> str:
    """As the API's JSON answers are written (compact, ASCII, in the schema's order)."""
    return json.dumps(answer, separators=(",", ":")) + "\n"


def todays_answer(session, educator: Educator, today: date) -> str:
    """The standing answer as JSON text. One query reads the educator's token, the state's
    newest version and what is kept (a hit costs that query alone)."""
    newest = (select(RulebookVersion.id).where(RulebookVersion.state_id == educator.state_id)
              .order_by(RulebookVersion.version.desc()).limit(1).scalar_subquery())
    A = StandingAnswer
    found = session.execute(
        select(StandingEducator.token, newest.label("version"), A.as_of, A.token.label("kept_token"),
               A.rulebook_version_id, A.body)
        .select_from(StandingEducator)
        .outerjoin(A, A.educator_id == StandingEducator.educator_id)
        .where(StandingEducator.educator_id == educator.id)).first()
    if found is not None and found.version is not None and found.as_of == today \
            and (found.kept_token, found.rulebook_version_id) == (found.token, found.version):
        return found.body
    token = found.token if found is not None else None
    kept = found is not None and found.as_of is not None
    version = rulebook_row(session, educator.state.code)  # none loaded: the engine's own refusal
    body = _json(educator_standing(session, educator, None, today))
    if token is not None:  # a projected educator: keep it for the next reader
        values = {"as_of": today, "token": token, "rulebook_version_id": version.id, "body": body}
        try:
            with savepoint(session):
                if not kept:
                    session.execute(insert(StandingAnswer).values(educator_id=educator.id, **values))
                else:
                    session.execute(update(StandingAnswer).where(StandingAnswer.educator_id == educator.id)
                                    .values(**values))
        except IntegrityError:
            pass  # another reader kept it first: the same answer
    return body


def warm(session, educator_ids, today: date, *, batch: int = 500, checkpoint=None, progress=None) -> int:
    """Compute and keep today's answer of these educators in their own states, a batch at a
    time through the state-wide read (the daily job after the catch-up, or after a new
    version): the day's first reader is then answered from what is kept. How many kept."""
    from .many import standings_for
    from .projection import _groups, _newest_versions
    from .schemas import STANDING_OUT
    from .schemas import StandingAnswer as Answer

    ids, kept_count = sorted(set(educator_ids)), 0
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        tokens = dict(session.execute(select(StandingEducator.educator_id, StandingEducator.token)
                                      .where(StandingEducator.educator_id.in_(chunk))).all())
        groups = {key: members for key, members in _groups(session, chunk).items() if key[2]}  # home states
        versions = _newest_versions(session, {state_id for state_id, _, _ in groups})
        rows = []
        for (state_id, district, _), members in groups.items():
            version = versions.get(state_id)
            if version is None:
                continue
            for educator_id, s in standings_for(session, version, today, members, district=district):
                if educator_id in tokens:
                    rows.append({"educator_id": educator_id, "as_of": today, "token": tokens[educator_id],
                                 "rulebook_version_id": version.id,
                                 "body": _json(STANDING_OUT.dump(Answer(educator_id, s)))})
        connection = session.connection()
        table = StandingAnswer.__table__
        connection.execute(table.delete().where(table.c.educator_id.in_([r["educator_id"] for r in rows])))
        if rows:
            connection.execute(insert(table), rows)
        kept_count += len(rows)
        if checkpoint is not None:
            checkpoint()
        if progress is not None:
            progress(min(start + batch, len(ids)))
    return kept_count
