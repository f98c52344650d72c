"""Walking the hash chain (`flask ledger verify-ledger`): every link's hash recomputed from
the one before, every linked row's digest recomputed from the row as it is stored now,
every history row found in a link, and the indexes over the entries (`holdings`,
`activity_keys`) held to the entries and voids they index. Read only.

What it finds, in the order a reader would want it: the first broken link (by `seq`),
then the rows no link holds, then the indexes. An `anchor` (a link's seq and hash,
written down earlier, away from the database) catches a chain rewritten from start to
end, which no walk of the chain alone can tell from the real one."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import exists, func, not_, select

from ..entries.service import activity_key
from ..models import ActivityKey, ChainLink, Entry, Holding, Void
from .chain import BATCH, GENESIS, chained_tables, link_hash, stored_digests

MAX_REPORTED = 50


@dataclass(frozen=True)
class Problem:
    where: str  # "link 17 (entries 4)", "entries 9", "holdings (educator 3, credential 5)"
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class Report:
    links: int = 0
    head: tuple[int, str] = (0, GENESIS)
    problems: list[Problem] = field(default_factory=list)
    count: int = 0  # every problem, reported or not

    @property
    def ok(self) -> bool:
        return self.count == 0

    def add(self, where: str, what: str) -> None:
        self.count += 1
        if len(self.problems) < MAX_REPORTED:
            self.problems.append(Problem(where, what))


def verify_ledger(connection, anchor: tuple[int, str] | None = None) -> Report:
    report = Report()
    tables = chained_tables()
    linked = _walk(connection, tables, report, anchor)
    _unlinked(connection, tables, report, linked)
    _indexes(connection, report)
    return report


def _walk(connection, tables, report: Report, anchor) -> dict[str, int]:
    """Check every link in order; return, per table, how many links found their row."""
    previous, expected_seq, after = GENESIS, 1, 0
    linked: dict[str, int] = defaultdict(int)
    anchored = anchor is None
    while True:
        chain = ChainLink.__table__
        links = connection.execute(select(chain).where(chain.c.seq > after).order_by(chain.c.seq)
                                   .limit(BATCH)).all()
        if not links:
            break
        wanted = defaultdict(list)
        for link in links:
            wanted[link.record_type].append(link.record_id)
        digests = {(name, id_): digest for name, ids in wanted.items() if name in tables
                   for id_, digest in stored_digests(connection, name, tables[name], ids)}
        for link in links:
            where = f"link {link.seq} ({link.record_type} {link.record_id})"
            if link.seq != expected_seq:
                report.add(f"link {expected_seq}", f"missing: the chain jumps to link {link.seq}")
            if link_hash(previous, link.seq, link.record_type, link.record_id, link.digest) != link.hash:
                report.add(where, "its hash does not follow from the link before: the chain was changed here")
            stored = digests.get((link.record_type, link.record_id))
            if stored is not None:
                linked[link.record_type] += 1
            if stored is None:
                report.add(where, "the record is gone from the database")
            elif stored != link.digest:
                report.add(where, "the stored row no longer matches what was recorded")
            if anchor is not None and link.seq == anchor[0]:
                anchored = True
                if link.hash != anchor[1]:
                    report.add(where, f"its hash is not the anchor's {anchor[1][:12]}...: the chain was rewritten")
            previous, expected_seq, after = link.hash, link.seq + 1, link.seq
            report.links += 1
        report.head = (after, previous)
    if not anchored:
        report.add(f"link {anchor[0]}", "the anchor's link is not in the chain: the chain was cut short")
    return linked


def _unlinked(connection, tables, report: Report, found: dict[str, int]) -> None:
    """Rows no link holds. A link names one row at most (record_type, record_id is
    unique), so a table with as many rows as links that found theirs has none; only the
    others are searched (an anti-join whose plan, on a chain just grown, can be poor)."""
    for name, table in tables.items():
        if connection.scalar(select(func.count()).select_from(table)) == found.get(name, 0):
            continue
        linked = exists().where(ChainLink.record_type == name, ChainLink.record_id == table.c.id)
        rows = connection.execute(select(table.c.id).where(not_(linked)).order_by(table.c.id)
                                  .limit(MAX_REPORTED)).scalars().all()
        total = len(rows) if len(rows) < MAX_REPORTED else connection.scalar(
            select(func.count()).select_from(table).where(not_(linked)))
        for id_ in rows:
            report.add(f"{name} {id_}", "in no link of the chain: written behind the application's back")
        report.count += total - len(rows)


def _indexes(connection, report: Report) -> None:
    """`holdings` holds exactly the active micro-credential entries; each activity key
    names an active activity of its educator with that content."""
    voided = exists().where(Void.entry_id == Entry.id)
    bad = connection.execute(
        select(Holding.educator_id, Holding.credential_id, Holding.entry_id)
        .outerjoin(Entry, Entry.id == Holding.entry_id)
        .where((Entry.id.is_(None)) | voided | (Entry.kind != "microcredential")
               | (Entry.educator_id != Holding.educator_id) | (Entry.credential_id != Holding.credential_id))
        .limit(MAX_REPORTED)).all()
    for h in bad:
        report.add(f"holdings (educator {h.educator_id}, credential {h.credential_id})",
                   f"names entry {h.entry_id}, which is not that educator's active entry of that credential")
    unheld = connection.execute(
        select(Entry.id).where(Entry.kind == "microcredential", not_(voided),
                               not_(exists().where(Holding.entry_id == Entry.id)))
        .order_by(Entry.id).limit(MAX_REPORTED)).scalars().all()
    for id_ in unheld:
        report.add(f"entries {id_}", "an active micro-credential with no holding: it could be recorded twice")
    keyed = connection.execute(
        select(ActivityKey, Entry.kind, Entry.educator_id.label("owner"), Entry.title, Entry.hours, Entry.tags,
               Entry.earned_on, Entry.evidence_url, Entry.measure, voided.label("voided"))
        .outerjoin(Entry, Entry.id == ActivityKey.entry_id))
    for k in keyed:
        if (k.kind != "activity" or k.voided or k.owner != k.educator_id
                or activity_key(k.title, k.hours, k.tags, k.earned_on, k.evidence_url, k.measure) != k.content_key):
            report.add(f"activity_keys (educator {k.educator_id}, entry {k.entry_id})",
                       "does not name an active activity of that educator with that content")
