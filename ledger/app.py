"""The app factory: configuration and wiring only."""

from __future__ import annotations

import os
import secrets
from importlib import import_module
from pathlib import Path

from flask import Flask
from flask_mailman import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import Config

from .integrity import chain  # noqa: F401  (every commit links what it wrote)
from .models import db

ROOT = Path(__file__).resolve().parent.parent

# The domains, each a package holding its whole slice: service, schemas, API, pages.
API_DOMAINS = ["rulebooks", "catalog", "educators", "licenses", "entries", "standing", "imports", "districts",
               "transcripts", "submissions", "reminders", "credentials"]
PAGE_DOMAINS = ["access", "educators", "licenses", "entries", "standing", "districts", "imports", "rulebooks",
                "catalog", "transcripts", "submissions", "reminders", "audits", "seasons", "statewide",
                "credentials"]
migrate = Migrate()
csrf = CSRFProtect()  # every form; the token-authenticated API is exempt (api.init_app)
mail = Mail()  # reminders (ledger/reminders/delivery.py opens its SMTP connection per run)


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        "ledger",
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
    )
    app.config.from_object(Config)
    if config:
        app.config.update(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + os.path.join(
            app.instance_path, "ledger.sqlite"
        )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))

    app.json.sort_keys = False  # answers keep the contract's field order
    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True
    )

    from . import cli, jobs
    from .http import api, errors, headers, limits, signin, transaction
    from .reminders import decisions
    from .standing import tracking

    csrf.init_app(app)
    mail.init_app(app)
    decisions.install()  # the reminders hear of submissions decided and count those waiting
    tracking.install()  # every write keeps the standing projection current in its transaction
    jobs.init_app(app)
    signin.init_app(app)
    api.register(app, csrf, [import_module(f"ledger.{d}.api").bp for d in API_DOMAINS] + [_public_api()])
    for domain in PAGE_DOMAINS:
        app.register_blueprint(import_module(f"ledger.{domain}.pages").bp)
    errors.init_app(app)
    transaction.init_app(app)
    headers.init_app(app)
    limits.init_app(app)
    cli.init_app(app)
    return app


def _public_api():
    from .transcripts.api import public

    return public


def _instance_secret(instance: Path) -> str:
    """A development secret generated once and kept under instance/."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    # Foreign keys are off by default in SQLite; the ledger relies on them.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.close()
