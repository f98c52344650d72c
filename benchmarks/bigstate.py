"""A state's worth of educators for the page and load benchmarks (issue 18), on PostgreSQL.

The data is standing.py's (`standing.setup`: a synthetic state `BM`, its rulebook and
catalog through the ledger's loaders, educators, one or two license cycles each, about 20
entries each, voids and holdings, all by COPY), with what the pages need beside it:

- districts: the rulebook names them (`load_rulebook` creates them), 25 in all: `BM-HR`
  holds 1.5% of the educators (15 at 1,000, 1,500 at 100,000), 24 others share the rest
  but one in twenty, who works for no district; an employment row for each;
- role cards: a state card (`BM-RANK2`, a 3-year window, 6 core + 6 of a tag list) and a
  district card of `BM-HR` with salary lanes and maintenance;
- logins (`access.users.create_user`, the ledger's own service): the state office of BM,
  HR of BM-HR, and an educator of BM-HR with entries and a license the rules judge;
- the standing projection (`standing_cycles`, `standing_cards`): after a build (COPY
  writes around the ledger's services) `flask ledger refresh-standings --state BM` fills
  it, untimed; code from before the projection skips this.

Each size gets its own database, `bench_pages_<size>` (`bench_pages_1k`,
`bench_pages_100k`), so a kept one is found again by name.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
# the project first (benchmarks/pathways.py must not hide the `pathways` package), this folder last
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() not in (ROOT, HERE)] + [str(HERE)]

import standing  # noqa: E402  (benchmarks/standing.py: the state's builder)

STATE = standing.STATE
BASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
HR_DISTRICT = "BM-HR"
OTHER_DISTRICTS = [f"BM-D{k:02d}" for k in range(1, 25)]
PASSWORD = "bench-password-2026"
LOGINS = {  # role -> e-mail; the educator's account is tied to an educator found after the build
    "state_office": "state.bm@bench.example",
    "district_hr": "hr.bmhr@bench.example",
    "educator": "teacher.bmhr@bench.example",
}
# The standing projection of issue 18 (ledger/standing/projection.py): COPY writes around
# the services that keep it, so a built state is refreshed with its command (untimed); a
# database without the command (older code) skips it.
REFRESH_COMMAND = ["ledger", "refresh-standings", "--state", STATE]
PROJECTION_TABLE = "standing_cycles"


def size_label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def database_name(n: int) -> str:
    return f"bench_pages_{size_label(n)}"


def url_for(base: str, name: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(base).set(database=name).render_as_string(hide_password=False)


def database_exists(base: str, name: str) -> bool:
    with standing.pg_admin_connect(base) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None


def rulebook_extra() -> dict:
    """Districts and role cards, added to standing.py's rulebook (its catalog's codes)."""
    lanes = [{"name": "BA", "min_credits": 0}, {"name": "BA+15", "min_credits": 15},
             {"name": "MA", "min_credits": 30}]
    hr = {
        "code": HR_DISTRICT, "name": "Benchmark HR District", "salary_credits_per_mc": 0.5, "lanes": lanes,
        "pathways": [{
            "code": "BMHR-TL", "name": "Teacher Leader", "designation": "Teacher Leader",
            "cite": "benchmark district card",
            "core": [f"DP-{k:03d}" for k in range(1, 5)],
            "electives": [{"choose": 4, "from": [f"BB-{k:03d}" for k in range(1, 13)]}],
            "required_count": 8, "effects": {"base_salary_pct": 5},
            "maintenance": [{"years": 3, "required_count": 4}, {"years": 3, "required_count": 2}],
        }],
    }
    others = [{"code": code, "name": f"Benchmark District {code[-2:]}", "salary_credits_per_mc": 0}
              for code in OTHER_DISTRICTS]
    card = {
        "code": "BM-RANK2", "name": "Rank 2 through micro-credentials", "designation": "Rank 2",
        "window_years": 3, "cite": "benchmark state card",
        "core": [f"NEA-{k:03d}" for k in range(1, 7)],
        "electives": [{"choose": 6, "tags": ["assessment", "literacy", "math", "leadership"]}],
        "required_count": 12,
    }
    return {"districts": [hr] + others, "pathways": [card]}


def place(url: str) -> dict:
    """Districts and employments for the educators COPY wrote (one UPDATE, one INSERT)."""
    from sqlalchemy import text

    from ledger.models import db

    app = standing.make_app(url)
    with app.app_context():
        ids = dict(db.session.execute(text("SELECT code, id FROM districts")).all())
        others = "ARRAY[" + ", ".join(str(ids[c]) for c in OTHER_DISTRICTS) + "]"
        db.session.execute(text(
            f"UPDATE educators SET district_id = CASE WHEN id % 200 < 3 THEN {ids[HR_DISTRICT]} "
            f"WHEN id % 20 = 7 THEN NULL ELSE ({others})[1 + (id * 7919) % {len(OTHER_DISTRICTS)}] END"))
        db.session.execute(text(
            "INSERT INTO employments (educator_id, district_id, started_on, recorded_by, recorded_at) "
            "SELECT id, district_id, DATE '2015-07-01', :actor, now() FROM educators WHERE district_id IS NOT NULL"),
            {"actor": standing.ACTOR})
        counts = dict(db.session.execute(text(
            "SELECT d.code, count(e.id) FROM districts d LEFT JOIN educators e ON e.district_id = d.id "
            "GROUP BY d.code")).all())
        db.session.commit()
        db.session.close()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("ANALYZE educators"))
            c.execute(text("ANALYZE employments"))
        db.engine.dispose()
    return {"HR district": counts[HR_DISTRICT], "other districts": sum(v for k, v in counts.items() if k != HR_DISTRICT)}


def logins(url: str) -> dict:
    """Make the three accounts unless they are there; which educator the teacher is."""
    from sqlalchemy import select, text

    from ledger.access.users import create_user
    from ledger.models import User, db

    app = standing.make_app(url)
    with app.app_context():
        teacher = db.session.scalar(text(
            "SELECT e.id FROM educators e JOIN districts d ON d.id = e.district_id "
            "WHERE d.code = :hr AND EXISTS (SELECT 1 FROM licenses l WHERE l.educator_id = e.id "
            "AND l.type IN ('professional', 'practitioner')) "
            "AND (SELECT count(*) FROM entries n WHERE n.educator_id = e.id) >= 15 ORDER BY e.id LIMIT 1"),
            {"hr": HR_DISTRICT})
        scopes = {"state_office": {"state": STATE}, "district_hr": {"district": HR_DISTRICT},
                  "educator": {"educator": teacher}}
        for role, email in LOGINS.items():
            user = db.session.scalar(select(User).where(User.email == email))
            if user is None:
                create_user(db.session, standing.ACTOR, email, PASSWORD, role, **scopes[role])
            elif role == "educator":
                teacher = user.educator_id
        db.session.commit()
        db.engine.dispose()
    return {"educator": teacher}


def refresh_command(app):
    """The projection's refresh command when it exists, else None."""
    group = app.cli.commands.get("ledger")
    return group.commands.get(REFRESH_COMMAND[1]) if group is not None else None


