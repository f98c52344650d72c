"""A page's form: what the service refuses is shown beside the fields, never as a crash."""

from __future__ import annotations

from marshmallow import ValidationError

from ..errors import LedgerError, flatten
from ..models import db


def attempt(action):
    """(result, None) when `action()` succeeds; (None, {field: [messages]}) when the input
    or the service refuses it, after rolling back. Scope and role refusals (403, 404) are
    not form errors: they propagate to the error page."""
    try:
        return action(), None
    except ValidationError as exc:
        db.session.rollback()
        return None, flatten(exc.messages)
    except LedgerError as exc:
        db.session.rollback()
        if exc.status in (403, 404):
            raise
        return None, exc.errors or {"_form": [exc.message]}
