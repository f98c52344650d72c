"""Signing in to the pages: Flask-Login over server-side sessions.

Each sign-in makes a `user_sessions` row with a random id; the cookie (signed, HttpOnly,
SameSite=Lax, Secure in production) carries only that id. Signing out ends the row, so a
copied cookie stops working at once; a session also ends after `SESSION_IDLE_MINUTES`
without a request and `SESSION_MAX_HOURS` after sign-in, whatever happens. Sign-in
attempts are rate-limited per address and per e-mail. The sign-in pages themselves are
`ledger.access.pages`; this module is what every page blueprint uses.
"""

from __future__ import annotations

from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask import abort, current_app, request, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_required

from ..access.principals import ADMIN, DISTRICT_HR, EDUCATOR, STATE_OFFICE, Principal
from ..models import User, UserSession, db, utcnow

login_manager = LoginManager()
login_manager.login_view = "access_pages.login"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = None  # the server-side session below does this job

limiter = Limiter(key_func=get_remote_address, default_limits=[])
TOUCH_EVERY = timedelta(minutes=1)


class SignedIn(UserMixin):
    """The signed-in user, as Flask-Login sees it: its id is the session's id."""

    def __init__(self, user: User, sid: str):
        self.user = user
        self.sid = sid

    def get_id(self) -> str:
        return self.sid

    @property
    def principal(self) -> Principal:
        return Principal.of_user(self.user)


@login_manager.user_loader
def load_user(sid: str):
    """The signed-in user of this request. The session's own bookkeeping (ended, last
    seen) is committed here, whatever the request then answers."""
    row = db.session.get(UserSession, sid) if sid and len(sid) <= 64 else None
    if row is None or row.ended_at is not None or row.user.disabled_at is not None:
        return None
    now = utcnow()
    config = current_app.config
    idle = timedelta(minutes=config["SESSION_IDLE_MINUTES"])
    if now - row.last_seen_at > idle or now - row.created_at > timedelta(hours=config["SESSION_MAX_HOURS"]):
        row.ended_at = now
        db.session.commit()
        return None
    if now - row.last_seen_at > TOUCH_EVERY:  # one write a minute at most, not one per request
        row.last_seen_at = now
        db.session.commit()
    return SignedIn(row.user, row.id)


def principal() -> Principal:
    return current_user.principal


def home_for(role: str) -> str:
    return {
        EDUCATOR: url_for("educator_pages.me"),
        DISTRICT_HR: url_for("district_pages.roster"),
        STATE_OFFICE: url_for("standing_pages.overview"),
        ADMIN: url_for("standing_pages.overview"),
    }[role]


NAV = {
    EDUCATOR: [("educator_pages.me", "My progress"), ("submission_pages.mine", "Report something"),
               ("transcript_pages.verify_lookup", "Verify a transcript")],
    DISTRICT_HR: [("district_pages.roster", "Roster"), ("submission_pages.queue", "Submissions"),
                  ("educator_pages.new_hire", "New hire"),
                  ("import_pages.imports", "Imports"), ("district_pages.salary_runs", "Salary runs"),
                  ("reminder_pages.sent", "Reminders")],
    STATE_OFFICE: [("standing_pages.overview", "Overview"), ("educator_pages.search", "Educators"),
                   ("submission_pages.queue", "Submissions"), ("audit_pages.audits", "Audits"),
                   ("rulebook_pages.rulebooks", "Rulebooks"),
                   ("catalog_pages.catalog", "Catalog"), ("transcript_pages.issued", "Transcripts"),
                   ("season_pages.seasons", "Seasons"), ("reminder_pages.sent", "Reminders")],
}
NAV[ADMIN] = NAV[STATE_OFFICE] + [("district_pages.roster", "Districts"), ("access_pages.users", "Users"),
                                  ("access_pages.api_tokens", "Tokens")]


def nav_links(role: str):
    return NAV.get(role, [])


def safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an open redirect."""
    if not target or len(target) > 2000:
        return None
    # control characters (urlsplit drops CR, LF and tab silently) and backslashes (some
    # browsers read them as slashes) never belong in a path we send someone to
    if any(ord(c) < 32 or c in "\\\x7f" for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_LIMIT"]


def address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_LIMIT"]


def email_key() -> str:
    return "login-email:" + (request.form.get("email") or "").strip().lower()[:254]


def address_and_email_key() -> str:
    return f"login-from:{get_remote_address()}:{email_key()}"


def failed(response) -> bool:
    """Only a failed sign-in counts toward the limits."""
    return response.status_code == 401


def role_required(*roles):
    """A page for some roles only: signed out -> the sign-in page; another role -> 403."""
    def wrap(view):
        @wraps(view)
        @login_required
        def inner(*args, **kwargs):
            if current_user.user.role not in roles:
                abort(403, description="This page is for " + " or ".join(
                    {"admin": "administrators", "state_office": "the state office", "district_hr": "district HR",
                     "educator": "educators"}[r] for r in roles) + ".")
            return view(*args, **kwargs)
        return inner
    return wrap


def init_app(app) -> None:
    login_manager.init_app(app)
    limiter.init_app(app)
    app.jinja_env.globals["nav_links"] = nav_links
