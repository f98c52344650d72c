"""What an audit request holds: the period, a share or a count, maybe a seed (the pages,
the CLI and the service read the same shape)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..fields import STATE_CODE, day
from .sampling import MAX_SEED

PERCENT = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*%\s*$")


class Share(fields.Field):
    """A fraction of the candidates: "0.05" or "5%" (more than 0, at most 1 = 100%)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = str(value).strip()
        match = PERCENT.match(text)
        try:
            share = Decimal(match.group(1)) / 100 if match else Decimal(text)
        except (InvalidOperation, ValueError):
            raise ValidationError("a fraction such as 0.05, or a percentage such as 5%") from None
        if not share.is_finite() or share <= 0 or share > 1:
            raise ValidationError("more than 0 and at most 1 (100%)")
        if share != share.quantize(Decimal("0.000001")):
            raise ValidationError("at most 4 decimals of a percent (0.000001)")
        return share.quantize(Decimal("0.000001")).normalize()


class AuditIn(Schema):
    state = fields.String(validate=STATE_CODE)
    period_from = day(required=True, data_key="from")
    period_to = day(required=True, data_key="to")
    share = Share()
    count = fields.Integer(validate=validate.Range(min=1, max=100_000, error="a whole number from 1 to 100,000"))
    seed = fields.Integer(validate=validate.Range(min=0, max=MAX_SEED,
                                                  error=f"a whole number from 0 to {MAX_SEED}"))

    @validates_schema
    def _one_size(self, data, **_):
        if "period_from" in data and "period_to" in data and data["period_to"] < data["period_from"]:
            raise ValidationError("is before from", "to")
        if ("share" in data) == ("count" in data):
            raise ValidationError("give a share (such as 5% or 0.05) or a count of cycles, not both"
                                  if "share" in data else "give a share (such as 5% or 0.05) or a count of cycles",
                                  "share")


AUDIT_IN = AuditIn()
