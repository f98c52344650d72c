"""Transcript benchmark: the full issuing path against a bare WeasyPrint render of the
same HTML, and season throughput with 1 and 2 worker processes.

    python benchmarks/transcripts.py                 # 15 rounds, 24-educator seasons
    python benchmarks/transcripts.py --rounds 31 --season 40
    python benchmarks/transcripts.py --database postgresql+psycopg://postgres@127.0.0.1:5432/bench_tx

Setup (not timed): a fresh SQLite database under a temporary folder (or the empty
database `--database` names) migrated by Alembic, the demo catalog and the TN rulebook
through the ledger's own loaders, and one educator with 40 entries (micro-credentials
valued by several rules, and activities), which prints on 2 pages; the page count is
checked.

Timed, alternating in one warm process (`--rounds` times each, the order swapped every
round so that drift favours neither):

a. bare: `weasyprint.HTML(string=html).write_pdf()` of the transcript's own HTML, with
   its stylesheet parsed once and one FontConfiguration reused (the best a caller of
   WeasyPrint can do);
b. issue: `ledger.transcripts.issue()` and the commit: load the facts, the standing,
   assemble, the QR code, render the template, the same render, SHA-256, sign the CLR
   (Ed25519), store the PDF and audit row.

The medians are printed; the last line is `ratio=<issue median / bare median>`. The
target is at most 1.25.

Season throughput: `ledger.season.run()` (what `flask ledger print-season` runs) over
`--season` educators, eager in this process and then in 2 local processes (forked), as
transcripts per second. Each process renders one document at a time, so 2 processes on
2 cores should print about twice as many.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

AS_OF = date(2025, 5, 1)


def build(app, season_size: int):
    from sqlalchemy import select

    from ledger.access.principals import ADMIN, Principal
    from ledger.catalog.service import load_catalog
    from ledger.educators.service import create_educator
    from ledger.entries.service import record_entry
    from ledger.models import Credential, db
    from ledger.rulebooks.files import parse_file
    from ledger.rulebooks.service import load_rulebook

    actor = Principal(ADMIN, "bench")
    demo = ROOT / "ledger" / "demo"
    load_catalog(db.session, actor, parse_file(str(demo / "catalog.yaml")))
    load_rulebook(db.session, actor, parse_file(str(demo / "rulebooks" / "TN.yaml")))
    codes = db.session.scalars(select(Credential.code).order_by(Credential.code)).all()

    def educator(n, entries):
        e = create_educator(db.session, actor, {
            "license_number": f"BENCH-{n:05d}", "state": "TN", "first_name": "Avery", "last_name": f"Benchmark{n}",
            "email": None, "district": None, "employed_since": None,
            "licenses": [{"type": "professional", "cycle_start": date(2020, 7, 1), "cycle_end": date(2025, 6, 30)}],
        })
        for i in range(entries):
            day = date(2020, 8 + i % 5, 1 + i % 27)
            day = day.replace(year=2020 + i // 9)
            if i % 8 == 7:
                data = {"kind": "activity", "title": f"Summer institute, day {i}", "hours": 3, "earned_on": day}
            else:
                data = {"kind": "microcredential", "credential": codes[(i * 7 + n) % len(codes)], "earned_on": day}
            record_entry(db.session, actor, e.id, data, today=AS_OF)
        return e.id

    main = educator(0, 40)
    season = [educator(n, 20) for n in range(1, season_size + 1)]
    db.session.commit()
    return main, season


def pages(pdf: bytes) -> int:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--season", type=int, default=24, help="educators per season run")
    parser.add_argument("--pdf", help="write the benchmark's transcript here, to look at")
    parser.add_argument("--database", help="an empty database URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from ledger.access.principals import ADMIN, Principal
    from ledger.app import create_app
    from ledger.models import db
    from ledger.standing.answer import read_standing
    from ledger.transcripts import document, render, season
    from ledger.transcripts import service as transcripts

    tmp = tempfile.mkdtemp(prefix="bench_transcripts_")
    url = args.database or f"sqlite:///{tmp}/bench.sqlite"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "SIGNING_KEY_DIR": f"{tmp}/keys",
                      "PUBLIC_URL": "https://ledger.example"})
    with app.app_context():
        t0 = time.perf_counter()
        upgrade()
        educator_id, season_ids = build(app, args.season)
        print(f"setup: {time.perf_counter() - t0:.1f} s ({url.split(':')[0]}, 1 educator with 40 entries, "
              f"{len(season_ids)} with 20 for the seasons)")
        actor = Principal(ADMIN, "bench")

        def issue():
            row = transcripts.issue(db.session, actor, educator_id, state="TN", as_of=AS_OF, today=AS_OF)
            db.session.commit()
            return row

        row = issue()  # warms the renderer, the key and the rulebook cache
        if args.pdf:
            Path(args.pdf).write_bytes(row.pdf)
        n_pages = pages(row.pdf)
        assert n_pages == 2, f"the benchmark transcript should print on 2 pages, not {n_pages}"
        educator = row_educator(db, educator_id)
        doc = document.assemble(db.session, educator, read_standing(db.session, educator, "TN", AS_OF).standing,
                                office=row.office, official=True, generated_at=row.issued_at)
        doc.serial, doc.verify_url = row.serial, transcripts.public_url(f"/verify/{row.serial}")
        doc.qr = render.qr_data_uri(doc.verify_url)
        html = render.html(doc)
        fonts = FontConfiguration()
        fetcher = render.AssetFetcher()
        css = CSS(filename=str(render.STYLESHEET), url_fetcher=fetcher, font_config=fonts)
        base = render.STATIC.as_uri() + "/"

        def bare():
            return HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf(stylesheets=[css], font_config=fonts)

        assert pages(bare()) == 2
        times = {"bare": [], "issue": []}
        for i in range(args.rounds):
            for name in (("bare", "issue") if i % 2 == 0 else ("issue", "bare")):
                t = time.perf_counter()
                (bare if name == "bare" else issue)()
                times[name].append(time.perf_counter() - t)
        b, s = statistics.median(times["bare"]), statistics.median(times["issue"])
        print(f"bare WeasyPrint render: median {b * 1000:.1f} ms (min {min(times['bare']) * 1000:.1f}) "
              f"over {args.rounds} rounds")
        print(f"full issuing path:      median {s * 1000:.1f} ms (min {min(times['issue']) * 1000:.1f})")

        for processes in (1, 2):
            key = f"bench:{processes}"
            jobs = [(i, "TN", AS_OF.isoformat(), key, "bench") for i in season_ids]
            db.session.remove()
            t = time.perf_counter()
            results = list(season.run(jobs, processes=processes))
            elapsed = time.perf_counter() - t
            assert len(results) == len(jobs) and all(r["status"] == "printed" for r in results), results[:3]
            print(f"season, {processes} process{'es' if processes > 1 else ''}: {len(jobs)} transcripts in "
                  f"{elapsed:.2f} s = {len(jobs) / elapsed:.1f} transcripts/s")
        print(f"cores: {os.cpu_count()}")
        print(f"ratio={s / b:.2f}")


def row_educator(db, educator_id):
    from ledger.models import Educator

    return db.session.get(Educator, educator_id)


if __name__ == "__main__":
    main()
