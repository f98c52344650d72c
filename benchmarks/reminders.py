"""The daily reminder job over a synthetic state on PostgreSQL, against a bare SQL floor.

    python benchmarks/reminders.py                        # 10,000 and 100,000 educators
    python benchmarks/reminders.py --sizes 2000 20000     # quicker

For each size it builds the state of `benchmarks/standing.py` (the same rulebook, catalog,
educators, licenses, about 20 entries each, voids, by COPY; cycles end on 30 June, so
on 2025-03-01 about one educator in eight has a cycle ending within 180 days), then, each
in a forked child so the peak RSS is the phase's own. COPY bypasses the standing
projection the job reads, so the setup then fills it as a new rulebook version would
(`projection.refresh` of every educator as of the day, committed per batch): timed and
printed as part of the setup, not of the ratio.

1. job: `reminders.service.run` as the daily job runs it, the recording path (no
   MAIL_SERVER: the projection caught up to the day, then each window of 10,000 cycles
   one INSERT ... SELECT of the notices due, recorded for the log and linked into the
   chain, two windows in flight; each notice written to the log with logging off);
2. again: the same day once more (records nothing: what a second run costs);
3. bare floor: one SQL statement selecting the job's candidates (a cycle ending within
   180 days) with their countable entries counted and summed per cycle: what any job must
   read to judge them, no valuation, no writes;
4. valued floor: `benchmarks/standing.py`'s hand-written SQL (rates by specificity and
   date, the cap, minimums, voids) over the state, kept to the educators whose cycle ends
   within 180 days in progress: the same educators the job notifies, chosen in SQL.

The setup is printed but is not part of the ratio. Last lines: `ratio=<job/floor>` per size
and how the job's time grows with size.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import standing as base  # noqa: E402  (benchmarks/standing.py: the synthetic state)

AS_OF = date(2025, 3, 1)


def projection_phase(url: str, as_of: date) -> dict:
    from sqlalchemy import text

    from ledger.models import db
    from ledger.standing import projection

    app = base.make_app(url)
    with app.app_context():
        t = time.perf_counter()
        judged = projection.refresh(db.session, projection.every_educator(db.session), as_of,
                                    checkpoint=db.session.commit)
        db.session.commit()
        seconds = time.perf_counter() - t
        with db.engine.connect() as c:  # the setup analyzes what it wrote (autovacuum may be off)
            c.execute(text("ANALYZE standing_cycles, standing_cards, standing_educators"))
            c.commit()
        db.engine.dispose()
    return {"seconds": seconds, "judged": judged, "rss": base.peak_rss_mib()}


def job_phase(url: str, as_of: date) -> dict:
    from sqlalchemy import func, select

    from ledger.models import Notice, db
    from ledger.reminders import delivery, service

    logging.getLogger("ledger.reminders").setLevel(logging.WARNING)
    app = base.make_app(url)
    with app.app_context():
        t = time.perf_counter()
        summary = service.run(db.session, as_of, delivery.LogSender(), checkpoint=db.session.commit)
        db.session.commit()
        seconds = time.perf_counter() - t
        notices = db.session.scalar(select(func.count(Notice.id)))
        db.engine.dispose()
    return {"seconds": seconds, "judged": summary.educators, "recorded": summary.recorded,
            "outcomes": summary.outcomes, "notices": notices, "rss": base.peak_rss_mib()}


FLOOR = """
WITH candidates AS (
    SELECT DISTINCT l.educator_id FROM licenses l JOIN states s ON s.id = l.state_id AND s.code = :state
    WHERE l.cycle_end BETWEEN :lo AND :hi
)
SELECT l.educator_id, l.id, l.cycle_end, count(e.id), coalesce(sum(e.hours), 0)
FROM candidates c
JOIN licenses l ON l.educator_id = c.educator_id
LEFT JOIN entries e ON e.educator_id = l.educator_id AND e.earned_on BETWEEN l.cycle_start AND :as_of
     AND e.earned_on <= l.cycle_end AND NOT EXISTS (SELECT 1 FROM voids v WHERE v.entry_id = e.id)
