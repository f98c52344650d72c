"""POST /imports: a CSV or Open Badges file as the body; the row report as the answer."""

from __future__ import annotations

from flask import g, request

from .. import clock
from ..credentials.service import verifier
from ..http.api import blueprint, error_response, errors
from ..http.errors import record_probe
from ..models import db
from .run import run_import
from .schemas import IMPORT_REPORT_OUT, ImportQuery
from .sources import body_rows

MEDIA_TYPES = {"csv": ("text/csv", "text/plain"),
               "openbadges": ("application/json", "application/ld+json", "application/vc+jwt", "application/jwt",
                              "image/png", "image/svg+xml")}
bp = blueprint("imports", "Imports from provider platforms (CSV, Open Badges)", json_body=False)


@bp.post("/imports")
@bp.arguments(ImportQuery, location="query")
@bp.doc(requestBody={"required": True, "content": {
    "text/csv": {"schema": {"type": "string", "minLength": 1}},
    # Any JSON is read as a file: an object is one row, an array's items are rows, and a row
    # that is not an Assertion or an OpenBadgeCredential (a number, `true`, a list) is a bad
    # row in the report (with partial=true the others are recorded and the answer is 200).
    "application/json": {"schema": {"description": "an Assertion or OpenBadgeCredential, or an array of them; "
                                                   "anything else is reported as a bad row"}},
    # Baked badges (format=openbadges): read, their proofs checked (README, "Checking what comes in"); a
    # VC-JWT is sent as application/vc+jwt or application/jwt (not listed: the fuzzer has no serializer for them).
    "image/png": {"schema": {"type": "string", "format": "binary", "description": "a baked badge"}},
    "image/svg+xml": {"schema": {"type": "string", "description": "a baked badge"}},
}})
@bp.response(200, IMPORT_REPORT_OUT)
@bp.doc(responses={"422": {
    "description": "bad rows (without partial) or an unreadable file: the report, nothing recorded; "
                   "or a bad query parameter: an error",
    "content": {"application/json": {"schema": {"oneOf": [
        {"$ref": "#/components/schemas/ImportReportOut"}, {"$ref": "#/components/schemas/ErrorOut"}]}}},
}})
@bp.alt_response(413, response="DEFAULT_ERROR")
@errors(400, 401, 403, 415)
def post_import(query):
    wanted = MEDIA_TYPES[query["format"]]
    if request.mimetype not in wanted:
        return error_response(415, f"a {query['format']} import is sent as {' or '.join(wanted)}",
                              {"Content-Type": [f"expected {wanted[0]}, got {request.mimetype or 'nothing'}"]})
    body = request.get_data(cache=False)  # bounded by MAX_CONTENT_LENGTH (413 beyond)
    today = clock.today()
    open_rows = body_rows(body, query["format"], today, verifier(db.session, today))
    report = run_import(db.session, g.principal, open_rows, fmt=query["format"],
                                       partial=query["partial"], dry_run=query["dry_run"])
    if report.probe:
        record_probe(report.probe)
    return report.as_dict(), report.status
