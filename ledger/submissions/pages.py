"""The pages of section 7: the educator's "Report something" form and their submissions
(an include on the educator's page, and a page of its own for errors), and the queue
where district HR or the state office sees the evidence and decides."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from .. import clock
from ..access.principals import ADMIN, DISTRICT_HR, EDUCATOR, STATE_OFFICE, educator_in_scope
from ..errors import NotFound
from ..http.forms import attempt
from ..http.signin import principal, role_required
from ..models import Credential, RulebookVersion, State, Submission, db
from . import service
from .api import evidence_response, evidence_store
from .schemas import BADGE_DATA_IN, SUBMISSION_IN

bp = Blueprint("submission_pages", __name__)
MEASURE_NAMES = {"clock_hour": "clock hours", "ceu": "CEUs", "semester_hour": "semester hours",
                 "quarter_hour": "quarter hours", "university_credit": "university credits",
                 "state_credit": "state credits"}
DECIDERS = (DISTRICT_HR, STATE_OFFICE)


def _measures(person) -> list[tuple[str, str]]:
    """Clock hours, then each measure the educator's state converts (as the record form)."""
    doc = db.session.scalar(select(RulebookVersion.document).join(State).where(State.id == person.state_id)
                            .order_by(RulebookVersion.version.desc()).limit(1)) or {}
    codes = ["clock_hour"] + sorted({c.get("measure") for c in doc.get("conversions") or ()
                                     if isinstance(c, dict) and c.get("measure") not in (None, "clock_hour")})
    return [(m, MEASURE_NAMES.get(m, m)) for m in codes]


def panel(person, errors=None, form=None) -> dict:
    """What the report form and "My submissions" show for one educator."""
    mine = db.session.scalars(select(Submission).where(Submission.educator_id == person.id)
                              .order_by(Submission.submitted_at.desc(), Submission.id.desc()).limit(50)).unique().all()
    credentials = db.session.execute(select(Credential.code, Credential.title).where(Credential.rejected.is_(False))
                                     .order_by(Credential.code)).all()
    return {"person": person, "mine": mine, "credentials": credentials, "measures": _measures(person),
            "errors": errors or {}, "form": form or {}, "today": clock.today()}


@bp.app_context_processor
def _globals():
    return {"submission_panel": panel}


@bp.get("/me/report")
@login_required
def mine():
    user = current_user.user
    if user.role != EDUCATOR or user.educator_id is None:
        abort(403, description="This page is for educators: report what you earned for approval.")
    return redirect(url_for("submission_pages.report", educator_id=user.educator_id))


@bp.get("/educators/<id:educator_id>/report")
@login_required
def report(educator_id, errors=None, form=None):
    person = educator_in_scope(db.session, principal(), educator_id)
    return render_template("submissions/report.html", r=panel(person, errors, form)), (422 if errors else 200)


def _form_data(kind: str) -> dict | None:
    raw = {k: (request.form.get(k) or "").strip() for k in
           ("credential", "earned_on", "title", "hours", "measure", "tags", "evidence_url")}
    raw = {k: v for k, v in raw.items() if v}
    if kind == "badge":
        return {k: v for k, v in raw.items() if k == "evidence_url"}
    data = {"kind": kind, **{k: raw[k] for k in ("earned_on", "evidence_url") if k in raw}}
    if kind == "microcredential":
        data["credential"] = raw.get("credential", "").split(" ")[0]  # "CODE title" from the list
    else:
        data.update({k: raw[k] for k in ("title",) if k in raw})
        data["tags"] = [t.strip() for t in raw.get("tags", "").split(";") if t.strip()]
        if raw.get("measure", "clock_hour") != "clock_hour":
            data.update(amount=raw.get("hours"), measure=raw["measure"])
        else:
            data["hours"] = raw.get("hours")
        data = {k: v for k, v in data.items() if v is not None}
    return data


def _file(part: str):
    f = request.files.get(part)
    if f is None or not f.filename:
        return None
    data = f.read()
    f.close()  # a large part is spooled to a temporary file
    return data, f.filename


@bp.post("/educators/<id:educator_id>/submissions")
@login_required
def submit(educator_id):
    p = principal()
    educator_in_scope(db.session, p, educator_id)
    kind = request.form.get("kind") or ""
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    if kind not in ("microcredential", "activity", "badge"):
        return report(educator_id, errors={"kind": ["choose what you report"]}, form=form)
    evidence, badge = _file("evidence"), _file("badge")
    if kind == "badge" and badge is None:
        return report(educator_id, errors={"badge": ["choose the badge file"]}, form=form)
    data = _form_data(kind)
    done, errors = attempt(lambda: service.submit(
        db.session, p, educator_id, (BADGE_DATA_IN if kind == "badge" else SUBMISSION_IN).load(data),
        clock.today(), evidence_store(), evidence_file=evidence, badge_file=badge if kind == "badge" else None))
    if errors:
        return report(educator_id, errors=errors, form=form)
    flash(f"Sent for approval: {_what(done)}. It counts once district HR or the state office approves it.", "good")
    return redirect(url_for("submission_pages.report", educator_id=educator_id) + "#my-submissions")


def _what(sub: Submission) -> str:
    if sub.kind == "activity":
        return sub.title
    if sub.credential is not None:
        return f"{sub.credential.code} {sub.credential.title}"
    return (sub.badge or {}).get("name", "a badge")


@bp.get("/submissions")
@role_required(DISTRICT_HR, STATE_OFFICE, ADMIN)
def queue(errors=None):
    p = principal()
    waiting = service.pending(db.session, p, limit=100)
    decided = db.session.scalars(service.scoped(p).where(Submission.status != "pending")
                                 .order_by(Submission.decided_at.desc(), Submission.id.desc()).limit(20)).unique().all()
    return render_template("submissions/queue.html", waiting=waiting, decided=decided, what=_what,
                           can_decide=p.role in DECIDERS, errors=errors or {}), (422 if errors else 200)


@bp.post("/submissions/<id:submission_id>/<any(approve, reject):decision>")
@role_required(DISTRICT_HR, STATE_OFFICE, ADMIN)
def decide(submission_id, decision):
    p = principal()
    sub = service.get_submission(db.session, p, submission_id)  # 404 outside the scope
    who = sub.educator.name
    if decision == "approve":
        done, errors = attempt(lambda: service.approve(db.session, p, submission_id, clock.today()))
    else:
        reason = (request.form.get("reason") or "").strip()
        if not reason:
            return queue(errors={submission_id: ["say why it is rejected: the educator reads the reason"]})
        done, errors = attempt(lambda: service.reject(db.session, p, submission_id, reason[:1000]))
    if errors:
        return queue(errors={submission_id: [m for msgs in errors.values() for m in msgs]})
    flash(f"Approved and recorded for {who}." if decision == "approve" else
          f"Rejected; {who} sees the reason.", "good")
    return redirect(url_for("submission_pages.queue"))


@bp.get("/submissions/<id:submission_id>/evidence")
@login_required
def evidence(submission_id):
    p = principal()
    try:
        sub = service.get_submission(db.session, p, submission_id)
        row, data = service.evidence_bytes(db.session, p, evidence_store(), submission_id)
    except NotFound:
        abort(404)
    return evidence_response(row, data, sub.evidence_name, download=request.args.get("download") == "1")
