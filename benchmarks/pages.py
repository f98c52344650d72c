"""Page speed: each role's main pages against a bare page served by the same app, and (issue
18) how each page's time grows from a 1,000-educator state to a 100,000-educator one.

    python benchmarks/pages.py                 # the demo (240 educators) on SQLite
    python benchmarks/pages.py --educators 2000 --requests 30
    python benchmarks/pages.py --sizes 1000,100000 --keep          # PostgreSQL, 1k against 100k
    python benchmarks/pages.py --sizes 1000,100000 --reuse --keep  # again on the kept databases
    python benchmarks/pages.py --sizes 1000,100000 --reuse --keep --refresh   # + the projection refresh

Demo mode (no `--sizes`): a temporary SQLite database (or `--database URL`, an empty one),
migrated, with the demo loaded (`--educators` of them), one signed-in test client per
role (through the /login form).

State mode (`--sizes`): for each size a PostgreSQL database `bench_pages_<size>` built by
benchmarks/bigstate.py (standing.py's state with districts, role cards and logins); `--reuse`
takes a kept one instead of building it; `--keep` keeps them (100,000 educators take a few
minutes to build). Each size's app is served by a forked process of its own (as a server
holds one database: the overview's figures are kept per process by state id). Pages: the
state office's overview (a repeat visit, and after a write: its kept figures dropped
first), its list of educators behind pace (`BEHIND_PACE` below), the HR roster of a district with 1.5% of the state's educators, an
educator's page as HR and as the state office, and the teacher's own page.

Timed, both modes: GET of each page through the WSGI app (Flask test client: no network)
against a bare page of the same app, `GET /verify` without a serial (the base template, the
session, the CSRF token, no query), in rounds, the order reversed every other round; in
state mode every size's pages in the same rounds, so background load touches both sizes
alike. Each page is asked `--requests` times, fewer when its second (untimed) answer took
long: `--budget` seconds' worth, at least 3. Prints each page's median and p95 in ms and
its ratio to its bare page's median, in state mode each page's `time at the largest size /
time at the smallest` (issue 18's target: at most 2), and the load average before and after.
The last line is `ratio=<the slowest page / the bare page>` (demo) or
`ratio=<the largest growth of a page>` (state mode).
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# the project first (benchmarks/pathways.py must not hide the `pathways` package), this folder last
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (ROOT, HERE)] + [str(HERE)]

import bigstate  # noqa: E402  (the state of state mode)
import standing  # noqa: E402

# The state office's list of who is behind pace, first page (issue 18's filter; before it
# landed, the plain "/state/educators" stood in: --behind-pace /state/educators).
BEHIND_PACE = "/state/educators?status=behind_pace"

DEMO_LOGINS = {
    "educator": ("lindsey.ostler@juab.k12.ut.example", "demo-educator-2024"),
    "district_hr": ("hr.juab@demo.example", "demo-hr-2024"),
    "state_office": ("state.tn@demo.example", "demo-state-2024"),
}
DEMO_PAGES = [
    ("educator", "/me"),
    ("district_hr", "/district"),
    ("district_hr", "/district/salary-runs"),
    ("state_office", "/state"),
    ("state_office", "/state/educators"),
    ("state_office", "/state/transcripts"),
]


def state_pages(teacher: int) -> list[tuple[str, str, bool]]:
    """(role, path, cold): cold, the figures that page keeps in the process are dropped
    first (the overview's; the roster's counts and chart), as any write in the state does
    by starting a new generation: what the first visit after a write pays. A repeat visit
    (not cold) finds the other page's figures dropped no more than a real one would: each
    cold page drops only its own kind. (The roster's engine-judged rows are kept per
    employee's token: a write judges one employee again, and a cold visit keeps the rows.)"""
    return [
        ("state_office", "/state", False),
        ("state_office", "/state", True),
        ("state_office", BEHIND_PACE, False),
        ("district_hr", "/district", False),
        ("district_hr", "/district", True),
        ("district_hr", f"/educators/{teacher}", False),
        ("state_office", f"/educators/{teacher}", False),
        ("educator", "/me", False),
    ]


KINDS = {"/state": ("overview",), "/district": ("hr",)}  # what a cold visit drops


def page_name(role: str, path: str, cold: bool) -> str:
    return f"{role} {path}" + (" (after a write)" if cold else "")


def app_for(url: str, tmp: str):
    from ledger.app import create_app

    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SIGNING_KEY_DIR": f"{tmp}/keys",
                       "LOGIN_RATE_LIMIT": "1000 per minute", "LOGIN_ACCOUNT_LIMIT": "1000 per minute",
                       "LOGIN_ADDRESS_LIMIT": "1000 per minute"})


