"""`flask ledger renew`: one license's latest cycle, or a state's renewal season."""

from __future__ import annotations

import sys

import click

from .. import clock
from ..clikit import cli_principal, fail
from ..errors import LedgerError
from ..models import db
from . import bulk, service

BATCH = 200  # renewals committed together in a season


@click.command("renew")
@click.argument("license_id", type=int, required=False)
@click.option("--renewed-on", type=click.DateTime(["%Y-%m-%d"]), help="default today")
@click.option("--next-cycle-end", type=click.DateTime(["%Y-%m-%d"]), help="default: the rule's cycle_years")
@click.option("--waive-reason", help="renew a cycle that is not complete, saying why")
@click.option("--state", help="a season: every license of this state whose latest cycle ends before --ending-before")
@click.option("--ending-before", type=click.DateTime(["%Y-%m-%d"]), help="with --state: the season's end (excluded)")
@click.option("--dry-run", is_flag=True, help="with --state: check every renewal, keep none")
def renew_command(license_id, renewed_on, next_cycle_end, waive_reason, state, ending_before, dry_run):
    """Renew LICENSE_ID's latest cycle (it must be complete, or give --waive-reason); or,
    with --state and --ending-before, renew every complete cycle of that state ending
    before the day, listing those that cannot be renewed and why."""
    if (license_id is None) == (state is None):
        raise click.UsageError("give a LICENSE_ID, or --state with --ending-before")
    if state is not None:
        if ending_before is None:
            raise click.UsageError("--state needs --ending-before")
        return _season(state.upper(), ending_before.date(), dry_run)
    data = {k: v.date() if hasattr(v, "date") else v for k, v in
            {"renewed_on": renewed_on, "next_cycle_end": next_cycle_end, "waive_reason": waive_reason}.items()
            if v is not None}
    try:
        renewed, nxt = service.renew(db.session, cli_principal(), license_id, data, clock.today())
        db.session.commit()
    except LedgerError as exc:
        fail(exc)
    click.echo(f"license {license_id}: cycle {renewed.number} renewed ({renewed.status}); cycle {nxt.number} "
               f"runs {nxt.row.cycle_start.isoformat()} to {nxt.cycle_end.isoformat()}")


def _season(state: str, ending_before, dry_run: bool) -> None:
    try:
        licenses = bulk.due(db.session, state, ending_before)
    except LedgerError as exc:
        fail(exc)
    renewed, refused, done = 0, [], 0
    with click.progressbar(length=len(licenses), label="renewing" + (" (dry run)" if dry_run else ""),
                           file=sys.stderr, show_pos=True) as bar:
        for outcome in bulk.renew_due(db.session, cli_principal(), licenses, clock.today(), dry_run):
            done += 1
            bar.update(1)
            if outcome.renewed:
                renewed += 1
            else:
                refused.append(outcome)
            if done % BATCH == 0 and not dry_run:
                db.session.commit()
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    verb = "would renew" if dry_run else "renewed"
    click.echo(f"{state}: {len(licenses):,} licenses with a cycle ending before {ending_before.isoformat()}; "
               f"{verb} {renewed:,}, not renewed {len(refused):,}")
    for o in refused:
        click.echo(f"  license {o.license_id} (educator {o.educator_id}, {o.type}, ends {o.cycle_end.isoformat()}): "
                   f"{o.message}")


COMMANDS = [renew_command]
