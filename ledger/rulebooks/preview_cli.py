"""`flask ledger load-rulebook --preview`: the page's preview as text, loading nothing."""

from __future__ import annotations

from .. import clock
from ..access.principals import Principal
from . import preview

SHOWN = 200
WORDS = {"complete": "complete", "in_progress": "in progress", "lapsed": "ended short", None: "no rule"}


def print_preview(session, principal: Principal, raw, echo) -> None:
    _, document, state = preview.check_rulebook(session, principal, raw)
    if state is None:
        echo("a new state: no educator is licensed there yet, so no status would change")
        return
    current = preview.newest(session, state.id)
    today = clock.today()
    summary = preview.status_changes(session, state, document, today)
    was = f"v{current.version}" if current else "no rulebook"
    echo(f"{state.code}: as of {today.isoformat()}, {summary['changed']} of {summary['licenses']} current cycles "
         f"({summary['educators']} educators) would change status from {was} to this file")
    for old, new, n in summary["counts"]:
        echo(f"  {WORDS.get(old, old)} -> {WORDS.get(new, new)}: {n}")
    shown = summary["changes"][:SHOWN]
    people = preview.educators_named(session, sorted({c[0] for c in shown}))
    for educator_id, kind, old, new in shown:
        e = people.get(educator_id)
        name = f"{e.last_name}, {e.first_name}\t{e.license_number}" if e else f"educator {educator_id}\t"
        echo(f"{name}\t{kind}\t{WORDS.get(old, old)} -> {WORDS.get(new, new)}")
    if summary["changed"] > SHOWN:
        echo(f"... and {summary['changed'] - SHOWN} more")
    echo("nothing was loaded (run without --preview to load it)")
