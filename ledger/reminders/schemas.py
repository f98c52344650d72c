"""Notices as the API answers them (CONTRACT.md section 8: GET /educators/{id}/notices)."""

from __future__ import annotations

from marshmallow import Schema, fields

from .rules import KINDS

OUTCOMES = ["pending", "sent", "logged", "no_address", "failed"]


class NoticeOut(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"enum": sorted(KINDS), "description": "what the notice is about"})
    optional = fields.Boolean(metadata={"description": "the educator may turn this kind off"})
    cycle = fields.String(metadata={"description": "what it is about: a license cycle (`ID@END`), a designation's "
                                                   "maintenance period (`CARD#N`) or a week"})
    threshold = fields.Integer(metadata={"description": "days before the deadline it was sent for (0: an event)"})
    as_of = fields.Date(metadata={"description": "the day of the run that found it due"})
    recorded_at = fields.DateTime()
    subject = fields.String()
    summary = fields.String(metadata={"description": "one sentence: what is left, by when"})
    to = fields.String(allow_none=True, metadata={"description": "the address it went to (null: none on record)"})
    outcome = fields.String(metadata={
        "enum": OUTCOMES,
        "description": "sent (the SMTP server took it); logged (no MAIL_SERVER: recorded, not sent); no_address; "
                       "failed (tried again on the next run); pending (recorded, not yet delivered)"})
    delivered_at = fields.DateTime(allow_none=True)
    attempts = fields.Integer()


NOTICES_OUT = NoticeOut(many=True)
