"""Micro-credentials by issuer for the state office's overview, kept by difference: each
projection of a batch of educators replaces their per-state counts (`standing_issuers`)
and adds the change to each state's totals (`standing_issuer_totals`), under the
projector's lock, so the overview reads a few rows however large the state. The counts are
`report.mcs_by_issuer`'s (active micro-credential entries of educators holding a license
in the state); `flask ledger check-standings` compares the two."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import delete, exists, func, insert, select, update

from ..models import (
    Credential,
    Entry,
    Issuer,
    License,
    StandingIssuerCount,
    StandingIssuerTotal,
    State,
    Void,
)


def recount(session, ids: list[int]) -> None:
    """Replace these educators' counts and move each state's totals by the difference."""
    connection = session.connection()
    I, T = StandingIssuerCount.__table__, StandingIssuerTotal.__table__
    change: Counter = Counter()
    for state_id, issuer_id, n in connection.execute(
            select(I.c.state_id, I.c.issuer_id, I.c.count).where(I.c.educator_id.in_(ids))):
        change[(state_id, issuer_id)] -= n
    states: dict[int, set[int]] = defaultdict(set)
    for educator_id, state_id in connection.execute(
            select(License.educator_id, License.state_id).where(License.educator_id.in_(ids)).distinct()):
        states[educator_id].add(state_id)
    rows = []
    for educator_id, issuer_id, n in connection.execute(
            select(Entry.educator_id, Credential.issuer_id, func.count())
            .join(Credential, Entry.credential_id == Credential.id)
            .where(Entry.educator_id.in_(ids), Entry.kind == "microcredential",
                   ~exists().where(Void.entry_id == Entry.id))
            .group_by(Entry.educator_id, Credential.issuer_id)):
        for state_id in states.get(educator_id, ()):
            rows.append({"educator_id": educator_id, "state_id": state_id, "issuer_id": issuer_id, "count": n})
            change[(state_id, issuer_id)] += n
    connection.execute(delete(I).where(I.c.educator_id.in_(ids)))
    if rows:
        connection.execute(insert(I), rows)
    moved = {key: n for key, n in change.items() if n}
    if not moved:
        return
    known = {(s, i) for s, i in connection.execute(select(T.c.state_id, T.c.issuer_id).where(
        T.c.state_id.in_({s for s, _ in moved})))}
    for (state_id, issuer_id), n in sorted(moved.items()):
        if (state_id, issuer_id) in known:
            connection.execute(update(T).where(T.c.state_id == state_id, T.c.issuer_id == issuer_id)
                               .values(count=T.c.count + n))
    new = [{"state_id": s, "issuer_id": i, "count": n} for (s, i), n in sorted(moved.items()) if (s, i) not in known]
    if new:
        connection.execute(insert(T), new)


def totals(session, state: State) -> list[tuple[str, int]]:
    """(issuer name, active micro-credentials) of the state, most first (then by name)."""
    T = StandingIssuerTotal
    return [(name, n) for name, n in session.execute(
        select(Issuer.name, T.count).join(Issuer, Issuer.id == T.issuer_id)
        .where(T.state_id == state.id, T.count > 0).order_by(T.count.desc(), Issuer.name))]
