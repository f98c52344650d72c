"""What a verifier fetches, without a token and from any origin (CORS: http/headers.py):
the ledger's DID document, each state office's issuer profile, and each state's signed
revocation status lists. Every id in them comes from PUBLIC_URL (trust.py)."""

from __future__ import annotations

from sqlalchemy import select

from ..errors import NotFound
from ..models import State, utcnow
from ..rulebooks.service import newest_version
from . import clr, document, keys, status, trust


def _state(session, code: str) -> State:
    row = None
    if len(code) == 2 and code.isascii() and code.isalpha():
        row = session.scalar(select(State).where(State.code == code.upper()))
    if row is None or not keys.public_jwks(row.code):
        raise NotFound(f"no issuing state {code[:20]!r}")
    return row


def issuer_profile(session, code: str) -> dict:
    row = _state(session, code)
    try:
        office = document.office_name(newest_version(session, row.code).document, row.name)
    except NotFound:
        office = f"{row.name} Educator Licensure Office"
    return trust.issuer_profile(row.code, row.name, office)


def status_list_jwt(session, code: str, number: int) -> str:
    """The state's status list `number` as of now, signed as a VC-JWT with its current key."""
    row = _state(session, code)
    if not 1 <= number <= status.lists_in_use(session, row.id):
        raise NotFound(f"no status list {number} for {row.code}")
    url = trust.status_list_url(row.code, number)
    now = utcnow().replace(microsecond=0)
    vc = status.credential(url, trust.issuer_id(row.code), status.revoked_bits(session, row.id, number), now)
    return clr.sign(vc, row.code, now)


def did_document(session) -> dict:
    codes = session.scalars(select(State.code).order_by(State.code)).all()
    return trust.did_document([c for c in codes if keys.public_jwks(c)])
