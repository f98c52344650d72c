"""POST /educators/{id}/submissions (JSON, or multipart with `data` and a file `evidence`
or `badge`), GET /submissions, GET /submissions/{id} and its evidence, approve, reject;
GET /entries/{id}/evidence (the file an entry was approved on)."""

from __future__ import annotations

import io
import json

from flask import current_app, g, request, send_file
from marshmallow import ValidationError

from .. import clock
from ..entries.schemas import ENTRY_OUT
from ..errors import Invalid, flatten
from ..http.api import ID, blueprint, error_response, errors, require_json
from ..models import db
from ..text import shown, unstorable_text
from . import service
from .schemas import (
    BADGE_DATA_IN,
    SUBMISSION_IN,
    SUBMISSION_IN_DOC,
    SUBMISSION_OUT,
    SUBMISSIONS_OUT,
    ApproveIn,
    RejectIn,
    SubmissionQuery,
)
from .storage import store_for

bp = blueprint("submissions", "Submissions: an educator reports, HR or the state office decides", json_body=False)
FILES = ("evidence", "badge")
FILE_TYPES = ("application/pdf", "image/png", "image/jpeg")
FILE_ANSWER = {"description": "the file, with its own content type, Content-Disposition and nosniff",
               "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in FILE_TYPES}}
# The file itself may run nothing and be framed only by the ledger's own pages.
FILE_CSP = "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; frame-ancestors 'self'"
EXTENSION = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}


def evidence_store():
    """The app's evidence store (made on first use from its settings)."""
    ext = current_app.extensions
    if "evidence_store" not in ext:
        ext["evidence_store"] = store_for(current_app.config, current_app.instance_path)
    return ext["evidence_store"]


def evidence_response(row, data: bytes, name: str | None, download: bool = False):
    """The bytes under their own type, never sniffed, never run: inline for the viewer
    on the queue page (or as an attachment), with a CSP that allows no script."""
    name = name or f"evidence-{row.sha256[:12]}.{EXTENSION.get(row.content_type, 'bin')}"
    response = send_file(io.BytesIO(data), mimetype=row.content_type, as_attachment=download,
                         download_name=name, etag=row.sha256, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP + ("" if row.content_type == "application/pdf"
                                                              else "; sandbox")
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.before_request
def _json_unless_a_file():
    if request.endpoint == "submissions.post_submission" and request.mimetype == "multipart/form-data":
        return None
    return require_json()


def _load(raw, schema=SUBMISSION_IN) -> dict:
    if not isinstance(raw, dict):
        raise Invalid("data: a JSON object", {"data": ["not a JSON object"]})
    try:
        return schema.load(raw)
    except ValidationError as exc:
        errors = flatten(exc.messages)
        first = next(iter(errors.items()))
        raise Invalid(f"{first[0]}: {first[1][0]}", errors) from None


def _part_name(name) -> str:
    """A part's name as a report may show it: a missing one said so, control characters
    escaped, at most 60 characters."""
    return shown(str(name)) if name else "(a part with no name)"


def _multipart():
    unknown = [k for k in request.files if k not in FILES] + [k for k in request.form if k != "data"]
    if unknown:
        name = _part_name(sorted(unknown, key=str)[0])
        raise Invalid(f"{name}: not a part this call takes (data, evidence, badge)",
                      {name: ["not a part this call takes (data, evidence, badge)"]})
    files = {}
    for part in FILES:
        f = request.files.get(part)
        if f is not None:
            files[part] = (f.read(), f.filename or None)
            f.close()  # a large part is spooled to a temporary file
    raw = request.form.get("data")
    if raw is None or not raw.strip():
        return None, files
    problems = dict(unstorable_text(raw, "data"))
    if problems:
        raise Invalid(f"data: {next(iter(problems.values()))[0]}", problems)
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        raise Invalid("data: not valid JSON", {"data": ["not valid JSON"]}) from None
    return _load(parsed, BADGE_DATA_IN if "badge" in files else SUBMISSION_IN), files


@bp.post(f"/educators/<{ID}:educator_id>/submissions")
@bp.doc(**SUBMISSION_IN_DOC)
@bp.response(201, SUBMISSION_OUT)
@bp.alt_response(413, response="DEFAULT_ERROR")
@errors(400, 401, 403, 404, 415, 422)
def post_submission(educator_id):
    if request.mimetype == "multipart/form-data":
        data, files = _multipart()
    elif request.mimetype == "application/json":
        data, files = _load(request.get_json()), {}
    else:
        return error_response(415, "send JSON, or multipart/form-data with data and a file",
                              {"Content-Type": [f"got {request.mimetype or 'nothing'}"]})
    return service.submit(db.session, g.principal, educator_id, data, clock.today(), evidence_store(),
                          evidence_file=files.get("evidence"), badge_file=files.get("badge"))


@bp.get("/submissions")
@bp.arguments(SubmissionQuery, location="query")
@bp.response(200, SUBMISSIONS_OUT, headers={
    "X-Total-Count": {"description": "how many submissions match", "schema": {"type": "integer"}}})
@errors(401, 422)
def list_submissions(query):
    rows, total = service.list_submissions(db.session, g.principal, query.get("status"), query["page"],
                                           query["page_size"])
    return rows, 200, {"X-Total-Count": str(total)}


@bp.get(f"/submissions/<{ID}:submission_id>")
@bp.response(200, SUBMISSION_OUT)
@errors(401, 404)
def get_submission(submission_id):
    return service.get_submission(db.session, g.principal, submission_id)


@bp.get(f"/submissions/<{ID}:submission_id>/evidence")
@bp.doc(responses={"200": FILE_ANSWER})
@errors(401, 404, 409)
def get_evidence(submission_id):
    sub = service.get_submission(db.session, g.principal, submission_id)
    row, data = service.evidence_bytes(db.session, g.principal, evidence_store(), submission_id)
    return evidence_response(row, data, sub.evidence_name)


@bp.get(f"/entries/<{ID}:entry_id>/evidence")
@bp.doc(responses={"200": FILE_ANSWER})
@errors(401, 404, 409)
def get_entry_evidence(entry_id):
    row, data = service.entry_evidence(db.session, g.principal, evidence_store(), entry_id)
    return evidence_response(row, data, None)


@bp.post(f"/submissions/<{ID}:submission_id>/approve")
@bp.arguments(ApproveIn)
@bp.response(201, ENTRY_OUT)
@bp.alt_response(200, schema=ENTRY_OUT, description="the same activity or external_id was already recorded: "
                                                    "that entry")
@errors(400, 401, 403, 404, 409, 422)
def approve(_data, submission_id):
    entry, created = service.approve(db.session, g.principal, submission_id, clock.today())
    return entry, (201 if created else 200)


@bp.post(f"/submissions/<{ID}:submission_id>/reject")
@bp.arguments(RejectIn)
@bp.response(200, SUBMISSION_OUT)
@errors(400, 401, 403, 404, 409, 422)
def reject(data, submission_id):
    return service.reject(db.session, g.principal, submission_id, data["reason"].strip())
