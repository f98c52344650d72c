"""`flask ledger audit-sample` and `audit-show`: draw an audit, print its seed and cases."""

from __future__ import annotations

import click
from marshmallow import ValidationError

from ..clikit import cli_principal, fail
from ..errors import Invalid, LedgerError, flatten
from ..models import db
from . import service
from .schemas import AUDIT_IN


@click.command("audit-sample")
@click.option("--state", required=True, help="the state whose renewals are sampled (e.g. TN)")
@click.option("--from", "period_from", required=True, help="first day of the period (renewed_on, YYYY-MM-DD)")
@click.option("--to", "period_to", required=True, help="last day of the period (included)")
@click.option("--share", help="a fraction (0.05) or a percentage (5%) of the cycles renewed; rounded up")
@click.option("--count", help="or a number of cycles")
@click.option("--seed", help="the random seed (default: a new one, printed and kept)")
def audit_sample(state, period_from, period_to, share, count, seed):
    """Draw a reproducible random sample of STATE's cycles renewed in a period: the same
    period, share and seed on the same data draw the same cases."""
    raw = {"state": state, "from": period_from, "to": period_to, "share": share, "count": count, "seed": seed}
    try:
        data = AUDIT_IN.load({k: v for k, v in raw.items() if v is not None})
    except ValidationError as exc:
        fail(Invalid("the audit was not drawn", flatten(exc.messages)))
    try:
        row = service.sample(db.session, cli_principal(), data)
        db.session.commit()
    except LedgerError as exc:
        fail(exc)
    _print(row)


@click.command("audit-show")
@click.argument("audit_id", type=int)
def audit_show(audit_id):
    """Print an audit: its period, share, seed and cases with their status."""
    try:
        row = service.get_audit(db.session, cli_principal(), audit_id)
    except LedgerError as exc:
        fail(exc)
    _print(row)


def _print(row) -> None:
    size = f"share {(row.share * 100).normalize():f}%" if row.share is not None else f"count {row.count_asked}"
    click.echo(f"audit {row.id}: {row.state.code} cycles renewed {row.period_from.isoformat()} to "
               f"{row.period_to.isoformat()}, {size}: {len(row.cases)} of {row.candidates} sampled")
    click.echo(f"seed {row.seed}")
    for case in row.cases:
        click.echo(f"  case {case.id}: {case.educator.name} (license {case.educator.license_number}), "
                   f"{case.cycle.type} cycle {case.cycle.cycle_start.isoformat()} to "
                   f"{case.cycle.current_cycle_end.isoformat()}, renewed {case.renewal.renewed_on.isoformat()}: "
                   f"{case.status}")


COMMANDS = [audit_sample, audit_show]
