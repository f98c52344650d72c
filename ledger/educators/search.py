"""Finding educators in scope: by words in their name or license number, a page at a time."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from ..access.principals import Principal
from ..models import District, Educator, State


def search(session, principal: Principal, q: str | None = None, district: str | None = None,
           state: str | None = None, page: int = 1, size: int = 50) -> tuple[list[Educator], int]:
    """(the page of educators, how many match) in the principal's scope."""
    stmt = select(Educator).where(principal.educator_clause())
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(
            Educator.license_number.ilike(like), Educator.last_name.ilike(like), Educator.first_name.ilike(like)
        ))
    if district:
        stmt = stmt.join(District, Educator.district_id == District.id).where(District.code == district)
    if state:
        stmt = stmt.join(State, Educator.state_id == State.id).where(State.code == state.upper())
    total = session.scalar(select(func.count()).select_from(stmt.subquery()))
    if (page - 1) * size >= total:
        return [], total  # past the last page, however large the number
    found = session.scalars(
        stmt.order_by(Educator.last_name, Educator.first_name, Educator.id).offset((page - 1) * size).limit(size)
    ).all()
    return list(found), total
