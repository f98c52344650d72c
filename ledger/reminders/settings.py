"""Who may turn off which notices. Optional notices (designation maintenance; for staff,
the digest) can be turned off; deadline notices always go. Every mail carries a one-click
link to the setting: a token signed with the app's secret (itsdangerous, a salt of its
own) naming only the person, so it works without signing in, cannot be forged or turned
to another person, and changes nothing but this one setting."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from ..access import audit
from ..errors import NotFound
from ..models import Educator, NoticeSetting, User, utcnow

SALT = "ledger.reminders.settings"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def token_for(educator_id: int | None = None, user_id: int | None = None) -> str:
    return _serializer().dumps(["e", educator_id] if educator_id is not None else ["u", user_id])


def settings_token(notice) -> str:
    return token_for(notice.educator_id, notice.user_id)


def person_for_token(session, token: str) -> tuple[str, int]:
    """("e" or "u", id) named by a valid token; anything else is not found."""
    try:
        kind, id_ = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        raise NotFound("this link is not valid") from None
    model = Educator if kind == "e" else User if kind == "u" else None
    if model is None or not isinstance(id_, int) or session.get(model, id_) is None:
        raise NotFound("this link is not valid")
    return kind, id_


def _row(session, kind: str, id_: int) -> NoticeSetting | None:
    column = NoticeSetting.educator_id if kind == "e" else NoticeSetting.user_id
    return session.scalar(select(NoticeSetting).where(column == id_))


def optional_off(session, kind: str, id_: int) -> bool:
    row = _row(session, kind, id_)
    return bool(row and row.optional_off)


def set_optional(session, actor: str, kind: str, id_: int, off: bool) -> None:
    """Turn the optional notices off (or on again) for an educator ("e") or a user ("u")."""
    row = _row(session, kind, id_)
    if row is None:
        row = NoticeSetting(educator_id=id_ if kind == "e" else None, user_id=id_ if kind == "u" else None)
        session.add(row)
    row.optional_off, row.changed_at = off, utcnow()
    session.flush()
    audit.record(session, actor, "optional_notices_off" if off else "optional_notices_on",
                 "educator" if kind == "e" else "user", id_)
