"""The rulebook preview on a big state: how long `preview.status_changes` takes (two
standings per licensed educator: under the version in force and under the upload).

    python benchmarks/standing.py --educators 20000 --keep --http-calls 0   # builds state BM
    python benchmarks/rulebook_preview.py --database URL                    # that kept database

The upload is the benchmark's own rulebook with the professional license's required
units raised from 60 to 70 (educators who were complete at 60 to 69 become in progress).
Peak RSS is the process's own (ru_maxrss).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from copy import deepcopy
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.standing import AS_OF, STATE, make_app, rulebook  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--database", required=True, help="a database built by benchmarks/standing.py --keep")
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args(argv)

    from sqlalchemy import select

    from config import database_url
    from ledger.models import License, State, db
    from ledger.rulebooks.preview import newest, status_changes
    from ledger.rulebooks.service import validate_rulebook
    from ledger.standing.report import state_renewal_report

    app = make_app(database_url(args.database))
    with app.app_context():
        state = db.session.scalar(select(State).where(State.code == STATE))
        document = deepcopy(newest(db.session, state.id).document)
        for rule in document["renewal"]:
            if rule["license"] == "professional":
                rule["required_units"] = "70"
        validate_rulebook(document)
        assert document != rulebook()
        licenses = db.session.query(License).filter(License.state_id == state.id).count()
        t = time.perf_counter()
        rows = sum(1 for _ in state_renewal_report(db.session, STATE, AS_OF))
        report = time.perf_counter() - t
        print(f"state {STATE}: {licenses:,} license cycles; one state renewal report ({rows:,} rows): {report:.2f} s")
        best = None
        for _ in range(args.repeat):
            db.session.rollback()
            t = time.perf_counter()
            summary = status_changes(db.session, state, document, AS_OF)
            seconds = time.perf_counter() - t
            best = seconds if best is None else min(best, seconds)
            print(f"preview: {seconds:.2f} s")
        print(f"educators {summary['educators']:,}, current cycles {summary['licenses']:,}, "
              f"changed {summary['changed']:,}: " + ", ".join(f"{a} -> {b}: {n:,}" for a, b, n in summary["counts"]))
        print(f"best {best:.2f} s; peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
