"""The state office's catalog page: every credential, those awaiting review first."""

from __future__ import annotations

from flask import Blueprint, request
from sqlalchemy import func, or_, select

from ..access.principals import ADMIN, STATE_OFFICE
from ..http.offices import PER_PAGE, current_state, like, page_args, page_number, render_state_page
from ..http.signin import role_required
from ..models import Credential, Issuer, db

bp = Blueprint("catalog_pages", __name__, url_prefix="/state")


@bp.get("/catalog")
@role_required(STATE_OFFICE, ADMIN)
def catalog():
    state = current_state()
    awaiting = request.args.get("review") == "awaiting"
    q = (request.args.get("q") or "").strip()[:100]
    stmt = select(Credential).join(Issuer, Credential.issuer_id == Issuer.id)
    if awaiting:
        stmt = stmt.where(Credential.reviewed.is_(False))
    for word in q.split()[:5]:
        pattern = like(word.lower())
        stmt = stmt.where(or_(func.lower(Credential.code).like(pattern, escape="\\"),
                              func.lower(Credential.title).like(pattern, escape="\\"),
                              func.lower(Issuer.name).like(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = page_number()
    pages = max(1, -(-total // (PER_PAGE * 2)))
    page = min(page, pages)
    rows = db.session.scalars(stmt.order_by(Credential.reviewed, Issuer.name, Credential.code)
                              .offset((page - 1) * PER_PAGE * 2).limit(PER_PAGE * 2)).unique().all()
    waiting = db.session.scalar(select(func.count(Credential.id)).where(Credential.reviewed.is_(False)))
    return render_state_page("state/catalog.html", state, credentials=rows, awaiting=awaiting, q=q, total=total,
                   waiting=waiting, page=page, pages=pages,
                   pager_args={**page_args(state), **({"q": q} if q else {}),
                               **({"review": "awaiting"} if awaiting else {})})
