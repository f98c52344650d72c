"""Figures computed from the projection once per state, day and projection generation (a
write in the state makes a new one) and kept in this process until then: the state
office's overview and HR's chart of micro-credentials by month cost one small query each
on a repeat visit, however large the state."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from threading import Lock

from ..models import State
from . import counts, issuers, lists, projection

_KEPT: OrderedDict[Hashable, tuple[str, object]] = OrderedDict()
_LOCK = Lock()
SIZE = 256


def kept(session, state_id: int, key: Hashable, compute: Callable[[], object]):
    """`compute()`, or what it gave for `key` under the state's current generation (the
    key names the figure, the state and the day)."""
    generation = projection.generation(session, state_id)
    if not generation:  # nothing projected in the state yet: nothing to key on
        return compute()
    with _LOCK:
        found = _KEPT.get(key)
    if found is not None and found[0] == generation:
        return found[1]
    value = compute()
    with _LOCK:
        _KEPT[key] = (generation, value)
        _KEPT.move_to_end(key)
        while len(_KEPT) > SIZE:
            _KEPT.popitem(last=False)
    return value


def overview(session, state: State, day: date) -> dict:
    """{counts (counts.read), issuers [(name, n)] (issuers.totals), outdated (educators
    still judged under an older rulebook version), cards (lists.card_choices)} for the
    state on `day`."""
    projection.catch_up(session, day, state.id)
    return kept(session, state.id, ("overview", state.id, day), lambda: {
        "counts": counts.read(session, state.id, day), "issuers": issuers.totals(session, state),
        "outdated": projection.outdated(session, state), "cards": lists.card_choices(session, state.id)})


def forget(*kinds: str) -> None:
    """Drop the kept figures of these kinds ("overview", "hr-counts", "hr-chart"), or every
    one (tests that rebuild a database under the same ids; a benchmark's "after a write")."""
    with _LOCK:
        for key in [k for k in _KEPT if not kinds or k[0] in kinds]:
            del _KEPT[key]
