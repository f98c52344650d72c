"""`flask ledger send-reminders [--as-of DATE]`: the daily job, with a progress bar."""

from __future__ import annotations

import sys

import click
from flask import current_app

from .. import clock
from ..models import db
from . import delivery, service, sources
from .digest import AtRisk


@click.command("send-reminders")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="the day the job runs for (default today)")
@click.option("--batch", type=click.IntRange(1, 100_000), default=sources.WINDOW, show_default=True,
              help="cycles of the standing projection read per committed batch (at most as many notices)")
def send_reminders(as_of, batch):
    """Record the notices due (deadlines, grace, designation maintenance, staff digests)
    and mail them; without MAIL_SERVER they are recorded and logged, not sent. Running it
    again sends nothing twice; a stopped run is resumed by running it again."""
    day = as_of.date() if as_of else clock.today()
    sender = delivery.sender_from_config(current_app.config)
    summary = service.Summary()
    try:
        service.bring_to(db.session, day, checkpoint=db.session.commit)
        db.session.commit()
        total = service.count_candidates(db.session, day)
        with click.progressbar(length=total, label="notices due", file=sys.stderr, show_pos=True) as bar:
            service.record_due(db.session, day, checkpoint=db.session.commit, batch=batch, progress=bar.update,
                               summary=summary, caught_up=True, channel=sender.channel, workers=service.WORKERS)
        service.record_digests(db.session, day, AtRisk.on(db.session, day), summary, sender.channel,
                               db.session.commit)
        waiting = service.waiting(db.session)
        with click.progressbar(length=waiting, label="delivering", file=sys.stderr, show_pos=True) as bar:
            service.deliver(db.session, sender, checkpoint=db.session.commit, progress=bar.update, summary=summary)
        db.session.commit()
    finally:
        sender.close()
    how = "over SMTP" if current_app.config.get("MAIL_SERVER") else "logged, not sent (no MAIL_SERVER)"
    outcomes = ", ".join(f"{n} {k}" for k, n in sorted(summary.outcomes.items())) or "nothing to deliver"
    click.echo(f"reminders for {day}: {summary.educators} educators with notices due, {summary.recorded} notices and "
               f"{summary.digests} digests recorded; delivered {how}: {outcomes}")
    sys.exit(1 if summary.outcomes.get("failed") else 0)


COMMANDS = [send_reminders]
