"""Figures computed from the projection once per state, day and projection generation (a
write in the state makes a new one) and kept in this process until then: the state
office's overview and HR's roster figures cost one small query each on a repeat visit,
however large the state."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from datetime import date
from threading import Lock

from ..models import State
from . import counts, issuers, lists, projection


class Kept:
    """A bounded map kept in this process, safe across threads: the least recently used
    entry goes first."""

    def __init__(self, size: int):
        self.size, self._items, self._lock = size, OrderedDict(), Lock()

    def get(self, key: Hashable):
        with self._lock:
            return self._items.get(key)

    def put(self, items: Iterable[tuple[Hashable, object]]) -> None:
        with self._lock:
            for key, value in items:
                self._items[key] = value
                self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def drop(self, keep: Callable[[Hashable], bool] = lambda key: False) -> None:
        with self._lock:
            for key in [k for k in self._items if not keep(k)]:
                del self._items[key]


_KEPT = Kept(256)  # key -> (generation, value)


def kept(session, state_id: int, key: Hashable, compute: Callable[[], object]):
    """`compute()`, or what it gave for `key` under the state's current generation (the
    key names the figure, the state and the day)."""
    generation = projection.generation(session, state_id)
    if not generation:  # nothing projected in the state yet: nothing to key on
        return compute()
    found = _KEPT.get(key)
    if found is not None and found[0] == generation:
        return found[1]
    value = compute()
    _KEPT.put([(key, (generation, value))])
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
    """Drop the kept figures of these kinds ("overview", "hr"), or every one (tests that
    rebuild a database under the same ids; a benchmark's "after a write")."""
    _KEPT.drop(lambda key: bool(kinds) and key[0] not in kinds)
