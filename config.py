"""Settings from the environment. Unset values get a zero-set-up default under
`instance/` (see `ledger.app.create_app`)."""

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
    # Evidence files (submissions): kept in a local directory (default instance/evidence)
    # or, with EVIDENCE_STORE=s3, in an S3-compatible bucket (credentials as boto3 reads
    # them: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, or an instance role).
    EVIDENCE_STORE = os.environ.get("EVIDENCE_STORE", "local")
    EVIDENCE_DIR = os.environ.get("EVIDENCE_DIR")
    S3_BUCKET = os.environ.get("S3_BUCKET")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL")
    S3_REGION = os.environ.get("S3_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    S3_PREFIX = os.environ.get("S3_PREFIX", "evidence/")
    # A transcript asked for by a page or an API call lists at most this many entries (laid
    # out in a few seconds); the command line and season printing have no limit.
    TRANSCRIPT_MAX_ENTRIES = int(os.environ.get("TRANSCRIPT_MAX_ENTRIES", "600"))

    # Where people reach the ledger: printed on transcripts (verify URL, QR code). Unset:
    # the request's own host, or http://127.0.0.1:5000 from the command line.
    PUBLIC_URL = os.environ.get("PUBLIC_URL")
    # Each state's Ed25519 signing key is SIGNING_KEY_DIR/XX.pem (default instance/keys).
    # SIGNING_KEY_GENERATE=0 in production: a missing key is an error, never a new key.
    SIGNING_KEY_DIR = os.environ.get("SIGNING_KEY_DIR")
    SIGNING_KEY_GENERATE = os.environ.get("SIGNING_KEY_GENERATE", "1") not in ("0", "false", "no")

    # The one fetcher (ledger/credentials/fetch.py): hosted Open Badges 2.0 assertions and
    # badge classes, issuers' keys, status lists. https only unless FETCH_ALLOW_HTTP=1;
    # private, loopback and link-local addresses refused unless the host (or host:port) is
    # in FETCH_ALLOW_HOSTS (comma-separated); FETCH_ENABLED=0 fetches nothing.
    FETCH_ENABLED = os.environ.get("FETCH_ENABLED", "1").lower() not in ("0", "false", "no")
    FETCH_ALLOW_HTTP = os.environ.get("FETCH_ALLOW_HTTP", "0").lower() in ("1", "true", "yes")
    FETCH_ALLOW_HOSTS = os.environ.get("FETCH_ALLOW_HOSTS", "")
    FETCH_TIMEOUT = float(os.environ.get("FETCH_TIMEOUT") or 5)
    FETCH_MAX_BYTES = int(os.environ.get("FETCH_MAX_BYTES") or 1024 * 1024)
    FETCH_PER_IMPORT = int(os.environ.get("FETCH_PER_IMPORT") or 200)  # addresses one import may fetch (each once)

    # Bulk jobs (season printing). Without a broker they run in-process (eager); with
    # CELERY_BROKER_URL (e.g. redis://host:6379/0) on any number of `celery -A
    # ledger.worker worker` processes.
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL")
    CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND")
    CELERY_QUEUE = os.environ.get("CELERY_QUEUE", "ledger")

    # Reminders (ledger/reminders): mail over SMTP. Without MAIL_SERVER the notices are
    # recorded and logged, not sent. The job runs daily on Celery beat at REMINDERS_HOUR (UTC).
    MAIL_SERVER = os.environ.get("MAIL_SERVER") or None
    MAIL_PORT = int(os.environ.get("MAIL_PORT") or 25)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME") or None
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD") or None
    MAIL_USE_TLS = os.environ.get("MAIL_USE_TLS", "0").lower() in ("1", "true", "yes")
    MAIL_FROM = os.environ.get("MAIL_FROM") or "ledger@localhost"
    MAIL_DEFAULT_SENDER = MAIL_FROM
    MAIL_BACKEND = "smtp"  # Flask-Mailman picks an in-memory backend when TESTING otherwise
    MAIL_TIMEOUT = int(os.environ.get("MAIL_TIMEOUT") or 30)
    REMINDERS_HOUR = int(os.environ.get("REMINDERS_HOUR") or 6)

    # Signed-in pages (ledger/web/auth.py). Cookies are Secure when the public URL is
    # https (or SESSION_COOKIE_SECURE=1); HttpOnly and SameSite=Lax always.
    SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
    SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get(
        "SESSION_COOKIE_SECURE", "1" if (PUBLIC_URL or "").startswith("https:") else "0") == "1"
    SESSION_COOKIE_NAME = "ledger_session"
    PERMANENT_SESSION_LIFETIME = SESSION_MAX_HOURS * 3600
    # Sign-in attempts per address and per e-mail; memory:// is per process, so point
    # RATELIMIT_STORAGE_URI at Redis (redis://host:6379/1) with several workers. Only failed
    # sign-ins count: per account from one address (guessing one password), per account
    # from anywhere (guessing from many places), per address (guessing many accounts),
    # so a school behind one address is not locked out by one teacher's typos.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour")
    LOGIN_ACCOUNT_LIMIT = os.environ.get("LOGIN_ACCOUNT_LIMIT", "20 per minute;100 per hour")
    LOGIN_ADDRESS_LIMIT = os.environ.get("LOGIN_ADDRESS_LIMIT", "100 per minute;1000 per hour")
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
