"""The state office's overview figures, computed from the projection once per state, day
and projection generation (a write in the state makes a new one) and kept in this
process until then: opening the overview many times a day costs one small query each."""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from threading import Lock

from ..models import State
from . import counts, issuers, lists, projection

_KEPT: OrderedDict[tuple[int, date], tuple[int, dict]] = OrderedDict()
_LOCK = Lock()
SIZE = 256


def overview(session, state: State, day: date) -> dict:
    """{counts (counts.read), issuers [(name, n)] (issuers.totals), outdated (educators
    still judged under an older rulebook version), cards (lists.card_choices)} for the
    state on `day`."""
    projection.catch_up(session, day, state.id)
    generation = projection.generation(session, state.id)
    key = (state.id, day)
    with _LOCK:
        kept = _KEPT.get(key)
    if kept is not None and kept[0] == generation:
        return kept[1]
    value = {"counts": counts.read(session, state.id, day), "issuers": issuers.totals(session, state),
             "outdated": projection.outdated(session, state), "cards": lists.card_choices(session, state.id)}
    with _LOCK:
        _KEPT[key] = (generation, value)
        _KEPT.move_to_end(key)
        while len(_KEPT) > SIZE:
            _KEPT.popitem(last=False)
    return value


def forget() -> None:
    """Drop every kept figure (tests that rebuild a database under the same ids)."""
    with _LOCK:
        _KEPT.clear()
