"""Signing in and out, each role's home, the public landing page, and the admin's users page."""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Invalid
from ..http.forms import attempt
from ..http.signin import (
    SignedIn,
    account_limit,
    address_and_email_key,
    address_limit,
    email_key,
    failed,
    home_for,
    limiter,
    login_limit,
    principal,
    role_required,
    safe_next,
)
from ..models import MAX_ID, Credential, District, Educator, Entry, State, User, UserSession, db, utcnow
from . import tokens
from . import users as accounts
from .principals import ADMIN, ROLES
from .users import create_user

bp = Blueprint("access_pages", __name__)
_dummy_hash: str | None = None


def _dummy() -> str:
    """A hash to check against when the e-mail is unknown, so both answers take as long
    (made on first use, not at import)."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = generate_password_hash(secrets.token_hex(16))
    return _dummy_hash


@bp.get("/")
def index():
    counts = {
        "states": db.session.scalar(select(func.count()).select_from(State)),
        "educators": db.session.scalar(select(func.count()).select_from(Educator)),
        "entries": db.session.scalar(select(func.count()).select_from(Entry)),
        "credentials": db.session.scalar(select(func.count()).select_from(Credential)),
    }
    states = db.session.scalars(select(State).order_by(State.code)).all()
    return render_template("index.html", counts=counts, states=states)


@bp.get("/home")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("access_pages.login"))
    return redirect(home_for(current_user.user.role))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], key_func=address_and_email_key, deduct_when=failed)
@limiter.limit(account_limit, methods=["POST"], key_func=email_key, deduct_when=failed)
@limiter.limit(address_limit, methods=["POST"], deduct_when=failed)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user.user.role))
    error = None
    email = ""
    if request.method == "POST":
        email = (request.form.get("email") or "").strip().lower()[:254]
        password = request.form.get("password") or ""
        user = db.session.scalar(select(User).where(User.email == email)) if email else None
        ok = check_password_hash(user.password_hash if user else _dummy(), password[:1024])
        if user is None or not ok or user.disabled_at is not None:
            error = "That e-mail and password do not match an account."
        else:
            next_page = safe_next(request.args.get("next"))
            session.clear()  # a new session at sign-in: nothing from before it carries over
            row = UserSession(id=secrets.token_urlsafe(32), user_id=user.id,
                              user_agent=(request.user_agent.string or "")[:300])
            db.session.add(row)
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
    logout_user()
    session.clear()
    flash("You have signed out.", "info")
    return redirect(url_for("access_pages.login"))


@bp.route("/admin/users", methods=["GET", "POST"])
@role_required(ADMIN)
def users():
    errors, form = {}, {}
    if request.method == "POST":
        form = {k: (request.form.get(k) or "").strip() for k in ("email", "role", "state", "district", "educator")}
        educator = form["educator"]
        try:
            if educator and not (re.fullmatch(r"[0-9]{1,10}", educator) and 1 <= int(educator) <= MAX_ID):
                raise Invalid("educator: an educator id", {"educator": ["an educator id (a number)"]})
            user = create_user(db.session, principal().actor, form["email"], request.form.get("password") or "",
                               form["role"], form["state"] or None, form["district"] or None,
                               int(educator) if educator else None)
            flash(f"Made a {user.role} account for {user.email}.", "good")
            return redirect(url_for("access_pages.users"))
        except Invalid as exc:
            db.session.rollback()
            errors = exc.errors or {"_form": [exc.message]}
    rows = db.session.scalars(select(User).order_by(User.role, User.email)).all()
    states = {s.id: s.code for s in db.session.scalars(select(State))}
    districts = {d.id: d.code for d in db.session.scalars(select(District))}
    return render_template("admin/users.html", users=rows, roles=ROLES, errors=errors, form=form,
                           states=states, districts=districts), (422 if errors else 200)


def _scope_form() -> tuple[dict, dict]:
    """The role and scope fields of a form, and the errors of a bad educator id."""
    form = {k: (request.form.get(k) or "").strip() for k in ("role", "state", "district", "educator")}
    educator = form["educator"]
    if educator and not (re.fullmatch(r"[0-9]{1,10}", educator) and 1 <= int(educator) <= MAX_ID):
        return form, {"educator": ["an educator id (a number)"]}
    return form, {}


@bp.route("/admin/users/<id:user_id>", methods=["GET", "POST"])
@role_required(ADMIN)
def user(user_id):
    """One account: disable or enable it, end its sessions, reset its password, change its role."""
    account = accounts.get_user(db.session, user_id)
    errors: dict = {}
    if request.method == "POST":
        actor, action = principal().actor, request.form.get("action")
        if action == "role":
            form, errors = _scope_form()
            if not errors:
                _, errors = attempt(lambda: accounts.change_role(
                    db.session, actor, account, form["role"], form["state"] or None, form["district"] or None,
                    int(form["educator"]) if form["educator"] else None))
        elif action in ACTIONS:
            _, errors = attempt(lambda: ACTIONS[action](db.session, actor, account))
        elif action == "password":
            _, errors = attempt(lambda: accounts.reset_password(db.session, actor, account,
                                                              request.form.get("password") or ""))
        else:
            errors = {"_form": ["choose what to do"]}
        if not errors:
            flash(DONE.get(action, "Done.").format(email=account.email), "good")
            return redirect(url_for("access_pages.user", user_id=account.id))
    sessions = db.session.scalar(select(func.count(UserSession.id)).where(
        UserSession.user_id == account.id, UserSession.ended_at.is_(None)))
    return render_template("admin/user.html", account=account, roles=ROLES, errors=errors or {},
                           open_sessions=sessions), (422 if errors else 200)


ACTIONS = {"disable": accounts.disable_user, "enable": accounts.enable_user, "end_sessions": accounts.end_sessions}
DONE = {"disable": "Disabled {email}: they cannot sign in, and their sessions ended.",
        "enable": "Enabled {email}: they can sign in again.",
        "end_sessions": "Ended every open session of {email}.",
        "password": "Set a new password for {email}; their sessions ended.",
        "role": "Changed the role of {email}; their sessions ended."}


@bp.get("/admin/tokens")
@role_required(ADMIN)
def api_tokens():
    return render_template("admin/tokens.html", tokens=tokens.tokens(db.session), now=utcnow())


@bp.post("/admin/tokens/<id:token_id>/revoke")
@role_required(ADMIN)
def revoke_token(token_id):
    row, errors = attempt(lambda: tokens.revoke_token(db.session, principal().actor, token_id))
    if errors:
        flash(next(iter(errors.values()))[0], "bad")
    else:
        flash(f"Revoked token {row.id} ({row.label or row.role}): it answers 401 from now on.", "good")
    return redirect(url_for("access_pages.api_tokens"))
