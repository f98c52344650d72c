"""`flask --app wsgi ledger ...`: thin commands over the services."""

from __future__ import annotations

import getpass
import sys
from datetime import date

import click
from flask.cli import AppGroup

from . import catalog as catalog_service
from . import rulebooks as rulebook_service
from .errors import LedgerError
from .models import db
from .scopes import ADMIN, ROLES, Principal, create_token

ledger = AppGroup("ledger", help="Load rules, make tokens, load the demo, run reports.")


def cli_principal() -> Principal:
    try:
        user = getpass.getuser()
    except Exception:  # no user name in some containers
        user = "unknown"
    return Principal(role=ADMIN, actor=f"cli:{user}")


def _fail(exc: LedgerError):
    db.session.rollback()
    click.echo(f"error: {exc.message}", err=True)
    for path, messages in (exc.errors or {}).items():
        for m in messages:
            click.echo(f"  {path}: {m}", err=True)
    sys.exit(1)


@ledger.command("load-rulebook")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_rulebook(path):
    """Load a state rulebook (YAML or JSON) as that state's newest version."""
    try:
        row = rulebook_service.load_rulebook(db.session, cli_principal(), rulebook_service.parse_file(path))
        db.session.commit()
    except LedgerError as exc:
        _fail(exc)
    click.echo(f"loaded {row.state.code} rulebook version {row.version}")


@ledger.command("load-catalog")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_catalog(path):
    """Add or update issuers and credentials (YAML or JSON)."""
    try:
        summary = catalog_service.load_catalog(db.session, cli_principal(), rulebook_service.parse_file(path))
        db.session.commit()
    except LedgerError as exc:
        _fail(exc)
    click.echo(
        f"catalog: {summary['issuers']} issuers, {summary['credentials_created']} credentials added, "
        f"{summary['credentials_updated']} updated"
    )


@ledger.command("create-token")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--state", help="two-letter state code (state_office)")
@click.option("--district", help="district code (district_hr)")
@click.option("--educator", type=int, help="educator id (educator)")
@click.option("--label", help="a note on who holds the token")
def create_token_command(role, state, district, educator, label):
    """Make an API token. It is printed once, alone on the last line; only its hash is kept."""
    try:
        token = create_token(db.session, cli_principal().actor, role, state, district, educator, label)
        db.session.commit()
    except LedgerError as exc:
        _fail(exc)
    click.echo(f"created a {role} token; keep it safe, it is not shown again:")
    click.echo(token)


@ledger.command("demo")
@click.option("--educators", default=240, show_default=True, help="how many demo educators")
@click.option("--seed", default=2024, show_default=True)
def demo(educators, seed):
    """Load the demo states, districts, educators and logins (idempotent)."""
    from .demo import load_demo

    try:
        logins = load_demo(db.session, cli_principal(), educators=educators, seed=seed, today=date.today(),
                           echo=lambda m: click.echo(m, err=True))
    except LedgerError as exc:
        _fail(exc)
    for role, email, password in logins:
        click.echo(f"login: {role} {email} {password}")


@ledger.command("renewal-report")
@click.option("--state", required=True)
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
def renewal_report(state, as_of):
    """Print every licensed educator's renewal status in a state as CSV."""
    from .standing import state_renewal_report

    day = as_of.date() if as_of else date.today()
    try:
        click.echo("educator_id,license,earned_units,status")
        for educator_id, license_type, earned, status in state_renewal_report(db.session, state, day):
            click.echo(f"{educator_id},{license_type},{earned.normalize():f},{status}")
    except LedgerError as exc:
        _fail(exc)


def init_app(app):
    app.cli.add_command(ledger)
