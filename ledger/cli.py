"""`flask --app wsgi ledger ...`: thin commands over the services."""

from __future__ import annotations

import io
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from . import clock
from .access import cli as access_cli
from .audits import cli as audits_cli
from .catalog import service as catalog_service
from .clikit import cli_principal, fail
from .errors import Conflict, LedgerError
from .integrity import cli as integrity_cli
from .licenses import cli as licenses_cli
from .models import db
from .reminders import cli as reminders_cli
from .rulebooks import service as rulebook_service
from .rulebooks.files import parse_file
from .standing import cli as standing_cli
from .statewide import cli as statewide_cli

ledger = AppGroup("ledger", help="Load rules, make tokens, load the demo, run reports.")


@ledger.command("load-rulebook")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--preview", is_flag=True,
              help="load nothing: print whose current-cycle renewal status the rulebook would change")
def load_rulebook(path, preview):
    """Load a state rulebook (YAML or JSON) as that state's newest version."""
    if preview:
        from .rulebooks.preview_cli import print_preview

        try:
            print_preview(db.session, cli_principal(), parse_file(path), click.echo)
        except LedgerError as exc:
            fail(exc)
        finally:
            db.session.rollback()
        return
    try:
        row = rulebook_service.load_rulebook(db.session, cli_principal(), parse_file(path))
        db.session.commit()
    except LedgerError as exc:
        fail(exc)
    click.echo(f"loaded {row.state.code} rulebook version {row.version}")


@ledger.command("load-catalog")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def load_catalog(path):
    """Add or update issuers and credentials (YAML or JSON)."""
    try:
        summary = catalog_service.load_catalog(db.session, cli_principal(), parse_file(path))
        db.session.commit()
    except LedgerError as exc:
        fail(exc)
    click.echo(
        f"catalog: {summary['issuers']} issuers, {summary['credentials_created']} credentials added, "
        f"{summary['credentials_updated']} updated"
    )


@ledger.command("demo")
@click.option("--educators", default=240, show_default=True, help="how many demo educators")
@click.option("--seed", default=2024, show_default=True)
def demo(educators, seed):
    """Load the demo states, districts, educators and logins (idempotent)."""
    from .demo import load_demo

    try:
        logins = load_demo(db.session, cli_principal(), educators=educators, seed=seed, today=clock.today(),
                           echo=lambda m: click.echo(m, err=True))
    except LedgerError as exc:
        fail(exc)
    for role, email, password in logins:
        click.echo(f"login: {role} {email} {password}")


@ledger.command("renewal-report")
@click.option("--state", required=True)
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
def renewal_report(state, as_of):
    """Print every licensed educator's renewal status in a state as CSV."""
    from .standing.report import state_renewal_report

    day = as_of.date() if as_of else clock.today()
    try:
        click.echo("educator_id,license,earned_units,status")
        for educator_id, license_type, earned, status in state_renewal_report(db.session, state, day):
            click.echo(f"{educator_id},{license_type},{earned.normalize():f},{status}")
    except LedgerError as exc:
        fail(exc)


@ledger.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["csv", "openbadges"]), default=None,
              help="default: openbadges for .json and .jsonl files, else csv")
@click.option("--partial", is_flag=True, help="keep the good rows when some are bad")
@click.option("--dry-run", is_flag=True, help="check every row, record nothing")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, writable=True),
              help="write the whole report as JSON here")
def import_file(path, fmt, partial, dry_run, report_path):
    """Import a CSV or Open Badges file into the ledger, in one transaction, with a
    progress bar. Exit status 1 when the file or a row is refused (nothing recorded
    unless --partial)."""
    import json
    import os

    from .imports import sources
    from .imports.run import run_import

    badge_files = (".json", ".jsonl", ".jwt", ".jws", ".1ob", ".png", ".svg")
    fmt = fmt or ("openbadges" if path.lower().endswith(badge_files) else "csv")
    today = clock.today()
    size = os.path.getsize(path)
    with click.progressbar(length=size, label=f"importing {os.path.basename(path)}", file=sys.stderr,
                           show_pos=False, show_percent=True) as bar:
        def lines():
            # Stream the file; move the bar by the bytes read so far every 2,000 lines.
            bar.pos = 0
            with open(path, "rb") as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                for n, line in enumerate(text, 1):
                    if n % 2000 == 0:
                        bar.update(raw.tell() - bar.pos)
                    yield line
            bar.update(size - bar.pos)

        if fmt == "csv":
            open_rows = sources.csv_rows(lines, today)
        else:
            from .credentials.service import verifier
            with open(path, "rb") as f:
                open_rows = sources.badge_rows(f.read(), today, verifier(db.session, today))
            bar.update(size)
        try:
            report = run_import(db.session, cli_principal(), open_rows, fmt=fmt, partial=partial,
                                dry_run=dry_run)
            db.session.commit()
        except LedgerError as exc:
            fail(exc)
    result = report.as_dict()
    if report_path:
        with open(report_path, "w") as f:
            json.dump(result, f, indent=2)
    verb = "would record" if dry_run else "recorded" if report.committed else "recorded nothing:"
    click.echo(f"{verb} {report.accepted} accepted, {report.duplicates} duplicates, {report.rejected} rejected "
               f"of {report.rows} rows" + (f"; new badges in the catalog: {', '.join(report.credentials_added)}"
                                           if report.credentials_added else ""))
    for e in report.errors[:50]:
        click.echo(f"  row {e['row']} {e['field']}: {e['message']}", err=True)
    total = max(report.error_count, len(report.errors))
    if total > 50:
        click.echo(f"  ... and {total - 50} more (--report FILE writes the first {len(report.errors)})", err=True)
    sys.exit(0 if report.status == 200 else 1)


