"""The standing projection's refresh after a new rulebook version, against the state
report's engine time on the same state (issue 18).

    python benchmarks/refresh.py --database postgresql://postgres@127.0.0.1:5432/bench_pages_100k
    python benchmarks/pages.py --sizes 1000,100000 --reuse --keep --refresh   # the same step, after the pages

On a copy of a kept state (`CREATE DATABASE ... TEMPLATE`, so the kept one stays as
built; the copy is dropped at the end), migrated, its projection current, each timed in a
forked child:

1. publish: a new rulebook version loaded by `load_rulebook` and committed (the same rules
   with the newest general rate raised from 6.5 to 7, so units and some statuses move).
   Outside a command, a state over `STANDINGS_INLINE_LIMIT` educators is left to a
   Celery worker (or, with no broker, as here, a thread of the process, which this forked
   child does not wait for): so this times the load and its commit only, and the state's
   judging is step 2's work (ledger/standing/tracking.py);
2. refresh: `flask ledger refresh-standings --state BM` (bigstate.REFRESH_COMMAND), the
   whole state judged again in batches, each committed: what that worker does;
3. engine: `ledger.standing.report.state_renewal_report` over the state as of today
   (standing.py's engine phase), the one source of truth the projection keeps.

Prints the three and `ratio=<refresh / engine>`. On code without the projection's command
it says so and stops without timing anything.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (ROOT, HERE)] + [str(HERE)]

import bigstate  # noqa: E402
import standing  # noqa: E402

RAISED = ("6.5", "7")  # the newest general rate, before and after the new version


def has_command(url: str) -> bool:
    return bigstate.refresh_command(standing.make_app(url)) is not None


def new_version(url: str) -> tuple[int, float]:
    from sqlalchemy import text

    from ledger.models import db
    from ledger.rulebooks.service import load_rulebook

    document = standing.rulebook() | bigstate.rulebook_extra()
    for rate in document["exchange_rates"]:
        if rate["units"] == RAISED[0] and "issuer" not in rate and "credential" not in rate:
            rate["units"] = RAISED[1]
    app = standing.make_app(url)
    with app.app_context():
        from ledger.access.principals import ADMIN, Principal

        db.session.execute(text("SELECT 1"))  # connected before the timing
        t = time.perf_counter()
        row = load_rulebook(db.session, Principal(ADMIN, standing.ACTOR), document)
        db.session.commit()
        seconds = time.perf_counter() - t
        version = row.version
        db.engine.dispose()
    return version, seconds


def copy_database(base: str, template_url: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    template = make_url(template_url).database
    with standing.pg_admin_connect(base) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return bigstate.url_for(base, name)


def run_step(base: str, size: int, url: str) -> dict | None:
    """Time the refresh and the engine on a copy of `url`; None when skipped."""
    if not standing.in_child(has_command, url):
        print(f"projection refresh: skipped: `flask {' '.join(bigstate.REFRESH_COMMAND)}` does not exist yet "
              "(issue 18's standing projection has not landed); nothing timed")
        return None
    t = time.perf_counter()
    copy = copy_database(base, url, f"{bigstate.database_name(size)}_refresh")
    tmp = tempfile.TemporaryDirectory(prefix="bench_refresh_")
    try:
        standing.in_child(bigstate.migrate, copy)
        before = standing.in_child(bigstate.refresh, copy)  # fills the projection when empty (older copies)
        print(f"projection refresh: copied the state in {time.perf_counter() - t:.0f} s"
              + ("" if "skipped" in before else f", filled its projection in {before['seconds']:.0f} s")
              + "; load average " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        version, publish = standing.in_child(new_version, copy)
        print(f"  publish (rulebook version {version}: general rate {RAISED[0]} -> {RAISED[1]}; load_rulebook and "
              f"its commit; the state's judging is left to a worker: step 2): {publish:.2f} s")
        refreshed = standing.in_child(bigstate.refresh, copy, True)
        engine = standing.in_child(standing.engine_phase, copy, date.today(), os.path.join(tmp.name, "ours.pickle"))
        print(f"  refresh ({' '.join(bigstate.REFRESH_COMMAND)}): {refreshed['seconds']:.2f} s; "
              + " | ".join(refreshed["output"]))
        print(f"  state report, engine (state_renewal_report as of today): {engine['seconds']:.2f} s, "
              f"peak RSS {engine['peak_rss']:.0f} MiB")
        print("  load average after: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
        ratio = refreshed["seconds"] / engine["seconds"]
        print(f"  refresh / engine: {ratio:.2f}")
        print(f"  publish / engine: {publish / engine['seconds']:.2f}")
        return {"publish": publish, "refresh": refreshed["seconds"], "engine": engine["seconds"], "ratio": ratio}
    finally:
        tmp.cleanup()
        standing.drop_database(copy)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database", required=True, help="a kept state (bench_pages_100k: pages.py --keep)")
    p.add_argument("--base-url", default=bigstate.BASE_URL, help="the server, for the copy (default %(default)s)")
    args = p.parse_args()
    from sqlalchemy import text

    from config import database_url

    url = database_url(args.database)

    def educators(u):
        from ledger.models import db

        with standing.make_app(u).app_context():
            n = db.session.scalar(text("SELECT count(*) FROM educators"))
            db.engine.dispose()
        return n

    size = standing.in_child(educators, url)
    print(f"state: {size:,} educators in {url}")
    result = run_step(database_url(args.base_url), size, url)
    if result:
        print(f"ratio={result['ratio']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
