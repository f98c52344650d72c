"""CSV import benchmark: `ledger.imports.run.run_import` against a bare COPY of the same rows.

    python benchmarks/imports.py                          # 100,000 educators, 200,000 rows
    python benchmarks/imports.py --educators 2000 --rows 5000     # a quick run
    python benchmarks/imports.py --keep                   # keep the databases (URLs printed)
    python benchmarks/imports.py --profile 40             # also cProfile the import (top 40)
    python benchmarks/imports.py --template URL           # reuse a kept, built database (no setup)

Builds the synthetic state of `standing.py` (schema by the migrations, rulebook and catalog
through the ledger's loaders; educators, licenses, about `--entries` entries each, voids and
holdings by COPY) in a fresh PostgreSQL database, then writes two files from it:

- `import.csv`: `--rows` rows with the header
  `license_number,state,earned_on,credential,title,hours,tags,external_id`, mostly
  micro-credentials from the catalog (most with an `external_id`), some activities (title,
  hours, tags); every (educator, credential) pair unique in the file and not already held;
  dates in the past (some written the US way); educators in random order;
- `resolved.tsv`: the same rows already resolved to ids, as COPY text for `entries`.

Every timed phase starts from the same state: a copy of the built database
(`CREATE DATABASE ... TEMPLATE ... STRATEGY FILE_COPY`), one copy per phase. Each phase runs
in a forked child, so its peak RSS (`ru_maxrss`) is its own:

1. **COPY floor**: `COPY entries (educator_id, kind, credential_id, title, hours, tags,
   earned_on, external_id, recorded_by, recorded_at) FROM STDIN` of `resolved.tsv`, streamed
   from disk, into the indexed table, committed;
2. **import**: `run_import(session, admin, csv_rows(<the file streamed from disk>), fmt="csv")`
   in an app context, committed; it must accept every row and the database must hold exactly
   `--rows` more entries afterwards (and a holding for each micro-credential), the same
   entries as the floor wrote (an MD5 of both sets' sorted contents, ids and times left out);
3. **import of a quarter**: the first quarter of the rows as its own file, into another copy,
   so the two peak RSS figures show whether memory grows with the file.

The last line is `ratio=<import seconds / COPY seconds>`; the target is at most 10 with the
import's peak memory flat in the file's size.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import standing
from standing import (
    STATE,
    create_database,
    drop_database,
    in_child,
    make_app,
    peak_rss_mib,
    rss_now_mib,
)

ACTOR = "bench"  # the importing principal (the setup records its entries as "bench" too)
HEADER = "license_number,state,earned_on,credential,title,hours,tags,external_id"
COPY_COLUMNS = "educator_id, kind, credential_id, title, hours, tags, earned_on, external_id, recorded_by, recorded_at"
ACTIVITY_SHARE = 0.06       # rows that are activities (title, hours, tags)
EXTERNAL_MC = 0.85          # micro-credentials carrying an external_id
EXTERNAL_ACTIVITY = 0.5     # activities carrying an external_id
US_DATES = 0.05             # dates written 3/1/2024 rather than 2024-03-01


# --------------------------------------------------------------------------- the files


def generate(url: str, rows: int, seed: int, out_dir: str, quarter: int) -> dict:
    """Write import.csv, resolved.tsv and quarter.csv (the first `quarter` rows) from the
    built database: educators and catalog credentials by their ids, pairs not yet held."""
    import csv

    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    rng = random.Random(seed * 7919 + rows)
    with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                         dbname=u.database) as conn:
        educators = conn.execute(
            "SELECT e.id, e.license_number FROM educators e JOIN states s ON s.id = e.state_id "
            "WHERE s.code = %s ORDER BY e.id", (STATE,)).fetchall()
        credentials = conn.execute("SELECT id, code FROM credentials ORDER BY id").fetchall()
        top = max(c for c, _ in credentials) + 1
        taken = {e * top + c for e, c in conn.execute("SELECT educator_id, credential_id FROM holdings")}
        external_taken = conn.execute(
            "SELECT count(*) FROM entries WHERE external_id LIKE 'imp-%%'").fetchone()[0]
    if external_taken:
        raise RuntimeError("the database already holds imp-* external ids")
    capacity = len(educators) * len(credentials) - len(taken)
    if rows > capacity * 0.8:
        raise SystemExit(f"--rows {rows:,} is too many for {len(educators):,} educators "
                         f"({capacity:,} credentials not yet held)")

    first = date(2016, 7, 1).toordinal()
    last = min(date.today(), date(2025, 2, 28)).toordinal()
    hours_choices = ["0.5", "1", "1.5", "2", "3", "6", "7.25", "12.5", "15", "30"]
    tag_choices = ["", "", "literacy", "math", "literacy;math", "pedagogy", "sei;literacy", "technology"]
    mc = act = ext = us = 0
    full_path = os.path.join(out_dir, "import.csv")
    quarter_path = os.path.join(out_dir, "quarter.csv")
    tsv_path = os.path.join(out_dir, "resolved.tsv")
    recorded_at = datetime.now(UTC).isoformat()
    with open(full_path, "w", newline="") as f_full, open(quarter_path, "w", newline="") as f_quarter, \
            open(tsv_path, "w") as f_tsv:
        w_full, w_quarter = csv.writer(f_full, lineterminator="\r\n"), csv.writer(f_quarter, lineterminator="\r\n")
        for w in (w_full, w_quarter):
            w.writerow(HEADER.split(","))
        for n in range(1, rows + 1):
            eid, number = educators[rng.randrange(len(educators))]
            day = date.fromordinal(rng.randint(first, last))
            if rng.random() < US_DATES:
                written = f"{day.month}/{day.day}/{day.year}"
                us += 1
            else:
                written = day.isoformat()
            if rng.random() < ACTIVITY_SHARE:
                act += 1
                title = f"Summer institute session {rng.randint(1, 400)}"
                hours = rng.choice(hours_choices)
                tags = rng.choice(tag_choices)
                external = f"imp-{seed}-a{n}" if rng.random() < EXTERNAL_ACTIVITY else ""
                row = [number, STATE, written, "", title, hours, tags, external]
                tags_json = json.dumps(sorted({t for t in tags.split(";") if t}))
                tsv = (f"{eid}\tactivity\t\\N\t{title}\t{hours}\t{tags_json}\t{day.isoformat()}\t"
                       f"{external or chr(92) + 'N'}\t{ACTOR}\t{recorded_at}\n")
            else:
                while True:
                    cid, code = credentials[rng.randrange(len(credentials))]
                    if eid * top + cid not in taken:
                        break
                    eid, number = educators[rng.randrange(len(educators))]
                taken.add(eid * top + cid)
                mc += 1
                external = f"imp-{seed}-m{n}" if rng.random() < EXTERNAL_MC else ""
                row = [number, STATE, written, code, "", "", "", external]
                tsv = (f"{eid}\tmicrocredential\t{cid}\t\\N\t\\N\t[]\t{day.isoformat()}\t"
                       f"{external or chr(92) + 'N'}\t{ACTOR}\t{recorded_at}\n")
            ext += bool(external)
            w_full.writerow(row)
            if n <= quarter:
                w_quarter.writerow(row)
            f_tsv.write(tsv)
    return {
        "rows": rows, "micro-credentials": mc, "activities": act, "with external_id": ext,
        "US-style dates": us, "file MiB": os.path.getsize(full_path) / 2**20,
        "paths": (full_path, quarter_path, tsv_path),
    }


# --------------------------------------------------------------------------- databases


def clone(template_url: str, name: str) -> str:
    """A copy of the built database (no one may be connected to it: retry while the
    last child's backend is still closing)."""
    from sqlalchemy.engine import make_url

    template = make_url(template_url).database
    for attempt in range(50):
        try:
            with standing.pg_admin_connect(template_url) as conn:
                conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
            break
        except Exception as exc:
            if "being accessed by other users" not in str(exc) or attempt == 49:
                raise
            time.sleep(0.2)
    return make_url(template_url).set(database=name).render_as_string(hide_password=False)


def counts(url: str) -> dict:
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                         dbname=u.database) as conn:
        found = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("entries", "holdings")}
        found["max id"] = conn.execute("SELECT coalesce(max(id), 0) FROM entries").fetchone()[0]
        return found