@ledger.command("salary-run")
@click.option("--district", required=True, help="district code")
@click.option("--pay-date", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True), help="write the run's CSV here")
def salary_run(district, pay_date, csv_path):
    """Make a salary run for a district's current employees and print its summary."""
    from .districts import salary_runs

    try:
        run = salary_runs.create_run(db.session, cli_principal(), district, pay_date.date())
        db.session.commit()
    except LedgerError as exc:
        fail(exc)
    if csv_path:
        with open(csv_path, "w", newline="") as f:
            f.writelines(salary_runs.run_csv(run))
    changes = sum(r.lane_changed for r in run.rows)
    raises = sum(1 for r in run.rows if r.base_salary_pct)
    new = sum(r.credits_new for r in run.rows)
    click.echo(f"salary run {run.id} for {run.district.code} on {run.pay_date}: {len(run.rows)} employees, "
               f"{new:f} new credits, {changes} lane changes, {raises} with a designation raise")


@ledger.command("export")
@click.option("--district", required=True, help="district code")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False))
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None)
def export(district, out_dir, as_of):
    """Write a district's educators, entries and standing as CSV files and one JSON file."""
    import json
    import os

    from .districts import exports as district_data

    day = as_of.date() if as_of else clock.today()
    os.makedirs(out_dir, exist_ok=True)
    try:
        for table in district_data.TABLES:
            with open(os.path.join(out_dir, f"{district}-{table}.csv"), "w", newline="") as f:
                f.writelines(district_data.export_csv(db.session, cli_principal(), district, table, day))
        with open(os.path.join(out_dir, f"{district}-export.json"), "w") as f:
            json.dump(district_data.export_json(db.session, cli_principal(), district, day), f, default=str)
    except LedgerError as exc:
        fail(exc)
    click.echo(f"wrote {district} educators, entries and standing to {out_dir}")


def _educator_id(ref: str, state: str | None) -> int:
    """An educator named by id or by license number (in --state, if given)."""
    from sqlalchemy import select

    from .models import Educator, State

    if ref.isdigit() and len(ref) < 10 and db.session.get(Educator, int(ref)) is not None:
        return int(ref)
    stmt = select(Educator.id).where(Educator.license_number == ref)
    if state:
        stmt = stmt.join(State, Educator.state_id == State.id).where(State.code == state.upper())
    ids = db.session.scalars(stmt).all()
    if len(ids) != 1:
        fail(LedgerError(f"no single educator with id or license number {ref!r}"
                          + (" (name --state)" if len(ids) > 1 else ""),
                          {"educator": ["not found" if not ids else "several match"]}))
    return ids[0]


@ledger.command("print-transcript")
@click.argument("educator")
@click.option("--state", help="the state whose rules value it (default the educator's)")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="default today")
@click.option("--out", "out_path", type=click.Path(dir_okay=False, writable=True),
              help="write the PDF here (default SERIAL.pdf)")
@click.option("--unofficial", is_flag=True, help="an unofficial copy: not recorded, no serial")
def print_transcript(educator, state, as_of, out_path, unofficial):
    """Issue an official transcript for EDUCATOR (an id or a license number) and write its
    PDF; prints the serial and the SHA-256 of the file."""
    from .transcripts import service as transcripts

    day = clock.today()
    try:
        educator_id = _educator_id(educator, state)
        if unofficial:
            pdf, person = transcripts.unofficial(db.session, cli_principal(), educator_id, state=state,
                                                 as_of=as_of.date() if as_of else None, today=day)
            out_path = out_path or f"unofficial-{person.license_number}.pdf".replace("/", "-")
            with open(out_path, "wb") as f:
                f.write(pdf)
            click.echo(f"unofficial transcript written to {out_path} (not recorded)")
            return
        row = transcripts.issue(db.session, cli_principal(), educator_id, state=state,
                                as_of=as_of.date() if as_of else None, today=day)
        db.session.commit()
    except LedgerError as exc:
        fail(exc)
    out_path = out_path or f"{row.serial}.pdf"
    with open(out_path, "wb") as f:
        f.write(row.pdf)
    click.echo(f"issued {row.serial} for {row.name} ({row.license_number}), {row.state.code} as of {row.as_of}")
    click.echo(f"sha256 {row.sha256}")
    click.echo(f"verify at {transcripts.public_url('/verify/' + row.serial)}")
    click.echo(f"written to {out_path}")


