"""Page speed: each role's main pages against a bare page served by the same app.

    python benchmarks/pages.py                 # the demo (240 educators) on SQLite
    python benchmarks/pages.py --educators 2000 --requests 30

Setup (not timed): a temporary SQLite database (or `--database URL`, an empty one),
migrated, with the demo loaded (`--educators` of them), and one signed-in test client per
role (through the /login form).

Timed, `--requests` times each, the order reversed every other round: GET of each page
below through the WSGI app (Flask test client: no network) against a bare page of the same
app, `GET /verify` without a serial (the base template, the session, the CSRF token, no
query). Prints each page's median and p95 in ms and its ratio to the bare page's median;
the last line is `ratio=<the slowest page's median / the bare page's median>`.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

LOGINS = {
    "educator": ("lindsey.ostler@juab.k12.ut.example", "demo-educator-2024"),
    "district_hr": ("hr.juab@demo.example", "demo-hr-2024"),
    "state_office": ("state.tn@demo.example", "demo-state-2024"),
}
PAGES = [
    ("educator", "/me"),
    ("district_hr", "/district"),
    ("district_hr", "/district/salary-runs"),
    ("state_office", "/state"),
    ("state_office", "/state/educators"),
    ("state_office", "/state/transcripts"),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--educators", type=int, default=240)
    parser.add_argument("--requests", type=int, default=25)
    parser.add_argument("--database", help="an empty database URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from ledger.access.principals import ADMIN, Principal
    from ledger.app import create_app
    from ledger.demo import load_demo
    from ledger.models import db

    tmp = tempfile.mkdtemp(prefix="bench_pages_")
    url = args.database or f"sqlite:///{tmp}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SIGNING_KEY_DIR": f"{tmp}/keys",
                      "LOGIN_RATE_LIMIT": "1000 per minute"})
    t0 = time.perf_counter()
    with app.app_context():
        upgrade()
        load_demo(db.session, Principal(ADMIN, "bench"), educators=args.educators, seed=2024,
                  today=date.today(), echo=lambda m: None)
        db.session.remove()
    print(f"setup: {time.perf_counter() - t0:.1f} s ({url.split(':')[0]}, demo with {args.educators} educators)")

    clients = {}
    for role, (email, password) in LOGINS.items():
        c = app.test_client()
        page = c.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        r = c.post("/login", data={"csrf_token": token, "email": email, "password": password})
        assert r.status_code == 302, (role, r.status_code)
        clients[role] = c
    anon = app.test_client()
    targets = [("baseline", anon, "/verify")] + [(f"{role} {path}", clients[role], path) for role, path in PAGES]
    for name, c, path in targets:  # warm: templates compiled, caches filled
        r = c.get(path, follow_redirects=True)
        assert r.status_code == 200, (name, r.status_code)
    times: dict[str, list[float]] = {name: [] for name, _, _ in targets}
    for i in range(args.requests):
        order = targets if i % 2 == 0 else list(reversed(targets))
        for name, c, path in order:
            t = time.perf_counter()
            r = c.get(path, follow_redirects=True)
            times[name].append(time.perf_counter() - t)
            assert r.status_code == 200
    base = statistics.median(times["baseline"])
    worst = 0.0
    for name, _, _ in targets:
        ts = sorted(times[name])
        median = statistics.median(ts)
        p95 = ts[min(len(ts) - 1, int(0.95 * len(ts)))]
        worst = max(worst, median)
        print(f"{name:34s} median {median * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  x{median / base:5.1f}")
    print(f"ratio={worst / base:.1f}")


if __name__ == "__main__":
    main()
