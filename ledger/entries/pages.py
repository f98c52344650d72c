"""Recording and voiding from the educator's page: errors shown beside the form."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required
from marshmallow import ValidationError

from .. import clock
from ..access.principals import educator_in_scope
from ..educators.pages import educator
from ..errors import LedgerError, flatten
from ..http.forms import attempt
from ..http.signin import principal
from ..models import db
from . import service
from .schemas import ENTRY_IN, VOID_IN

bp = Blueprint("entry_pages", __name__)


@bp.post("/educators/<id:educator_id>/entries")
@login_required
def record(educator_id):
    p = principal()
    educator_in_scope(db.session, p, educator_id)
    raw = {k: v.strip() for k, v in request.form.items() if k != "csrf_token" and v.strip()}
    if raw.get("kind") == "activity" and "tags" in raw:
        raw["tags"] = [t.strip() for t in raw["tags"].split(";") if t.strip()]
    if raw.get("kind") == "activity" and raw.get("measure", "clock_hour") != "clock_hour":
        raw["amount"] = raw.pop("hours", None)  # the amount field holds CEUs, semester hours...
    elif raw.get("measure") == "clock_hour":
        del raw["measure"]
    done, errors = attempt(lambda: service.record_entry(db.session, p, educator_id, ENTRY_IN.load(raw), clock.today()))
    if errors:
        return educator(educator_id, form_errors=errors, form=raw)
    entry, created = done
    what = entry.credential.code if entry.credential else entry.title
    # the confirmation is shown in the form just used, and the page opens there
    place = "record-mc" if entry.credential else "record-activity"
    flash(f"Recorded {what}, earned {entry.earned_on.isoformat()}." if created else
          f"{what}, earned {entry.earned_on.isoformat()}, was already recorded: nothing new was added.",
          f"good@{place}")
    return redirect(url_for("educator_pages.educator", educator_id=educator_id) + f"#{place}")


@bp.post("/entries/<id:entry_id>/void")
@login_required
def void(entry_id):
    p = principal()
    entry = service.get_entry(db.session, p, entry_id)
    try:
        data = VOID_IN.load({"reason": (request.form.get("reason") or "").strip()})
        service.void_entry(db.session, p, entry_id, data["reason"])
    except ValidationError as exc:
        db.session.rollback()
        return educator(entry.educator_id,
                        form_errors={f"void-{entry_id}": flatten(exc.messages).get("reason", ["required"])})
    except LedgerError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        return educator(entry.educator_id, form_errors={f"void-{entry_id}": [exc.message]})
    what = entry.credential.code if entry.credential else entry.title
    flash(f"Voided {what}, earned {entry.earned_on.isoformat()}: it no longer counts anywhere "
          "(kept below with its reason).", "good@void")
    return redirect(url_for("educator_pages.educator", educator_id=entry.educator_id) + "#void-notice")