@ledger.command("revoke-transcript")
@click.argument("serial")
@click.option("--reason", required=True)
def revoke_transcript(serial, reason):
    """Revoke an issued transcript; the verify page then says so."""
    from .transcripts import service as transcripts

    try:
        row = transcripts.revoke(db.session, cli_principal(), serial, reason)
        db.session.commit()
    except LedgerError as exc:
        fail(exc)
    click.echo(f"revoked {row.serial}: {reason}")


@ledger.command("print-season")
@click.option("--state", required=True, help="two-letter state code")
@click.option("--expiring-before", required=True, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="every educator whose current cycle ends before this day")
@click.option("--expiring-after", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="and on or after this day (default: no lower bound)")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False))
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="the day the transcripts show (default today)")
@click.option("--season", "season_name", default=None,
              help="the batch key that makes a run resumable (default STATE:expiring-before:DATE)")
@click.option("--processes", type=click.IntRange(1, 64), default=1,
              help="local processes when no broker is configured (with CELERY_BROKER_URL, the workers' count)")
@click.option("--timeout", type=click.FloatRange(min=1), default=None,
              help="seconds to wait for workers (broker mode)")
def print_season(state, expiring_before, expiring_after, out_dir, as_of, season_name, processes, timeout):
    """Print an official transcript for every educator of a renewal season into OUT with
    a manifest.csv. Resumable: a second run prints only what the first did not."""
    import os

    from .exports import csv_lines
    from .transcripts import season

    state = state.upper()
    before = expiring_before.date()
    day = as_of.date() if as_of else clock.today()
    key = season_name or season.season_key(state, before)
    after = expiring_after.date() if expiring_after else None
    try:
        selection = season.select_educators(db.session, state, before, after)
    except LedgerError as exc:
        fail(exc)
    # a season the pages are printing that shares a day with this one, under another key,
    # would print its educators twice; under the same key this run resumes it
    from .models import State
    from .seasons.service import describe, overlapping
    state_id = db.session.scalar(db.select(State.id).where(State.code == state))
    busy = overlapping(db.session, state_id, after, before, key)
    if busy is not None:
        fail(Conflict(f"season run {busy.id} ({describe(busy.expiring_after, busy.expiring_before)}) is still "
                      f"printing from the pages and overlaps {describe(after, before)}: its educators would be "
                      f"printed twice; wait for it to finish, or print it with --expiring-before "
                      f"{busy.expiring_before.isoformat()}"
                      + (f" --expiring-after {busy.expiring_after.isoformat()}" if busy.expiring_after else ""),
                      {"expiring_before": [f"overlaps season run {busy.id}, still printing"]}))
    done = season.issued_ids(db.session, key)
    jobs = [(s[0], state, day.isoformat(), key, cli_principal().actor) for s in selection if s[0] not in done]
    db.session.remove()
    celery = current_app.extensions["celery"]
    where = ("in this process" if processes == 1 else f"in {processes} local processes") \
        if celery.conf.task_always_eager else f"on Celery workers (queue {celery.conf.task_default_queue})"
    click.echo(f"season {key}: {len(selection)} educators, {len(selection) - len(jobs)} already printed, "
               f"{len(jobs)} to print {where}", err=True)
    results: dict[int, dict] = {}
    with click.progressbar(length=len(jobs), label="printing", file=sys.stderr, show_pos=True) as bar:
        try:
            for r in season.run(jobs, processes=processes, timeout=timeout):
                if r.get("educator_id") is not None:
                    results[r["educator_id"]] = r
                bar.update(1)
        except TimeoutError as exc:
            click.echo(f"\nerror: {exc}", err=True)
            sys.exit(1)
    manifest = os.path.join(out_dir, "manifest.csv")
    os.makedirs(out_dir, exist_ok=True)
    counts: dict[str, int] = {}
    with open(manifest + ".part", "w", newline="") as f:
        rows = season.write_outputs(db.session, key, selection, results, out_dir)
        for line in csv_lines(season.MANIFEST_HEADER, (counts.__setitem__(r[13], counts.get(r[13], 0) + 1) or r
                                                      for r in rows)):
            f.write(line)
    os.replace(manifest + ".part", manifest)
    click.echo(f"season {key}: {counts.get('printed', 0)} printed, {counts.get('already printed', 0)} "
               f"already printed, {counts.get('error', 0)} errors; manifest {manifest}")
    sys.exit(1 if counts.get("error") else 0)


def init_app(app):
    commands = (access_cli.COMMANDS + audits_cli.COMMANDS + integrity_cli.COMMANDS + licenses_cli.COMMANDS
                + reminders_cli.COMMANDS + standing_cli.COMMANDS
                + statewide_cli.COMMANDS)
    for command in commands:
        ledger.add_command(command)
    app.cli.add_command(ledger)
