"""What starting a season takes: the day cycles end before, and maybe the day they end
on or after (the page's form; the service checks the rest)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, validates_schema

from ..fields import day

DATE = {"invalid": "a date as YYYY-MM-DD, such as 2027-07-01"}


class SeasonIn(Schema):
    expiring_before = day(required=True, error_messages={
        **DATE, "required": "give the day: the season prints every cycle ending before it"})
    expiring_after = day(load_default=None, error_messages=DATE)

    @validates_schema
    def _range(self, data, **_):
        after, before = data.get("expiring_after"), data.get("expiring_before")
        if after is not None and before is not None and after >= before:
            raise ValidationError(f"must be before {before.isoformat()} (expiring before)", "expiring_after")


SEASON_IN = SeasonIn()
