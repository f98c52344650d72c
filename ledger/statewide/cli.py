"""`flask ledger export-state`: a state's tables as the state office downloads them."""

from __future__ import annotations

import os

import click

from .. import clock
from ..clikit import cli_principal, fail
from ..errors import LedgerError
from ..models import db
from . import exports


@click.command("export-state")
@click.option("--state", required=True, help="two-letter state code")
@click.option("--format", "formats", type=click.Choice(list(exports.FORMATS)), multiple=True,
              help="csv or jsonl; repeat for both (default both)")
@click.option("--table", "tables", type=click.Choice(exports.TABLES), multiple=True,
              help="repeat for several (default every table)")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False))
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="the day the standings are read on (default today)")
def export_state(state, formats, tables, out_dir, as_of):
    """Write a state's educators, licenses, entries and standings into OUT as
    STATE-TABLE.csv and STATE-TABLE.jsonl, streamed (memory stays flat however large
    the state): the same bytes the state office's downloads page serves."""
    day = as_of.date() if as_of else clock.today()
    try:  # every file is checked before any is written: a refusal writes nothing
        opened = [exports.open_export(db.session, cli_principal(), state, table, fmt, day)
                  for table in tables or exports.TABLES for fmt in formats or exports.FORMATS]
    except LedgerError as exc:
        fail(exc)
    os.makedirs(out_dir, exist_ok=True)
    for export in opened:
        path = os.path.join(out_dir, export.filename)
        try:  # a file is there whole or not at all
            with open(path + ".part", "w", encoding="utf-8", newline="") as f:
                f.writelines(export.lines)
            os.replace(path + ".part", path)
        finally:
            if os.path.exists(path + ".part"):
                os.remove(path + ".part")
        click.echo(f"wrote {path}")
    db.session.rollback()


COMMANDS = [export_state]