def signed_in(app, email: str, password: str):
    c = app.test_client()
    page = c.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = c.post("/login", data={"csrf_token": token, "email": email, "password": password})
    assert r.status_code == 302, (email, r.status_code)
    return c


def timed_get(c, path: str) -> float:
    t = time.perf_counter()
    r = c.get(path, follow_redirects=True)
    took = time.perf_counter() - t
    assert r.status_code == 200, (path, r.status_code)
    return took


def run(targets: list, requests: int, budget: float, least: int = 3) -> dict[str, list[float]]:
    """targets: (name, ask), ask() answering the page once and returning its seconds. Each
    asked twice untimed (templates compiled, caches filled; the second time sets how many
    timed requests fit the budget), then in rounds, the order reversed every other round."""
    wanted = {name: max(least, min(requests, int(budget / max(ask() and ask(), 1e-6)))) for name, ask in targets}
    times: dict[str, list[float]] = {name: [] for name, _ in targets}
    for i in range(max(wanted.values())):
        for name, ask in targets if i % 2 == 0 else list(reversed(targets)):
            if len(times[name]) < wanted[name]:
                times[name].append(ask())
    return times


def stats(ts: list[float]) -> tuple[float, float]:
    ts = sorted(ts)
    return statistics.median(ts), ts[min(len(ts) - 1, int(0.95 * len(ts)))]


def report(times: dict[str, list[float]], names: list[str], base: str) -> float:
    """Print each page's median, p95 and ratio to the bare page; the slowest's ratio."""
    bare = statistics.median(times[base])
    worst = 0.0
    for name in [base] + names:
        median, p95 = stats(times[name])
        worst = max(worst, median)
        print(f"  {name:56s} median {median * 1000:9.1f} ms  p95 {p95 * 1000:9.1f} ms  "
              f"x{median / bare:7.1f}  ({len(times[name])} timed)")
    return worst / bare


# --------------------------------------------------------------------------- demo mode


def demo(args) -> None:
    from flask_migrate import upgrade

    from ledger.access.principals import ADMIN, Principal
    from ledger.demo import load_demo
    from ledger.models import db

    tmp = tempfile.mkdtemp(prefix="bench_pages_")
    url = args.database or f"sqlite:///{tmp}/bench.sqlite"
    app = app_for(url, tmp)
    t0 = time.perf_counter()
    with app.app_context():
        upgrade()
        load_demo(db.session, Principal(ADMIN, "bench"), educators=args.educators, seed=2024,
                  today=date.today(), echo=lambda m: None)
        db.session.remove()
    print(f"setup: {time.perf_counter() - t0:.1f} s ({url.split(':')[0]}, demo with {args.educators} educators)")
    clients = {role: signed_in(app, email, password) for role, (email, password) in DEMO_LOGINS.items()}
    anon = app.test_client()
    targets = [("baseline", lambda: timed_get(anon, "/verify"))]
    targets += [(f"{role} {path}", lambda c=clients[role], p=path: timed_get(c, p)) for role, path in DEMO_PAGES]
    print(f"load average before: {load_average()}")
    times = run(targets, args.requests, args.budget)
    print(f"load average after: {load_average()}")
    ratio = report(times, [name for name, _ in targets[1:]], "baseline")
    print(f"ratio={ratio:.1f}")


# --------------------------------------------------------------------------- state mode


def serve(url: str, teacher: int, conn) -> None:
    """One size's app in a process of its own, as a server holds one database (the
    overview's figures are kept per process, by state id: two databases in one process
    would evict each other's). Answers page names from the pipe with seconds."""
    try:
        from ledger.standing.summary import forget as drop
    except ImportError:  # code from before the projection: nothing kept
        def drop(*kinds):
            return None

    def forget(*kinds):
        try:
            drop(*kinds)
        except TypeError:  # code from before the kinds: everything kept is dropped
            drop()
    app = app_for(url, tempfile.mkdtemp(prefix="bench_pages_"))
    clients = {role: signed_in(app, email, bigstate.PASSWORD) for role, email in bigstate.LOGINS.items()}
    pages = {"baseline": (app.test_client(), "/verify", False)}
    for role, path, cold in state_pages(teacher):
        pages[page_name(role, path, cold)] = (clients[role], path, cold)
    conn.send("ready")
    while (name := conn.recv()) is not None:
        c, path, cold = pages[name]
        if cold:
            forget(*KINDS.get(path, ()))
        conn.send(timed_get(c, path))


def ask(conn, name: str) -> float:
    conn.send(name)
    return conn.recv()


