"""Headers on every answer: no page can be framed or run a script from elsewhere (CSP
with no inline script), no content is sniffed into another type, no URL leaks to other
sites, and nothing holding personal data is kept in a shared cache or the back button's
store. The public, personal-data-free answers (the landing page, sign-in, verify, keys,
the OpenAPI document, static files) may be cached as usual. What a verifier on another
origin must read to check a CLR (the keys, the DID document, the issuer profiles, the
status lists) answers cross-origin requests: it is public and carries no credentials."""

from __future__ import annotations

from flask import request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
CROSS_ORIGIN = ("/api/v1/keys", "/.well-known/", "/did.json", "/api/v1/issuers/", "/api/v1/status/")
PUBLIC = ("/static/", "/api/v1/openapi.json", "/verify", "/api/v1/verify", "/login", *CROSS_ORIGIN)


def _headers(response):
    h = response.headers
    h.setdefault("Content-Security-Policy", CSP)
    h.setdefault("X-Frame-Options", "DENY")
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("Referrer-Policy", "same-origin")
    if request.path != "/" and not request.path.startswith(PUBLIC):
        h["Cache-Control"] = "no-store"
    if request.path.startswith(CROSS_ORIGIN):
        h["Access-Control-Allow-Origin"] = "*"
        h["Access-Control-Allow-Methods"] = "GET, OPTIONS"
        h["Access-Control-Allow-Headers"] = "Accept"
    return response


def init_app(app) -> None:
    app.after_request(_headers)
