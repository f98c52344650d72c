"""State-wide exports benchmark: rows/s and peak RSS of the streamed exports against a
bare `COPY (SELECT ...) TO STDOUT` of the same entries, at two state sizes.

    python benchmarks/exports.py                        # 10,000 and 100,000 educators
    python benchmarks/exports.py --sizes 2000           # a quick run
    python benchmarks/exports.py --sizes 10000 --repeat 5 --keep

For each size it builds a state in a fresh PostgreSQL database with benchmarks/standing.py's
builder (educators, licenses, about `--entries` entries each, voids, by COPY), then times,
each in a forked child so that its peak RSS (ru_maxrss) is its own:

1. floor: `COPY (the entries export's own SELECT) TO STDOUT WITH (FORMAT csv)` through
   psycopg, every byte read and dropped: what PostgreSQL alone takes to produce the rows;
2. the entries table as `flask ledger export-state` writes it (statewide.exports.open_export,
   CSV and JSON Lines) into /dev/null;
3. once each: educators, licenses and standings as CSV.

Floor and export alternate `--repeat` times and the medians are printed, with rows/s and
the ratio export / floor. Memory is flat when the entries' peak RSS at the larger size is
about the smaller's. The last line is `ratio=<entries CSV / floor at the largest size>`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.standing import (  # noqa: E402  (the builder of a big state, shared)
    AS_OF,
    STATE,
    create_database,
    drop_database,
    in_child,
    make_app,
    peak_rss_mib,
    rss_now_mib,
    setup,
)


def _entries_sql(session) -> str:
    """The entries export's SELECT, as PostgreSQL would run it for the export."""
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql

    from ledger.models import State
    from ledger.statewide import exports

    stmt = exports.entries_statement(session.scalar(select(State).where(State.code == STATE)))
    return str(stmt.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))


def floor_phase(url: str) -> dict:
    from ledger.models import db

    app = make_app(url)
    with app.app_context():
        sql = _entries_sql(db.session)
        raw = db.session.connection().connection.driver_connection
        rss0 = rss_now_mib()
        t0 = time.perf_counter()
        size = rows = 0
        with raw.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER)") as copy:
            for data in copy:
                size += len(data)
                rows += bytes(data).count(b"\n")
        seconds = time.perf_counter() - t0
        db.session.rollback()
    return {"seconds": seconds, "rows": rows - 1, "bytes": size, "rss_start": rss0, "peak_rss": peak_rss_mib()}


def export_phase(url: str, table: str, fmt: str) -> dict:
    from ledger.access.principals import ADMIN, Principal
    from ledger.models import db
    from ledger.statewide import exports

    app = make_app(url)
    with app.app_context():
        db.session.connection()  # connect outside the timing, as the floor does
        rss0 = rss_now_mib()
        t0 = time.perf_counter()
        export = exports.open_export(db.session, Principal(role=ADMIN, actor="bench"), STATE, table, fmt, AS_OF)
        size = lines = 0
        with open(os.devnull, "w", encoding="utf-8", newline="") as sink:  # as the CLI writes a file
            for piece in export.lines:
                sink.write(piece)
                size += len(piece)
                lines += piece.count("\n")
        seconds = time.perf_counter() - t0
        db.session.rollback()
    rows = lines - (fmt == "csv")
    return {"seconds": seconds, "rows": rows, "bytes": size, "rss_start": rss0, "peak_rss": peak_rss_mib()}


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def _line(name: str, runs: list[dict]) -> str:
    seconds = _median(runs, "seconds")
    rows = runs[0]["rows"]
    times = "" if len(runs) == 1 else " (runs " + ", ".join(f"{r['seconds']:.2f}" for r in runs) + ")"
    return (f"  {name:<24} {rows:>10,} rows  {seconds:7.2f} s{times}  {rows / seconds:>10,.0f} rows/s  "
            f"{_median(runs, 'bytes') / 2**20:7.1f} MiB out  peak RSS {max(r['peak_rss'] for r in runs):.0f} MiB "
            f"(started at {runs[0]['rss_start']:.0f})")


def run_size(url: str, educators: int, args) -> dict:
    if not args.no_setup:
        t = time.perf_counter()
        built = in_child(setup, url, educators, args.entries, args.seed)
        c = built["counts"]
        print(f"setup: {time.perf_counter() - t:.1f} s; " + ", ".join(
            f"{k} {v:,}" for k, v in c.items() if k in ("educators", "licenses", "entries", "voids")))
    print(f"load average (1 min) before timing: {os.getloadavg()[0]:.2f}")
    floors, csvs, jsonls = [], [], []
    for _ in range(args.repeat):  # alternating, so background load touches each alike
        floors.append(in_child(floor_phase, url))
        csvs.append(in_child(export_phase, url, "entries", "csv"))
        jsonls.append(in_child(export_phase, url, "entries", "jsonl"))
    others = {t: in_child(export_phase, url, t, "csv") for t in ("educators", "licenses", "standings")}
    print(f"load average (1 min) after timing: {os.getloadavg()[0]:.2f}")
    assert csvs[0]["rows"] == floors[0]["rows"], (csvs[0]["rows"], floors[0]["rows"])
    print(_line("floor: COPY entries", floors))
    print(_line("entries.csv", csvs))
    print(_line("entries.jsonl", jsonls))
    for table, r in others.items():
        print(_line(f"{table}.csv", [r]))
    ratio = _median(csvs, "seconds") / _median(floors, "seconds")
    ratio_jsonl = _median(jsonls, "seconds") / _median(floors, "seconds")
    print(f"  entries.csv / floor: {ratio:.2f}; entries.jsonl / floor: {ratio_jsonl:.2f}")
    return {"ratio": ratio, "entries_rss": max(r["peak_rss"] for r in csvs + jsonls),
            "standings_rss": others["standings"]["peak_rss"], "rows_per_s": csvs[0]["rows"] / _median(csvs, "seconds")}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--sizes", default="10000,100000", help="educators, comma-separated (default %(default)s)")
    p.add_argument("--entries", type=int, default=20, help="entries per educator, about (default 20)")
    p.add_argument("--repeat", type=int, default=3, help="floor and entries exports, alternating; medians")
    p.add_argument("--base-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    p.add_argument("--database", help="with one size and --no-setup: a kept database to time again")
    p.add_argument("--no-setup", action="store_true")
    p.add_argument("--keep", action="store_true", help="keep the databases it created")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.no_setup and (not args.database or len(sizes) != 1):
        p.error("--no-setup needs --database and one size")

    from config import database_url

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; as_of {AS_OF}")
    results = {}
    for n in sizes:
        created = None
        url = database_url(args.database) if args.database else None
        if url is None:
            created = url = create_database(database_url(args.base_url), f"bench_exports_{n}_{os.getpid()}")
        print(f"\n== {n:,} educators ({url})")
        try:
            results[n] = run_size(url, n, args)
        finally:
            if created and not args.keep:
                drop_database(created)
            elif created:
                print(f"kept: {created}", file=sys.stderr)
    if len(sizes) > 1:
        small, large = results[sizes[0]], results[sizes[-1]]
        print(f"\n{sizes[-1]:,} / {sizes[0]:,} educators: entries peak RSS {large['entries_rss']:.0f} / "
              f"{small['entries_rss']:.0f} MiB, standings peak RSS {large['standings_rss']:.0f} / "
              f"{small['standings_rss']:.0f} MiB, entries.csv rows/s {large['rows_per_s']:,.0f} / "
              f"{small['rows_per_s']:,.0f}")
    print(f"ratio={results[sizes[-1]]['ratio']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
