"""Users: an admin makes accounts for every role, scoped like API tokens."""

from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from .. import audit
from ..errors import Invalid
from ..models import MAX_ID, District, State, User, db
from ..scopes import ADMIN, ROLES, resolve_scope
from .auth import hash_password, principal, role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")
MIN_PASSWORD = 12


def create_user(session, actor, email: str, password: str, role: str, state=None, district=None, educator=None) -> User:
    errors: dict[str, list[str]] = {}
    email = (email or "").strip().lower()
    if not email or "@" not in email or len(email) > 254:
        errors["email"] = ["an e-mail address"]
    elif session.scalar(select(User.id).where(User.email == email)) is not None:
        errors["email"] = ["an account with this e-mail exists"]
    if len(password or "") < MIN_PASSWORD:
        errors["password"] = [f"at least {MIN_PASSWORD} characters"]
    if errors:
        raise Invalid(next(f"{k}: {v[0]}" for k, v in errors.items()), errors)
    state_id, district_id, educator_id = resolve_scope(session, role, state, district, educator)
    user = User(email=email, password_hash=hash_password(password), role=role, state_id=state_id,
                district_id=district_id, educator_id=educator_id)
    session.add(user)
    session.flush()
    audit.record(session, actor, "create_user", "user", user.id, {"email": email, "role": role})
    return user


@bp.route("/users", methods=["GET", "POST"])
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
            db.session.commit()
            flash(f"Made a {user.role} account for {user.email}.", "good")
            return redirect(url_for("admin.users"))
        except Invalid as exc:
            db.session.rollback()
            errors = exc.errors or {"_form": [exc.message]}
    rows = db.session.scalars(select(User).order_by(User.role, User.email)).all()
    states = {s.id: s.code for s in db.session.scalars(select(State))}
    districts = {d.id: d.code for d in db.session.scalars(select(District))}
    return render_template("admin/users.html", users=rows, roles=ROLES, errors=errors, form=form,
                           states=states, districts=districts), (422 if errors else 200)
