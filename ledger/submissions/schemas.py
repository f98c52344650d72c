"""Submissions' shapes: what is reported (In, as an entry but without external_id), what
the API answers (Out), the list query and the rejection."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from ..entries.schemas import ActivityEntryIn, EntryIn, MeasuredActivityEntryIn, MicrocredentialEntryIn
from ..fields import words
from ..models.submissions import STATUSES

NO_EXTERNAL_ID = ("external_id",)


class SubmissionIn(EntryIn):
    class Meta:
        exclude = NO_EXTERNAL_ID


class MicrocredentialSubmissionIn(MicrocredentialEntryIn):
    class Meta:
        exclude = NO_EXTERNAL_ID


class ActivitySubmissionIn(ActivityEntryIn):
    class Meta:
        exclude = NO_EXTERNAL_ID


class MeasuredActivitySubmissionIn(MeasuredActivityEntryIn):
    class Meta:
        exclude = NO_EXTERNAL_ID


SHAPES = [MicrocredentialSubmissionIn, ActivitySubmissionIn, MeasuredActivitySubmissionIn]
MULTIPART = {"type": "object", "properties": {
    "data": {"type": "string", "description": "the report as JSON (one of the JSON body's shapes); "
                                              "with a badge file it may be left out or hold only evidence_url"},
    "evidence": {"type": "string", "format": "binary",
                 "description": "a PDF, PNG or JPEG of at most 10 MB (10,485,760 bytes), its type read from "
                                "its content; a file that is also HTML or script is refused"},
    "badge": {"type": "string", "format": "binary",
              "description": "the badge itself: Open Badges 2.0 or 3.0 JSON, a VC-JWT (its signature checked when "
                             "its issuer's key is registered here), or a baked PNG or SVG"},
}}
SUBMISSION_IN_DOC = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"oneOf": SHAPES}},
    "multipart/form-data": {"schema": MULTIPART},
}}}


def _evidence(sub):
    if sub.evidence is None:
        return None
    e = sub.evidence
    return {"sha256": e.sha256, "size": e.size, "content_type": e.content_type, "name": sub.evidence_name,
            "url": f"/api/v1/submissions/{sub.id}/evidence"}


class BadgeOut(Schema):
    id = fields.String()
    name = fields.String()
    issuer_id = fields.String()
    issuer_name = fields.String()
    tags = fields.List(fields.String())
    file = fields.String(metadata={"description": "what was dropped: image/png, image/svg+xml, "
                                                 "application/json or application/vc+jwt"})
    signature = fields.String(metadata={"description": "how the badge was verified: `verified` (its proof checked "
                                                      "with a key the state office registered for its issuer), "
                                                      "`hosted` (fetched from its issuer) or `unverifiable`; "
                                                      "`not checked` for badges sent before checks existed"})
    signature_detail = fields.String(metadata={"description": "why: which key checked it, or what was missing"})


class SubmissionOut(Schema):
    id = fields.Integer()
    educator_id = fields.Integer()
    status = fields.String(metadata={"enum": list(STATUSES)})
    kind = fields.String()
    credential = fields.Function(lambda s: s.credential.code if s.credential else None, allow_none=True,
                                 metadata={"type": "string"})
    badge = fields.Nested(BadgeOut, allow_none=True)
    title = fields.Function(lambda s: s.title if s.kind == "activity" else
                            (s.credential.title if s.credential else (s.badge or {}).get("name")),
                            allow_none=True, metadata={"type": "string"})
    hours = fields.Function(lambda s: None if s.hours is None or s.measure else float(s.hours), allow_none=True,
                            metadata={"type": "number", "description": "clock hours"})
    amount = fields.Function(lambda s: None if s.hours is None else float(s.hours), allow_none=True,
                             metadata={"type": "number"})
    measure = fields.Function(lambda s: None if s.kind != "activity" else s.measure or "clock_hour",
                              allow_none=True, metadata={"type": "string"})
    tags = fields.List(fields.String())
    earned_on = fields.Date()
    external_id = fields.String(allow_none=True)
    evidence_url = fields.String(allow_none=True)
    evidence = fields.Function(_evidence, allow_none=True, metadata={"type": "object", "properties": {
        "sha256": {"type": "string"}, "size": {"type": "integer"}, "content_type": {"type": "string"},
        "name": {"type": "string", "nullable": True}, "url": {"type": "string"}}})
    submitted_by = fields.String()
    submitted_at = fields.DateTime()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "why it was rejected"})
    entry_id = fields.Integer(allow_none=True, metadata={"description": "the entry recorded on approval"})


class SubmissionQuery(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000),
                          metadata={"description": "from 1"})
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class BadgeDataIn(Schema):
    """`data` beside a badge file: the badge says what was earned and when."""

    error_messages = {"unknown": "not with a badge file (the badge says it)"}

    evidence_url = EntryIn._declared_fields["evidence_url"]


class RejectIn(Schema):
    reason = words(1000, required=True, metadata={"description": "the educator reads it: one line, not blank"})


class ApproveIn(Schema):
    pass


SUBMISSION_IN = SubmissionIn()
BADGE_DATA_IN = BadgeDataIn()
SUBMISSION_OUT = SubmissionOut()
SUBMISSIONS_OUT = SubmissionOut(many=True)