WHERE l.cycle_end BETWEEN :lo AND :hi
GROUP BY l.educator_id, l.id, l.cycle_end
"""


def floor_phase(url: str, as_of: date) -> dict:
    from datetime import timedelta

    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as c:
        t = time.perf_counter()
        rows = c.execute(text(FLOOR), {"state": base.STATE, "lo": as_of, "hi": as_of + timedelta(days=180),
                                       "as_of": as_of}).all()
        seconds = time.perf_counter() - t
    engine.dispose()
    return {"seconds": seconds, "educators": len({r[0] for r in rows}), "rss": base.peak_rss_mib()}


def valued_phase(url: str, as_of: date) -> dict:
    from datetime import timedelta

    from ledger.models import db

    app = base.make_app(url)
    with app.app_context():
        sql = ("SELECT f.educator_id FROM (" + base.floor_sql(base.minimum_tags(db.session)) +
               ") f JOIN licenses l ON l.id = f.id WHERE f.status = 'in_progress' "
               "AND l.cycle_end BETWEEN %(as_of)s AND %(hi)s")
        raw = db.session.connection().connection.driver_connection
        with raw.cursor() as cur:
            cur.execute("SET LOCAL enable_nestloop = off")  # as the standing benchmark's floor
        t = time.perf_counter()
        with raw.cursor() as cur:
            cur.execute(sql, {"state": base.STATE, "as_of": as_of, "hi": as_of + timedelta(days=180)})
            educators = {r[0] for r in cur}
        seconds = time.perf_counter() - t
        db.session.rollback()
        db.engine.dispose()
    return {"seconds": seconds, "educators": len(educators), "rss": base.peak_rss_mib()}


def one_size(n: int, args) -> dict:
    from config import database_url

    if args.reuse:  # a database a run kept (--keep) after its setup, before its job ran
        url = args.reuse
        print(f"[{n:,}] reusing {url}: setup not repeated")
    else:
        url = base.create_database(database_url(args.base_url), f"bench_reminders_{os.getpid()}_{n}")
    try:
        if not args.reuse:
            t = time.perf_counter()
            built = base.in_child(base.setup, url, n, args.entries, args.seed, 1)
            print(f"[{n:,}] setup {time.perf_counter() - t:.1f} s: " +
                  ", ".join(f"{k} {v:,}" for k, v in built["counts"].items() if isinstance(v, int)))
        filled = base.in_child(projection_phase, url, args.as_of)
        print(f"[{n:,}] setup: standing projection filled in {filled['seconds']:.1f} s ({filled['judged']:,} "
              f"educators judged by the engine, peak RSS {filled['rss']:.0f} MiB)")
        print(f"[{n:,}] load average (1 min) before the timed phases: {os.getloadavg()[0]:.2f}")
        floors = [base.in_child(floor_phase, url, args.as_of) for _ in range(args.repeat)]
        valued = min((base.in_child(valued_phase, url, args.as_of) for _ in range(args.repeat)),
                     key=lambda r: r["seconds"])
        job = base.in_child(job_phase, url, args.as_of)
        again = base.in_child(job_phase, url, args.as_of)
        floor = min(floors, key=lambda r: r["seconds"])
        print(f"[{n:,}] floor: {floor['seconds']:.2f} s, {floor['educators']:,} educators, "
              f"peak RSS {floor['rss']:.0f} MiB")
        print(f"[{n:,}] job: {job['seconds']:.2f} s, {job['judged']:,} educators with notices due, {job['recorded']:,} "
              f"notices recorded ({job['outcomes']}), peak RSS {job['rss']:.0f} MiB")
        print(f"[{n:,}] second run the same day: {again['seconds']:.2f} s, {again['recorded']} recorded, "
              f"peak RSS {again['rss']:.0f} MiB")
        print(f"[{n:,}] valued floor: {valued['seconds']:.2f} s, {valued['educators']:,} educators in progress "
              f"with a cycle ending within 180 days")
        ratio = job["seconds"] / floor["seconds"]
        print(f"[{n:,}] ratio to the bare floor={ratio:.2f} (second run {again['seconds'] / floor['seconds']:.2f})")
        print(f"[{n:,}] ratio={job['seconds'] / valued['seconds']:.2f} to the valued floor "
              f"(second run {again['seconds'] / valued['seconds']:.2f})")
        return {"n": n, "job": job["seconds"], "floor": floor["seconds"], "ratio": ratio, "rss": job["rss"]}
    finally:
        if not args.keep and not args.reuse:
            base.drop_database(url)
        else:
            print(f"[{n:,}] kept {url}")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--entries", type=int, default=20, help="entries per educator, about")
    p.add_argument("--base-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--as-of", type=date.fromisoformat, default=AS_OF)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=3, help="floor runs (the best is kept)")
    p.add_argument("--keep", action="store_true", help="keep the databases")
    p.add_argument("--reuse", help="URL of a database a run kept, its setup done and no job run on it yet "
                                   "(one size: the one it was built for)")
    args = p.parse_args(argv)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; as_of {args.as_of}")
    results = [one_size(n, args) for n in args.sizes]
    for small, large in zip(results, results[1:]):
        print(f"growth {small['n']:,} -> {large['n']:,} ({large['n'] / small['n']:g}x educators): job "
              f"{large['job'] / small['job']:.1f}x, floor {large['floor'] / small['floor']:.1f}x, "
              f"peak RSS {small['rss']:.0f} -> {large['rss']:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