def fingerprint(url: str, after_id: int) -> tuple[int, str]:
    """The entries recorded after `after_id`, as a count and an MD5 of their sorted
    contents (ids and recording times left out), to check both phases wrote the same rows."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                         dbname=u.database) as conn:
        return tuple(conn.execute(
            "SELECT count(*), md5(string_agg(x, E'\\n' ORDER BY x)) FROM ("
            " SELECT concat_ws('|', educator_id, kind, credential_id, title, hours, tags::text, earned_on,"
            "                  external_id, evidence_url, recorded_by) AS x"
            " FROM entries WHERE id > %s) t", (after_id,)).fetchone())


# --------------------------------------------------------------------------- the phases


def copy_phase(url: str, tsv_path: str) -> dict:
    """The floor: COPY the resolved rows into entries (all its indexes, constraints and
    triggers in place), streamed from disk in 1 MiB chunks, and commit."""
    import psycopg
    from sqlalchemy.engine import make_url

    u = make_url(url)
    conn = psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                           dbname=u.database)
    conn.execute("SELECT 1")
    conn.commit()
    rss0 = rss_now_mib()
    t0 = time.perf_counter()
    with conn.cursor() as cur:
        with cur.copy(f"COPY entries ({COPY_COLUMNS}) FROM STDIN") as cp, open(tsv_path, "rb") as f:
            while chunk := f.read(1 << 20):
                cp.write(chunk)
        copied = cur.rowcount
    conn.commit()
    seconds = time.perf_counter() - t0
    peak = peak_rss_mib()
    conn.close()
    return {"seconds": seconds, "rss_start": rss0, "peak_rss": peak, "copied": copied}


def import_phase(url: str, csv_path: str, profile: int = 0) -> dict:
    """The service, as the CLI calls it: the file streamed from disk line by line."""
    from sqlalchemy import text

    from ledger.access.principals import Principal
    from ledger.imports import sources
    from ledger.imports.run import run_import
    from ledger.models import db

    def lines():
        with open(csv_path, encoding="utf-8-sig", newline="") as f:
            yield from f

    app = make_app(url)
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # connect outside the timing, as the floor does
        db.session.commit()
        principal = Principal(role="admin", actor=ACTOR)
        open_rows = sources.csv_rows(lines, date.today())
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
        rss0 = rss_now_mib()
        t0 = time.perf_counter()
        if profiler:
            profiler.enable()
        report = run_import(db.session, principal, open_rows, fmt="csv")
        db.session.commit()  # the caller commits (as the CLI does): the chain's links and the projection too
        if profiler:
            profiler.disable()
        seconds = time.perf_counter() - t0
        peak = peak_rss_mib()
        db.session.remove()
        db.engine.dispose()
    stats = None
    if profiler:
        import io
        import pstats

        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(profile)
        stats = out.getvalue()
    return {"seconds": seconds, "rss_start": rss0, "peak_rss": peak, "report": report.as_dict()
            | {"errors": report.errors[:5]}, "committed": report.committed, "profile": stats}


# --------------------------------------------------------------------------- main


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--educators", type=int, default=100_000)
    p.add_argument("--rows", type=int, default=200_000, help="rows in the imported file (default 200,000)")
    p.add_argument("--entries", type=int, default=20,
                   help="entries each educator already holds, about (default 20, as standing.py)")
    p.add_argument("--base-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                   help="where to create the databases (default %(default)s)")
    p.add_argument("--keep", action="store_true", help="keep the databases it created")
    p.add_argument("--template", metavar="URL",
                   help="a database built by an earlier run with --keep (left as it is: the timed phases "
                        "run on copies of it); skips the setup, --educators and --entries are what it holds")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--no-quarter", action="store_true", help="skip the quarter-size import")
    p.add_argument("--profile", type=int, default=0, metavar="N",
                   help="cProfile the full import and print its top N functions by cumulative time")
    args = p.parse_args(argv)

    from config import database_url

    base = database_url(args.base_url)
    if not base.startswith("postgresql"):
        p.error("this benchmark needs PostgreSQL (COPY)")
    prefix = f"bench_imports_{os.getpid()}"
    created: list[str] = []
    tmp = tempfile.TemporaryDirectory(prefix="bench_imports_")
    quarter = args.rows // 4
    try:
        if args.template:
            url = database_url(args.template)
            print(f"database: {url} (built earlier; the timed phases run on copies of it)")
        else:
            url = create_database(base, prefix)
            created.append(url)
            print(f"database: {url}")
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        if not args.template:
            t = time.perf_counter()
            built = in_child(standing.setup, url, args.educators, args.entries, args.seed)
            print(f"setup: {time.perf_counter() - t:.1f} s (" + ", ".join(
                f"{k} {v:.1f} s" for k, v in built["timings"].items()) + ")")
            print("state: " + ", ".join(f"{k} {v:,}" for k, v in built["counts"].items()))

        t = time.perf_counter()
        files = in_child(generate, url, args.rows, args.seed, tmp.name, quarter)
        full_csv, quarter_csv, tsv = files.pop("paths")
        print(f"files: {time.perf_counter() - t:.1f} s; " + ", ".join(
            f"{k} {v:,.1f}" if isinstance(v, float) else f"{k} {v:,}" for k, v in files.items())
            + f"; quarter file {quarter:,} rows, {os.path.getsize(quarter_csv) / 2**20:.1f} MiB")

        t = time.perf_counter()
        copy_url = clone(url, prefix + "_copy")
        created.append(copy_url)
        import_url = clone(url, prefix + "_import")
        created.append(import_url)
        if not args.no_quarter:
            quarter_url = clone(url, prefix + "_quarter")
            created.append(quarter_url)
        before = counts(url)
        print(f"copies of the built database: {time.perf_counter() - t:.1f} s; each starts with "
              f"{before['entries']:,} entries, {before['holdings']:,} holdings")

        print(f"load average (1 min) before the timed phases: {os.getloadavg()[0]:.2f}")
        floor = in_child(copy_phase, copy_url, tsv)
        if floor["copied"] != args.rows:
            raise SystemExit(f"COPY wrote {floor['copied']:,} rows, not {args.rows:,}")
        ours = in_child(import_phase, import_url, full_csv, args.profile)
        small = None if args.no_quarter else in_child(import_phase, quarter_url, quarter_csv)
        print(f"load average (1 min) after the timed phases: {os.getloadavg()[0]:.2f}")

        # The import must have recorded every row, once.
        report = ours["report"]
        after = counts(import_url)
        added = {k: after[k] - before[k] for k in ("entries", "holdings")}
        mc = files["micro-credentials"]
        problems = []
        if not ours["committed"] or report["accepted"] != args.rows or report["rejected"] or report["duplicates"]:
            problems.append(f"report: accepted {report['accepted']:,}, duplicates {report['duplicates']:,}, "
                            f"rejected {report['rejected']:,}, recorded {ours['committed']}; "
                            f"first errors {report['errors']}")
        if added != {"entries": args.rows, "holdings": mc}:
            problems.append(f"the database gained {added}, not {args.rows:,} entries and {mc:,} holdings")
        same = fingerprint(import_url, before["max id"]) == fingerprint(copy_url, before["max id"])
        if not same:
            problems.append("the import and the COPY floor did not write the same entries")
        if small:
            if not small["committed"] or small["report"]["accepted"] != quarter:
                problems.append(f"quarter report: {small['report']}")
            elif counts(quarter_url)["entries"] - before["entries"] != quarter:
                problems.append("the quarter import did not record its rows")

        def line(name, r, rows):
            return (f"{name}: {r['seconds']:.2f} s, {rows / r['seconds']:,.0f} rows/s, peak RSS "
                    f"{r['peak_rss']:.0f} MiB (phase started at {r['rss_start']:.0f} MiB, "
                    f"+{r['peak_rss'] - r['rss_start']:.0f} MiB)")

        print(line(f"COPY floor ({args.rows:,} rows into entries)", floor, args.rows))
        print(line(f"import ({args.rows:,} rows)", ours, args.rows))
        if small:
            print(line(f"import of a quarter ({quarter:,} rows)", small, quarter))
            print(f"memory: peak RSS {ours['peak_rss']:.0f} MiB for {args.rows:,} rows, "
                  f"{small['peak_rss']:.0f} MiB for {quarter:,} rows "
                  f"(x{ours['peak_rss'] / small['peak_rss']:.2f} for x{args.rows / quarter:.0f} the rows)")
        print(f"recorded: {added['entries']:,} entries, {added['holdings']:,} holdings "
              f"(report: accepted {report['accepted']:,}, duplicates {report['duplicates']:,}, "
              f"rejected {report['rejected']:,}); "
              + ("the same entries as the COPY floor wrote" if same else "NOT the entries the COPY floor wrote"))
        if ours["profile"]:
            print(ours["profile"])
        if problems:
            for problem in problems:
                print("PROBLEM: " + problem)
        print(f"ratio={ours['seconds'] / floor['seconds']:.2f}")
        return 1 if problems else 0
    finally:
        tmp.cleanup()
        if args.keep:
            for u in created:
                print(f"kept: {u}", file=sys.stderr)
        else:
            for u in reversed(created):
                drop_database(u)


if __name__ == "__main__":
    sys.exit(main())
