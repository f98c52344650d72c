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
