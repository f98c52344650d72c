"""`flask ledger verify-ledger`: walk the hash chain and name the first broken place."""

from __future__ import annotations

import re
import sys

import click

from ..models import db
from .verify import verify_ledger

ANCHOR = re.compile(r"^(\d{1,18}):([0-9a-f]{64})$")


def _anchor(_ctx, _param, value):
    if value is None:
        return None
    match = ANCHOR.match(value.strip().lower())
    if not match:
        raise click.BadParameter("SEQ:HASH, as an earlier run printed it (the link's number and its 64-digit hash)")
    return int(match[1]), match[2]


@click.command("verify-ledger")
@click.option("--anchor", callback=_anchor, metavar="SEQ:HASH",
              help="a head printed by an earlier run and kept away from the database: that link must still hold")
def verify_ledger_command(anchor):
    """Recompute the hash chain over the history; exit 1 naming the first record whose
    stored row no longer matches, 0 when every link holds."""
    report = verify_ledger(db.session.connection(), anchor)
    db.session.rollback()  # read only
    if report.ok:
        seq, head = report.head
        click.echo(f"ledger holds: {report.links:,} records in the chain, no change found")
        click.echo(f"head {seq}:{head}  (keep this line elsewhere; --anchor checks it later)")
        return
    click.echo(f"ledger does NOT hold: {report.count:,} problem(s); the first:", err=True)
    click.echo(f"  {report.problems[0]}", err=True)
    for problem in report.problems[1:]:
        click.echo(f"  then {problem}", err=True)
    if report.count > len(report.problems):
        click.echo(f"  ... and {report.count - len(report.problems):,} more", err=True)
    sys.exit(1)


COMMANDS = [verify_ledger_command]
