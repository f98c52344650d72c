"""Domain errors the services raise; the API and CLI turn them into answers."""

from __future__ import annotations


class LedgerError(Exception):
    """`probe`: this refusal tells the caller that something exists outside its scope (a
    license number, an external_id: unique across the ledger, so some answer must say
    so). What it was is kept in the audit trail after the rollback (`out_of_scope_refusal`),
    so the state office sees who asked about what."""

    status = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None, *, probe: dict | None = None,
                 **extra):
        super().__init__(message)
        self.message = message
        self.errors = errors
        self.probe = probe
        self.extra = extra


class Invalid(LedgerError):
    """Bad input: `errors` maps each field path to its messages."""

    status = 422


class NotFound(LedgerError):
    status = 404


class Forbidden(LedgerError):
    status = 403


class Conflict(LedgerError):
    status = 409


class Unavailable(LedgerError):
    """The ledger cannot do it as it is set up (a missing key or setting): 503."""

    status = 503


def flatten(errors, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error dict into field paths:
    {"exchange_rates": {2: {"effective_from": [...]}}} -> {"exchange_rates[2].effective_from": [...]}.
    """
    flat: dict[str, list[str]] = {}
    if isinstance(errors, dict):
        for key, value in errors.items():
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            for p, msgs in flatten(value, path).items():
                flat.setdefault(p or "_schema", []).extend(msgs)
    elif isinstance(errors, list) and all(isinstance(m, str) for m in errors):
        flat[prefix] = list(errors)
    elif isinstance(errors, list):
        for item in errors:
            for p, msgs in flatten(item, prefix).items():
                flat.setdefault(p, []).extend(msgs)
    else:
        flat[prefix] = [str(errors)]
    return flat
