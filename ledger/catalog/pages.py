"""The state office's catalog page: every credential, those awaiting review first, each
with its entries and reviews; approve or reject in place (CONTRACT.md section 3)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for
from sqlalchemy import exists, func, or_, select

from ..access.principals import ADMIN, STATE_OFFICE
from ..http.forms import attempt
from ..http.offices import PER_PAGE, current_state, like, page_args, page_number, render_state_page, state_scope
from ..http.signin import principal, role_required
from ..models import Credential, Educator, Entry, Issuer, Void, db
from . import service
from .schemas import REVIEW_IN

bp = Blueprint("catalog_pages", __name__, url_prefix="/state")
NAMED = 5  # educators named per credential; the rest counted


@bp.get("/catalog")
@role_required(STATE_OFFICE, ADMIN)
def catalog(form_errors=None):
    state = current_state()
    awaiting = request.args.get("review") == "awaiting"
    q = (request.args.get("q") or "").strip()[:100]
    stmt = select(Credential).join(Issuer, Credential.issuer_id == Issuer.id)
    if awaiting:
        stmt = stmt.where(Credential.reviewed.is_(False), Credential.rejected.is_(False))
    for word in q.split()[:5]:
        pattern = like(word.lower())
        stmt = stmt.where(or_(func.lower(Credential.code).like(pattern, escape="\\"),
                              func.lower(Credential.title).like(pattern, escape="\\"),
                              func.lower(Issuer.name).like(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = page_number()
    pages = max(1, -(-total // (PER_PAGE * 2)))
    page = min(page, pages)
    rows = db.session.scalars(stmt.order_by(Credential.reviewed, Credential.rejected.desc(), Issuer.name,
                                            Credential.code)
                              .offset((page - 1) * PER_PAGE * 2).limit(PER_PAGE * 2)).unique().all()
    waiting = db.session.scalar(select(func.count(Credential.id)).where(Credential.reviewed.is_(False),
                                                                        Credential.rejected.is_(False)))
    ids = [c.id for c in rows]
    return render_state_page(
        "state/catalog.html", state, credentials=rows, awaiting=awaiting, q=q, total=total, waiting=waiting,
        page=page, pages=pages, reviews=service.reviews_of(db.session, ids), holders=_holders(state, ids),
        may_review=principal().role in (ADMIN, STATE_OFFICE), form_errors=form_errors or {},
        pager_args={**page_args(state), **({"q": q} if q else {}), **({"review": "awaiting"} if awaiting else {})},
        status=422 if form_errors else 200)


def _holders(state, ids: list[int]) -> dict[int, tuple[int, list[Educator]]]:
    """Per credential: its active entries (all states) and the first educators holding
    it whom this office sees, by name."""
    if not ids:
        return {}
    active = ~exists().where(Void.entry_id == Entry.id)
    counts = dict(db.session.execute(select(Entry.credential_id, func.count(Entry.id))
                                     .where(Entry.credential_id.in_(ids), active).group_by(Entry.credential_id)).all())
    named: dict[int, list[Educator]] = {}
    for credential_id, educator in db.session.execute(
        select(Entry.credential_id, Educator).join(Educator, Educator.id == Entry.educator_id)
        .where(Entry.credential_id.in_(ids), active, state_scope(state))
        .order_by(Entry.credential_id, Educator.last_name, Educator.first_name)
    ).all():
        if len(named.setdefault(credential_id, [])) < NAMED:
            named[credential_id].append(educator)
    return {i: (counts.get(i, 0), named.get(i, [])) for i in ids}


@bp.post("/catalog/<code>/review")
@role_required(STATE_OFFICE, ADMIN)
def review(code):
    raw = {k: v.strip() for k, v in request.form.items() if k in ("decision", "reason") and v.strip()}
    done, errors = attempt(lambda: service.review_credential(db.session, principal(), code, REVIEW_IN.load(raw)))
    if errors:
        return catalog(form_errors={code: [f"{k}: {'; '.join(v)}" if k != "_form" else "; ".join(v)
                                           for k, v in errors.items()]})
    credential, made, entries = done
    verb = "Approved" if made.decision == "approved" else "Rejected"
    s = "s" if entries == 1 else ""
    effect = f"now count{s}" if made.decision == "approved" else f"now count{s} for nothing"
    flash(f"{verb} {credential.code}: its {entries} entr{'y' if entries == 1 else 'ies'} {effect}.", "good")
    back = {k: v for k, v in request.args.items() if k in ("state", "q", "review", "page")}
    return redirect(url_for("catalog_pages.catalog", **back) + f"#credential-{credential.code}")
