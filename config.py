"""Settings from the environment. Unset values get a zero-set-up default under
`instance/` (see `ledger.create_app`)."""

import os


def database_url(url: str | None) -> str | None:
    """Accept the common spellings of a PostgreSQL URL and use psycopg 3 for them."""
    if not url:
        return None
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Config:
    SQLALCHEMY_DATABASE_URI = database_url(os.environ.get("DATABASE_URL"))
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

    API_TITLE = "Micro-credential ledger"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {
        "info": {
            "description": "Educator micro-credentials: entries, exchange rates, renewal "
            "standing. Every call but /verify and this document needs "
            "`Authorization: Bearer TOKEN`.",
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}
        },
        "security": [{"bearer": []}],
    }

    MAX_CONTENT_LENGTH = 16 * 1024 * 1024
