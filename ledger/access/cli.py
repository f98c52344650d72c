"""Accounts from the command line: tokens (made with an owner and an expiry, listed,
revoked) and users (disabled, enabled, password reset, sessions ended)."""

from __future__ import annotations

from datetime import timedelta

import click
from sqlalchemy import select

from ..clikit import cli_principal, fail
from ..errors import LedgerError, NotFound
from ..models import User, db, utcnow
from . import database, tokens, users
from .principals import ROLES


@click.command("create-token")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--state", help="two-letter state code (state_office)")
@click.option("--district", help="district code (district_hr)")
@click.option("--educator", type=int, help="educator id (educator)")
@click.option("--label", help="the token's name: what it is for")
@click.option("--owner", help="who holds it (a person's e-mail, or a system)")
@click.option("--expires-in-days", type=click.IntRange(1, 3650), default=365, show_default=True)
def create_token(role, state, district, educator, label, owner, expires_in_days):
    """Make an API token. It is printed once, alone on the last line; only its hash is kept."""
    try:
        token = tokens.create_token(db.session, cli_principal().actor, role, state, district, educator, label,
                                    owner=owner, expires_at=utcnow() + timedelta(days=expires_in_days))
        db.session.commit()
    except LedgerError as exc:
        fail(exc)
    click.echo(f"created a {role} token valid for {expires_in_days} days; keep it safe, it is not shown again:")
    click.echo(token)


@click.command("list-tokens")
def list_tokens():
    """Every token: id, role, scope, name, owner, expiry, revoked or not."""
    now = utcnow()
    for t in tokens.tokens(db.session):
        scope = (t.state.code if t.state else t.district.code if t.district else
                 f"educator {t.educator_id}" if t.educator_id else "everything")
        status = ("revoked " + t.revoked_at.date().isoformat() if t.revoked_at else
                  "expired" if t.expires_at and t.expires_at <= now else "active")
        expires = t.expires_at.date().isoformat() if t.expires_at else "never"
        click.echo(f"{t.id}\t{t.role}\t{scope}\t{t.label or ''}\t{t.owner or ''}\texpires {expires}\t{status}")


@click.command("revoke-token")
@click.argument("token_id", type=int)
def revoke_token(token_id):
    """Revoke a token by its id (see list-tokens): it answers 401 from now on."""
    try:
        tokens.revoke_token(db.session, cli_principal().actor, token_id)
        db.session.commit()
    except LedgerError as exc:
        fail(exc)
    click.echo(f"revoked token {token_id}")


def _user(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        fail(NotFound(f"no user {email!r}"))
    return user


def _user_command(name: str, action, done: str):
    @click.command(name)
    @click.argument("email")
    def command(email):
        try:
            action(db.session, cli_principal().actor, _user(email))
            db.session.commit()
        except LedgerError as exc:
            fail(exc)
        click.echo(f"{done}: {email}")
    command.help = action.__doc__
    return command


@click.command("reset-password")
@click.argument("email")
@click.password_option(prompt="New password", help="(asked for when not given)")
def reset_password(email, password):
    """Give a user a new password; their open sessions end."""
    try:
        users.reset_password(db.session, cli_principal().actor, _user(email), password)
        db.session.commit()
    except LedgerError as exc:
        fail(exc)
    click.echo(f"password reset: {email}")


@click.command("create-app-role")
@click.argument("role")
@click.option("--password", help="for a new role (else set it yourself, or use peer/cert auth)")
def create_app_role(role, password):
    """Make (or bring up to date) the DML-only role the application connects as, after
    `flask db upgrade` as the tables' owner; run again after each upgrade."""
    try:
        database.grant_app_role(db.session, role, password)
        db.session.commit()
    except LedgerError as exc:
        fail(exc)
    click.echo(f"{role} may read and write rows, and only add to the history tables; point DATABASE_URL at it")


COMMANDS = [create_app_role,
    create_token, list_tokens, revoke_token, reset_password,
    _user_command("disable-user", users.disable_user, "disabled"),
    _user_command("enable-user", users.enable_user, "enabled"),
    _user_command("end-sessions", users.end_sessions, "sessions ended"),
]
