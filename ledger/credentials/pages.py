"""The state office's issuer-key registry page: the keys imports check credentials with,
where each came from, and a form to add one (from a JWK, did:key, did:web or URL) or
retire one. And, on an educator's page, the identities that name them as a badge's
recipient, with a form for those who record their entries."""

from __future__ import annotations

import json

from flask import Blueprint, flash, redirect, request, url_for

from ..access.principals import ADMIN, DISTRICT_HR, STATE_OFFICE
from ..http.forms import attempt
from ..http.offices import current_state, page_args, render_state_page
from ..http.signin import principal, role_required
from ..models import db
from . import service
from .schemas import IDENTITY_IN, ISSUER_KEY_IN, RETIRE_IN

bp = Blueprint("credential_pages", __name__)
KINDS = {"email": "e-mail", "did": "DID", "url": "URL or URN"}


@bp.app_context_processor
def _identities():
    """`recipient_identities(educator_id)` for the educator's page (which has checked its scope)."""
    return {"recipient_identities": lambda educator_id: service.identities_of(db.session, principal(), educator_id),
            "identity_kinds": KINDS}


@bp.post("/educators/<int:educator_id>/identities")
@role_required(STATE_OFFICE, DISTRICT_HR, ADMIN)
def add_identity(educator_id):
    raw = {k: (request.form.get(k) or "").strip() for k in ("kind", "value")}
    done, errors = attempt(lambda: service.add_identity(db.session, principal(), educator_id,
                                                        **IDENTITY_IN.load({k: v for k, v in raw.items() if v})))
    if errors:
        said = "; ".join(f"{k}: {'; '.join(v)}" if k != "_form" else "; ".join(v) for k, v in errors.items())
        flash(f"Not added: {said}", "bad@identities")
    else:
        flash(f"Added {KINDS[done.kind]} {done.value}: badges naming it are matched to this educator.",
              "good@identities")
    return redirect(url_for("educator_pages.educator", educator_id=educator_id) + "#identities")


@bp.post("/educators/<int:educator_id>/identities/<int:identity_id>/remove")
@role_required(STATE_OFFICE, DISTRICT_HR, ADMIN)
def remove_identity(educator_id, identity_id):
    done, errors = attempt(lambda: service.remove_identity(db.session, principal(), educator_id, identity_id))
    if errors:
        flash("Not removed: " + "; ".join("; ".join(v) for v in errors.values()), "bad@identities")
    else:
        flash(f"Removed {KINDS[done.kind]} {done.value}: badges naming it are no longer matched to this educator "
              "(entries already recorded stay).", "good@identities")
    return redirect(url_for("educator_pages.educator", educator_id=educator_id) + "#identities")


@bp.get("/state/issuer-keys")
@role_required(STATE_OFFICE, ADMIN)
def keys(form_errors=None, form=None):
    state = current_state()
    return render_state_page("state/issuer_keys.html", state, keys=service.list_keys(db.session),
                             form_errors=form_errors or {}, form=form or {}, status=422 if form_errors else 200)


@bp.post("/state/issuer-keys")
@role_required(STATE_OFFICE, ADMIN)
def add():
    form = {k: (request.form.get(k) or "").strip() for k in ("issuer", "source", "jwk", "origin")}
    raw = {k: v for k, v in form.items() if v and k != "jwk"}
    if form["jwk"]:
        try:
            raw["jwk"] = json.loads(form["jwk"])
        except (ValueError, RecursionError):
            return keys(form_errors={"jwk": ["is not JSON: paste the key as a JSON object ({\"kty\": ...})"]},
                        form=form)
    done, errors = attempt(lambda: service.add_key(db.session, principal(), ISSUER_KEY_IN.load(raw),
                                                   service.fetcher()))
    if errors:
        return keys(form_errors=errors, form=form)
    flash(f"Added {len(done)} key{'' if len(done) == 1 else 's'} for {form['issuer']}: credentials it signs are "
          "now checked with it.", "good")
    return redirect(url_for("credential_pages.keys", **page_args(current_state())) + "#keys")


@bp.post("/state/issuer-keys/<int:key_id>/retire")
@role_required(STATE_OFFICE, ADMIN)
def retire(key_id):
    raw = {"reason": (request.form.get("reason") or "").strip()}
    done, errors = attempt(lambda: service.retire_key(db.session, principal(), key_id, RETIRE_IN.load(raw)["reason"]))
    if errors:
        return keys(form_errors={f"retire-{key_id}": [m for v in errors.values() for m in v]})
    flash(f"Retired key {done.id} of {done.issuer}: it checks nothing from now on.", "good")
    return redirect(url_for("credential_pages.keys", **page_args(current_state())) + "#keys")