def refresh(url: str, force: bool = False) -> dict:
    """Run the refresh command (when it exists) if the projection is empty, or always with
    `force`; the seconds it took and its output's last lines."""
    from sqlalchemy import inspect, text

    from ledger.models import db

    app = standing.make_app(url)
    if refresh_command(app) is None:
        return {"skipped": f"no `flask {' '.join(REFRESH_COMMAND[:2])}` command yet"}
    filled = False
    with app.app_context():
        if not force and inspect(db.engine).has_table(PROJECTION_TABLE):
            filled = bool(db.session.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {PROJECTION_TABLE})")))
        db.session.remove()
        db.engine.dispose()
    # filled: only what the days moved since (and, after migration 0020, the statuses stored)
    command = [*REFRESH_COMMAND, "--due"] if filled else REFRESH_COMMAND
    with app.app_context():  # as the `flask` command gives one
        t = time.perf_counter()
        result = app.test_cli_runner().invoke(args=command)
        seconds = time.perf_counter() - t
        # statistics for the planner (autovacuum may be off on a benchmark server)
        with db.engine.connect() as c:
            c.execute(text("ANALYZE"))
            c.commit()
        db.engine.dispose()
    if result.exit_code != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({result.exit_code}):\n{result.output[-2000:]}"
                           + (repr(result.exception) if result.exception else ""))
    if filled:
        return {"skipped": f"{PROJECTION_TABLE} already filled ({result.output.strip().splitlines()[-1]}, "
                           f"{seconds:.1f} s)"}
    return {"seconds": seconds, "output": result.output.strip().splitlines()[-3:]}


def migrate(url: str) -> None:
    """A kept database built before a migration (the projection's table) catches up."""
    import flask_migrate

    app = standing.make_app(url)
    with app.app_context():
        flask_migrate.upgrade()


def missing_columns(url: str) -> list[str]:
    """Model columns the database lacks: a kept database migrated to a revision that was
    later edited in place (a new column in the same migration) cannot catch up."""
    from sqlalchemy import inspect

    from ledger.models import db

    app = standing.make_app(url)
    with app.app_context():
        found = inspect(db.engine)
        tables = set(found.get_table_names())
        missing = [f"{t.name}.{c}" for t in db.metadata.sorted_tables if t.name in tables
                   for c in sorted(set(t.columns.keys()) - {col["name"] for col in found.get_columns(t.name)})]
        missing += [t.name for t in db.metadata.sorted_tables if t.name not in tables]
        db.engine.dispose()
    return missing


def prepare(base: str, educators: int, reuse: bool, seed: int = 1) -> dict:
    """The database of this size, built (or, with `reuse`, the kept one when it exists),
    migrated, placed, with logins and a filled projection: its url, whether it was built
    now, and the teacher's educator id."""
    name = database_name(educators)
    url = url_for(base, name)
    stale = []
    if reuse and database_exists(base, name):
        standing.in_child(migrate, url)
        stale = standing.in_child(missing_columns, url)
        if stale:
            print(f"{size_label(educators)}: the kept database {name} lacks {', '.join(stale[:5])} (a migration "
                  "changed in place): building it again")
    if reuse and database_exists(base, name) and not stale:
        print(f"{size_label(educators)}: reusing the kept database {name}")
        built = False
    else:
        if database_exists(base, name):
            standing.drop_database(url)
        standing.create_database(base, name)
        t = time.perf_counter()
        made = standing.in_child(standing.setup, url, educators, 20, seed, 1, False, rulebook_extra())
        placed = standing.in_child(place, url)
        c = made["counts"]
        print(f"{size_label(educators)}: built {name} in {time.perf_counter() - t:.0f} s: {c['educators']:,} "
              f"educators, {c['licenses']:,} license cycles, {c['entries']:,} entries, {c['voids']:,} voids; "
              f"{placed['HR district']:,} in {HR_DISTRICT}, {placed['other districts']:,} in 24 other districts")
        built = True
    who = standing.in_child(logins, url)
    r = standing.in_child(refresh, url)
    print(f"{size_label(educators)}: logins ready (the teacher is educator {who['educator']}); projection: "
          + (r["skipped"] if "skipped" in r else f"refreshed in {r['seconds']:.1f} s"))
    return {"url": url, "built": built, "teacher": who["educator"]}
