"""The hash chain's cost: `verify-ledger` against a bare read-and-hash of the same rows.

    python benchmarks/ledger_chain.py                          # 2,000 and 20,000 educators
    python benchmarks/ledger_chain.py --sizes 1000,100000      # a state's worth (about 2M entries)

For each size it builds the synthetic state of `standing.py` (educators, licenses, about 20
entries each, voids, holdings; COPY, so nothing is linked yet) in a fresh PostgreSQL
database, then times, each phase in a forked child:

1. **link**: `integrity.chain.append` over every history table, as migration 0008 links a
   ledger that is already there (every row read back and digested, one link per row);
2. **floor**: the same rows read with one `SELECT *` per table in id order (batches of
   5,000) and each row's text hashed with SHA-256: the least any check of every row must do;
3. **verify**: `integrity.verify.verify_ledger` (every link's hash and row digest
   recomputed, unlinked rows looked for, holdings and activity keys checked); it must
   find nothing.

Printed per size: seconds for each phase (median of `--repeat` runs for floor and verify),
`ratio=verify/floor`, and between the sizes how verify's time grew against the number of
links (1.0 = linear), beside the floor's growth over the same rows.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from standing import create_database, drop_database, in_child, make_app, setup  # noqa: E402


def link_phase(url: str) -> dict:
    from sqlalchemy import exists, select

    from ledger.integrity.chain import append, chained_tables, lock
    from ledger.models import ChainLink, db

    app = make_app(url)
    with app.app_context():
        t = time.perf_counter()
        connection = db.session.connection()
        lock(connection)
        tables = chained_tables()
        # the rows COPY wrote (the rulebook and catalog, loaded through the ledger, are linked already)
        pending = {name: connection.execute(select(table.c.id).where(~exists().where(
            ChainLink.record_type == name, ChainLink.record_id == table.c.id)).order_by(table.c.id)).scalars().all()
            for name, table in tables.items()}
        linked = append(connection, tables, pending)
        db.session.commit()
        return {"seconds": time.perf_counter() - t, "links": linked}


def floor_phase(url: str) -> dict:
    from sqlalchemy import select

    from ledger.integrity.chain import BATCH, chained_tables
    from ledger.models import db

    app = make_app(url)
    with app.app_context():
        t = time.perf_counter()
        connection, rows = db.session.connection(), 0
        for table in chained_tables().values():
            after = 0
            while True:
                batch = connection.execute(select(table).where(table.c.id > after).order_by(table.c.id)
                                           .limit(BATCH)).all()
                if not batch:
                    break
                for row in batch:
                    hashlib.sha256(repr(tuple(row)).encode()).hexdigest()
                rows += len(batch)
                after = batch[-1].id
        db.session.rollback()
        return {"seconds": time.perf_counter() - t, "rows": rows}


def verify_phase(url: str) -> dict:
    from ledger.integrity.verify import verify_ledger
    from ledger.models import db

    app = make_app(url)
    with app.app_context():
        t = time.perf_counter()
        report = verify_ledger(db.session.connection())
        db.session.rollback()
        seconds = time.perf_counter() - t
        if not report.ok:
            raise SystemExit(f"verify found problems in an untouched ledger: {report.problems[:3]}")
        return {"seconds": seconds, "links": report.links}


def one_size(base: str, educators: int, repeat: int, seed: int, keep: bool) -> dict:
    url = create_database(base, f"bench_chain_{os.getpid()}_{educators}")
    try:
        built = in_child(setup, url, educators, 20, seed)
        link = in_child(link_phase, url)
        floors, verifies = [], []
        for _ in range(repeat):  # alternating, so a noisy moment touches both
            floors.append(in_child(floor_phase, url)["seconds"])
            verifies.append(in_child(verify_phase, url)["seconds"])
        result = {"educators": educators, "entries": built["counts"].get("entries"), "links": link["links"],
                  "link": link["seconds"], "floor": statistics.median(floors),
                  "verify": statistics.median(verifies)}
        print(f"{educators:>7,} educators  {result['links']:>10,} links  link {result['link']:7.2f} s  "
              f"floor {result['floor']:7.2f} s  verify {result['verify']:7.2f} s  "
              f"ratio={result['verify'] / result['floor']:.2f}", flush=True)
        return result
    finally:
        if keep:
            print(f"kept {url}")
        else:
            drop_database(url)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="2000,20000", help="educator counts, comma-separated")
    parser.add_argument("--base-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args(argv)
    results = [one_size(args.base_url, int(n), args.repeat, args.seed, args.keep) for n in args.sizes.split(",")]
    for small, large in zip(results, results[1:]):
        links = large["links"] / small["links"]
        growth = (large["verify"] / small["verify"]) / links
        floor = (large["floor"] / small["floor"]) / links
        # On a shared machine a larger size can run slower per row for reasons of its own
        # (cache, other jobs): the floor's growth, read over the same rows, shows that part.
        print(f"growth {small['educators']:,} -> {large['educators']:,}: verify time x"
              f"{large['verify'] / small['verify']:.1f} for links x{links:.1f} "
              f"(per link x{growth:.2f}; 1.0 = linear; the floor's per row x{floor:.2f})")
    last = results[-1]
    print(f"ratio={last['verify'] / last['floor']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
