"""The API under load (issue 18): one educator's standing against a plain educator read,
gunicorn with 4 workers on a state of 100,000 educators, 32 concurrent connections.

    pip install -e '.[bench]'                       # locust, the load generator
    python benchmarks/load.py                       # the kept bench_pages_100k (built if missing), 60 s
    python benchmarks/load.py --duration 10         # a smoke run
    python benchmarks/load.py --database URL        # any state built by bigstate.py

Setup (not timed): the state of benchmarks/bigstate.py (`bench_pages_<size>`, reused when
kept, else built: a few minutes at 100,000, dropped at the end unless `--keep`), an API
token of the state office of BM (`access.tokens.create_token`), and gunicorn serving
`wsgi:app` with `--workers` sync workers on a free local port.

Timed: locust (as a library, headless, `--users` users each holding one connection, no
wait between requests) asks for random educators of the state, in slices of `--slice`
seconds that alternate between the two requests, all users on one of them at a time:
`GET /api/v1/educators/{id}/standing` and `GET /api/v1/educators/{id}` (the plain read). A
50/50 mix in one slice would not do: with every user picking either request at random,
both are asked equally often whatever each costs, so their req/s come out alike. After
`--warmup` seconds of both (not counted), `--duration` seconds in all, half to each.

Prints for each request its req/s (answers / the seconds its slices lasted), p50 and p99
(locust's, rounded as it keeps them), errors (non-2xx or failed connections), then
`ratio=<standing req/s / plain req/s>` (issue 18's target: at least 0.8, with zero errors),
and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (ROOT, HERE)] + [str(HERE)]

import bigstate  # noqa: E402
import standing  # noqa: E402

REQUESTS = {  # name -> path
    "standing": "/api/v1/educators/{id}/standing",
    "plain": "/api/v1/educators/{id}",
}


def kept_answers(url: str) -> int | None:
    """Standing answers the API keeps (`standing_answers`, sent again while nothing
    changed); None on code without them."""
    from sqlalchemy import inspect, text

    from ledger.models import db

    with standing.make_app(url).app_context():
        n = db.session.scalar(text("SELECT count(*) FROM standing_answers")) \
            if inspect(db.engine).has_table("standing_answers") else None
        db.engine.dispose()
    return n


def token_and_top(url: str) -> tuple[str, int]:
    """A state office token of the state, valid a day; the largest educator id."""
    from sqlalchemy import func, select

    from ledger.access.tokens import create_token
    from ledger.models import Educator, db, utcnow

    with standing.make_app(url).app_context():
        token = create_token(db.session, standing.ACTOR, "state_office", standing.STATE, label="load benchmark",
                             owner="benchmarks/load.py", expires_at=utcnow() + timedelta(days=1))
        db.session.commit()
        top = db.session.scalar(select(func.max(Educator.id)))
        db.engine.dispose()
    return token, top


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, workers: int, port: int, tmp: str) -> subprocess.Popen:
    env = os.environ | {"DATABASE_URL": url, "SECRET_KEY": "bench", "SIGNING_KEY_DIR": f"{tmp}/keys",
                        "EVIDENCE_DIR": f"{tmp}/evidence"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # from the repository's folder: gunicorn.conf.py's production settings (threaded workers), these overriding
    proc = subprocess.Popen(
        [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--limit-request-line", "8190",
         "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/verify", timeout=5) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit("gunicorn did not answer within 90 s")


def swarm(host: str, token: str, ids: list[int], users: int, duration: float, slice_s: float, warmup: float,
          seed: int) -> dict:
    """Run locust in this process (it patches the standard library with gevent: call it
    last). Returns, per request name, its answers, failures, seconds, p50 and p99."""
    import gevent
    from locust import FastHttpUser, constant, events, task
    from locust.env import Environment

    rng = random.Random(seed)
    headers = {"Authorization": f"Bearer {token}"}
    state = {"mode": None}  # None: both (the warm-up); else the one request of this slice

    class Reader(FastHttpUser):
        wait_time = constant(0)

        @task
        def read(self):
            name = state["mode"] or rng.choice(list(REQUESTS))
            path = REQUESTS[name].format(id=rng.choice(ids))
            self.client.get(path, headers=headers, name=name)

    Reader.host = host
    env = Environment(user_classes=[Reader], events=events)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(warmup)
    env.stats.reset_all()
    seconds = dict.fromkeys(REQUESTS, 0.0)
    order = list(REQUESTS)
    slices = max(2, round(duration / slice_s))
    for k in range(slices):
        state["mode"] = order[k % 2]
        t = time.perf_counter()
        gevent.sleep(duration / slices)
        seconds[state["mode"]] += time.perf_counter() - t
    runner.quit()
    out = {}
    for name in REQUESTS:
        e = env.stats.get(name, "GET")
        out[name] = {"answers": e.num_requests - e.num_failures, "failures": e.num_failures,
                     "seconds": seconds[name], "p50": e.get_response_time_percentile(0.5),
                     "p99": e.get_response_time_percentile(0.99), "mean": e.avg_response_time}
    out["errors"] = [f"{err.name}: {err.error} x{err.occurrences}" for err in env.stats.errors.values()]
    return out


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database", help="a built state (default: bench_pages_<educators>, reused or built)")
    p.add_argument("--educators", type=int, default=100_000, help="the state's size (default 100,000)")
    p.add_argument("--base-url", default=bigstate.BASE_URL, help="the server (default %(default)s)")
    p.add_argument("--keep", action="store_true", help="keep the database when this run built it")
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--users", type=int, default=32, help="concurrent connections (default 32)")
    p.add_argument("--duration", type=float, default=60, help="seconds timed, half per request (default 60)")
    p.add_argument("--slice", type=float, default=10, help="seconds per slice of one request (default 10)")
    p.add_argument("--warmup", type=float, default=5, help="seconds of both first, not counted (default 5)")
    p.add_argument("--seed", type=int, default=18)
    p.add_argument("--pool", type=int, default=0,
                   help="draw the educators from a random set of this many (default 0: the whole state); the API "
                   "keeps each answer it sent until a write, so a small pool asked again measures kept answers")
    args = p.parse_args()

    from config import database_url

    built = None
    if args.database:
        url = database_url(args.database)
    else:
        b = bigstate.prepare(database_url(args.base_url), args.educators, reuse=True)
        url, built = b["url"], b["url"] if b["built"] else None
    tmp = tempfile.TemporaryDirectory(prefix="bench_load_")
    server = None
    try:
        token, top = standing.in_child(token_and_top, url)
        ids = random.Random(args.seed).sample(range(1, top + 1), args.pool) if 0 < args.pool < top else \
            list(range(1, top + 1))
        kept = standing.in_child(kept_answers, url)
        port = free_port()
        server = start_gunicorn(url, args.workers, port, tmp.name)
        print(f"gunicorn: {args.workers} workers on 127.0.0.1:{port}, {url.rsplit('/', 1)[-1]} "
              f"({top:,} educators); locust: {args.users} users, {args.duration:.0f} s in slices of "
              f"{args.slice:.0f} s after {args.warmup:.0f} s of warm-up")
        print(f"machine: {os.cpu_count()} cores; load average before: {load_average()}")
        print(f"educators asked: {'all ' if len(ids) == top else 'a random pool of '}{len(ids):,}; standing "
              f"answers kept before the run: {'none (no such table)' if kept is None else f'{kept:,}'}")
        result = swarm(f"http://127.0.0.1:{port}", token, ids, args.users, args.duration, args.slice, args.warmup,
                       args.seed)
        print(f"load average after: {load_average()}")
        rate = {}
        for name in REQUESTS:
            r = result[name]
            rate[name] = r["answers"] / r["seconds"]
            print(f"  {name:9s} {REQUESTS[name]:34s} {rate[name]:7.1f} req/s  ({r['answers']:,} answers in "
                  f"{r['seconds']:.0f} s)  p50 {r['p50']:.0f} ms  p99 {r['p99']:.0f} ms  mean {r['mean']:.0f} ms  "
                  f"errors {r['failures']}")
        errors = sum(result[name]["failures"] for name in REQUESTS)
        for line in result["errors"][:10]:
            print(f"  error: {line}")
        print(f"errors: {errors} (target 0); standing / plain: {rate['standing'] / rate['plain']:.2f} "
              "(target: at least 0.8)")
        print(f"ratio={rate['standing'] / rate['plain']:.2f}")
        return 1 if errors else 0
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        tmp.cleanup()
        if built and not args.keep:
            standing.drop_database(built)
        elif built:
            print(f"kept: {built}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
