"""What every `flask ledger` command shares: who is acting, and how a refusal is told."""

from __future__ import annotations

import getpass
import sys

import click

from .access.principals import ADMIN, Principal, actor_name
from .errors import LedgerError
from .models import db


def cli_principal() -> Principal:
    try:
        user = getpass.getuser()
    except Exception:  # no user name in some containers
        user = "unknown"
    return Principal(role=ADMIN, actor=actor_name(f"cli:{user}"))


def fail(exc: LedgerError):
    """Roll back, name every bad field on stderr, exit 1: nothing was changed."""
    db.session.rollback()
    click.echo(f"error: {exc.message}", err=True)
    for path, messages in (exc.errors or {}).items():
        for m in messages:
            click.echo(f"  {path}: {m}", err=True)
    sys.exit(1)
