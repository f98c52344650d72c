"""Renew, extend and reinstate from the educator's page (a state office for its own
state's licenses, an admin): errors shown beside the form, nothing changed."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from .. import clock
from ..educators.pages import educator
from ..http.forms import attempt
from ..http.signin import principal
from ..models import db
from . import service
from .schemas import CycleIn, ExtensionIn, RenewalIn

bp = Blueprint("license_pages", __name__)

ACTIONS = {
    "renew": (RenewalIn(), service.renew),
    "extend": (ExtensionIn(), service.extend),
    "cycle": (CycleIn(), service.open_cycle),
}
DONE = {
    "renew": lambda r: f"Cycle {r[0].number} renewed; cycle {r[1].number} runs "
                       f"{r[1].row.cycle_start.isoformat()} to {r[1].cycle_end.isoformat()}.",
    "extend": lambda c: f"Cycle {c.number} now ends {c.cycle_end.isoformat()}.",
    "cycle": lambda c: f"Cycle {c.number} opened: {c.row.cycle_start.isoformat()} to {c.cycle_end.isoformat()}.",
}


@bp.post("/licenses/<id:license_id>/<any(renew, extend, cycle):action>")
@login_required
def change(license_id, action):
    p, today = principal(), clock.today()
    view = service.license_in_scope(db.session, p, license_id, today)  # 404 out of scope
    raw = {k: v.strip() for k, v in request.form.items() if k != "csrf_token" and v.strip()}
    schema, run = ACTIONS[action]
    done, errors = attempt(lambda: run(db.session, p, license_id, schema.load(raw), today))
    if errors:
        messages = [f"{field}: {m}" if field != "_form" else m for field, ms in errors.items() for m in ms]
        return educator(view.educator_id, form_errors={f"license-{license_id}-{action}": messages}, form=raw)
    flash(DONE[action](done), "good")
    return redirect(url_for("educator_pages.educator", educator_id=view.educator_id) + f"#license-{license_id}")