def time_sizes(built: dict[int, dict], requests: int, budget: float) -> dict[str, list[float]]:
    """Every size's pages timed in the same rounds, each size served by its own process."""
    import multiprocessing

    fork = multiprocessing.get_context("fork")
    servers, targets = [], []
    try:
        for size, b in built.items():
            ours, theirs = fork.Pipe()
            proc = fork.Process(target=serve, args=(b["url"], b["teacher"], theirs), daemon=True)
            proc.start()
            servers.append((proc, ours))
            assert ours.recv() == "ready"
            names = ["baseline"] + [page_name(*page) for page in state_pages(b["teacher"])]
            targets += [(f"{size} {name}", functools.partial(ask, ours, name)) for name in names]
        return run(targets, requests, budget)
    finally:
        for proc, conn in servers:
            conn.send(None)
            proc.join(timeout=30)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def state(args) -> int:
    from config import database_url

    sizes = sorted(int(s) for s in args.sizes.split(","))
    base = database_url(args.base_url)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}; load average {load_average()}")
    built: dict[int, dict] = {}
    try:
        for size in sizes:
            built[size] = bigstate.prepare(base, size, args.reuse)
        print(f"load average before the timed rounds: {load_average()}")
        t = time.perf_counter()
        times = time_sizes(built, args.requests, args.budget)
        print(f"timed in {time.perf_counter() - t:.0f} s; load average after: {load_average()}")
        labels = {size: f"{bigstate.size_label(size)}" for size in sizes}
        for size in sizes:
            names = [f"{size} {page_name(*page)}" for page in state_pages(built[size]["teacher"])]
            print(f"{labels[size]} ({size:,} educators):")
            report(times, names, f"{size} baseline")
        small, large = sizes[0], sizes[-1]
        print(f"growth per page, median at {labels[large]} / median at {labels[small]} (target: at most 2):")
        rows = [("baseline /verify", f"{small} baseline", f"{large} baseline")]
        for page_small, page_large in zip(state_pages(built[small]["teacher"]), state_pages(built[large]["teacher"])):
            rows.append((page_name(*page_large), f"{small} {page_name(*page_small)}",
                         f"{large} {page_name(*page_large)}"))
        worst = 0.0
        for page, key_small, key_large in rows:
            a, b = statistics.median(times[key_small]), statistics.median(times[key_large])
            verdict = "" if page.startswith("baseline") else "  ok" if b / a <= 2 else "  OVER"
            if verdict:
                worst = max(worst, b / a)
            print(f"  {page:52s} {a * 1000:9.1f} ms -> {b * 1000:9.1f} ms  x{b / a:7.2f}{verdict}")
        if args.refresh:
            refresh_step(base, sizes[-1], built[sizes[-1]]["url"])
        print(f"ratio={worst:.2f}")
        return 0
    finally:
        for b in built.values():
            if args.keep:
                print(f"kept: {b['url']}", file=sys.stderr)
            else:
                standing.drop_database(b["url"])


def refresh_step(base: str, size: int, url: str) -> None:
    from refresh import run_step

    run_step(base, size, url)


def main() -> int:
    global BEHIND_PACE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--educators", type=int, default=240, help="demo mode: the demo's size")
    parser.add_argument("--requests", type=int, default=25, help="timed requests per page, at most")
    parser.add_argument("--budget", type=float, default=20.0,
                        help="seconds per page: a slow page is asked fewer times, at least 3 (default 20)")
    parser.add_argument("--database", help="demo mode: an empty database URL (default: a temporary SQLite file)")
    parser.add_argument("--sizes", help="state mode on PostgreSQL: educators per state, e.g. 1000,100000")
    parser.add_argument("--base-url", default=bigstate.BASE_URL,
                        help="state mode: the server to build on (default %(default)s)")
    parser.add_argument("--reuse", action="store_true",
                        help="state mode: use a kept bench_pages_<size> database when there is one")
    parser.add_argument("--keep", action="store_true", help="state mode: keep the databases")
    parser.add_argument("--refresh", action="store_true",
                        help="state mode: then time the projection refresh after a new rulebook version on the "
                        "largest size, against the state report's engine time (skipped until the command exists)")
    parser.add_argument("--behind-pace", default=BEHIND_PACE,
                        help="state mode: the state office's behind-pace list (default %(default)s)")
    args = parser.parse_args()
    BEHIND_PACE = args.behind_pace  # read by state_pages, in this process and the forked timing child
    if not args.sizes:
        demo(args)
        return 0
    return state(args)


if __name__ == "__main__":
    sys.exit(main())
