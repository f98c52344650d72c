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

from ..models import Educator, StandingAnswer, StandingEducator, savepoint
from .answer import educator_standing
from .facts import rulebook_row


def _json(answer: dict) -> str:
    """As the API's JSON answers are written (compact, ASCII, in the schema's order)."""
    return json.dumps(answer, separators=(",", ":")) + "\n"


def todays_answer(session, educator: Educator, today: date) -> str:
    """The standing answer as JSON text."""
    token = session.scalar(select(StandingEducator.token).where(StandingEducator.educator_id == educator.id))
    version = rulebook_row(session, educator.state.code)  # none loaded: the engine's own refusal
    kept = session.execute(select(StandingAnswer.as_of, StandingAnswer.token, StandingAnswer.rulebook_version_id,
                                  StandingAnswer.body).where(StandingAnswer.educator_id == educator.id)).first()
    if kept is not None and token is not None and tuple(kept[:3]) == (today, token, version.id):
        return kept.body
    body = _json(educator_standing(session, educator, None, today))
    if token is not None:  # a projected educator: keep it for the next reader
        values = {"as_of": today, "token": token, "rulebook_version_id": version.id, "body": body}
        try:
            with savepoint(session):
                if kept is None:
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
