"""Signing in to the pages: Flask-Login over server-side sessions.

Each sign-in makes a `user_sessions` row with a random id; the cookie (signed, HttpOnly,
SameSite=Lax, Secure in production) carries only that id. Signing out ends the row, so a
copied cookie stops working at once; a session also ends after `SESSION_IDLE_MINUTES`
without a request and `SESSION_MAX_HOURS` after sign-in, whatever happens. Passwords are
hashed with scrypt (Werkzeug's default KDF). Sign-in attempts are rate-limited per
address and per e-mail; a failed attempt says only that the e-mail or password is wrong.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from functools import wraps

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..models import User, UserSession, db, utcnow
from ..scopes import ADMIN, DISTRICT_HR, EDUCATOR, STATE_OFFICE, Principal

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Sign in to see that page."
login_manager.login_message_category = "info"
login_manager.session_protection = None  # the server-side session below does this job

limiter = Limiter(key_func=get_remote_address, default_limits=[])

# A hash to check against when the e-mail is unknown, so both answers take as long.
_DUMMY_HASH = generate_password_hash(secrets.token_hex(16))
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
        u = self.user
        return Principal(role=u.role, actor=f"user:{u.id} ({u.email})", state_id=u.state_id,
                         district_id=u.district_id, educator_id=u.educator_id)


@login_manager.user_loader
def load_user(sid: str):
    row = db.session.get(UserSession, sid) if sid and len(sid) <= 64 else None
    if row is None or row.ended_at is not None:
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
        EDUCATOR: url_for("teacher.me"),
        DISTRICT_HR: url_for("hr.roster"),
        STATE_OFFICE: url_for("state.overview"),
        ADMIN: url_for("state.overview"),
    }[role]


NAV = {
    EDUCATOR: [("teacher.me", "My progress"), ("web.verify_lookup", "Verify a transcript")],
    DISTRICT_HR: [("hr.roster", "Roster"), ("hr.imports", "Imports"), ("hr.salary_runs", "Salary runs")],
    STATE_OFFICE: [("state.overview", "Overview"), ("state.educators", "Educators"), ("state.rulebooks", "Rulebooks"),
                   ("state.catalog", "Catalog"), ("state.transcripts", "Transcripts")],
}
NAV[ADMIN] = NAV[STATE_OFFICE] + [("hr.roster", "Districts"), ("admin.users", "Users")]


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


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _email_key() -> str:
    return "login-email:" + (request.form.get("email") or "").strip().lower()[:254]


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


@bp.get("/home")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return redirect(home_for(current_user.user.role))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_key)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user.user.role))
    error = None
    email = ""
    if request.method == "POST":
        email = (request.form.get("email") or "").strip().lower()[:254]
        password = request.form.get("password") or ""
        user = db.session.scalar(select(User).where(User.email == email)) if email else None
        ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password[:1024])
        if user is None or not ok:
            error = "That e-mail and password do not match an account."
        else:
            next_page = safe_next(request.args.get("next"))
            session.clear()  # a new session at sign-in: nothing from before it carries over
            row = UserSession(id=secrets.token_urlsafe(32), user_id=user.id,
                              user_agent=(request.user_agent.string or "")[:300])
            db.session.add(row)
            db.session.commit()
            login_user(SignedIn(user, row.id))
            session.permanent = True
            return redirect(next_page or home_for(user.role))
    status = 401 if error else 200
    return render_template("login.html", error=error, email=email), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        row = db.session.get(UserSession, current_user.sid)
        if row is not None and row.ended_at is None:
            row.ended_at = utcnow()
            db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def init_app(app) -> None:
    login_manager.init_app(app)
    limiter.init_app(app)
    app.register_blueprint(bp)
