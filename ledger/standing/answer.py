"""The standing answer every reader shares (API, pages, transcripts): one educator's
standing in one state on one day, from the engine; its shape is `schemas.StandingOut`."""

from __future__ import annotations

from datetime import date

from .. import engine
from ..models import Educator
from .facts import entry_facts, license_facts, rulebook_for
from .schemas import STANDING_OUT, StandingAnswer


def read_standing(session, educator: Educator, state_code: str | None, as_of: date) -> StandingAnswer:
    """In `state_code` (default the educator's own state) under its newest rulebook."""
    rulebook, state_id = rulebook_for(session, state_code or educator.state.code)
    result = engine.standing(
        entry_facts(session, educator.id), license_facts(session, educator.id, state_id), rulebook,
        as_of, district=educator.district.code if educator.district is not None else None,
    )
    return StandingAnswer(educator.id, result)


def educator_standing(session, educator: Educator, state_code: str | None, as_of: date) -> dict:
    """The answer as the API sends it and a transcript stores it (ISO dates, floats)."""
    return STANDING_OUT.dump(read_standing(session, educator, state_code, as_of))
