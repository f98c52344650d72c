"""A list's filters as a query string gives them (the state office's educators, HR's
roster, their CSV): read into `lists.Filters`, each bad value named by its field."""

from __future__ import annotations

import re
from datetime import date

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..errors import Invalid, flatten
from .lists import SORTS, STAGES, STATUSES, Filters

STATUS_LABELS = {"complete": "Complete", "on_pace": "On pace", "behind_pace": "Behind pace",
                 "in_grace": "In grace", "lapsed": "Lapsed"}
STATUS_TONES = {"complete": "good", "on_pace": "info", "behind_pace": "warn", "in_grace": "warn", "lapsed": "bad"}
SORT_LABELS = {"name": "Name", "cycle_end": "Cycle ends", "status": "Status", "progress": "Progress",
               "district": "District"}


class ListQuery(Schema):
    status = fields.List(fields.String(validate=validate.OneOf(STATUSES, error="one of " + ", ".join(STATUSES))))
    ends_from = fields.Date(metadata={"description": "cycle ending on or after (YYYY-MM-DD)"})
    ends_to = fields.Date(metadata={"description": "cycle ending on or before (YYYY-MM-DD)"})
    district = fields.String(validate=validate.Length(max=20))
    pathway = fields.String(validate=validate.Length(max=80))
    stage = fields.String(validate=validate.OneOf(STAGES, error="one of " + ", ".join(STAGES)))
    designation = fields.String(validate=validate.Length(max=80))
    q = fields.String(validate=validate.Length(max=100))
    sort = fields.String(validate=validate.OneOf(sorted(SORTS), error="one of " + ", ".join(sorted(SORTS))))
    dir = fields.String(validate=validate.OneOf(("asc", "desc"), error="asc or desc"))

    @validates_schema
    def _range(self, data, **_):
        if data.get("ends_from") and data.get("ends_to") and data["ends_from"] > data["ends_to"]:
            raise ValidationError("must not be after ends_to", "ends_from")
        if data.get("stage") and not data.get("pathway"):
            raise ValidationError("a stage needs a pathway (the card whose stage it is)", "stage")


LIST_QUERY = ListQuery()
KEYS = ("status", "ends_from", "ends_to", "district", "pathway", "stage", "designation", "q", "sort", "dir")


def read(args) -> tuple[Filters, dict]:
    """(the filters, the arguments to carry on links: what was given, blanks dropped) from
    a request's query arguments; a bad one is an `Invalid` naming its field."""
    raw = {"status": [s for s in args.getlist("status") if s]} if args.getlist("status") else {}
    raw.update({k: args.get(k).strip() for k in KEYS[1:] if (args.get(k) or "").strip()})
    if not raw.get("status"):
        raw.pop("status", None)
    try:
        data = LIST_QUERY.load(raw)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for path, messages in flatten(exc.messages).items():  # status[1] is the status field's
            errors.setdefault(re.split(r"[.\[]", path)[0], []).extend(messages)
        raise Invalid("the list's filters were not understood", errors) from None
    f = Filters(statuses=tuple(dict.fromkeys(data.get("status", ()))), ends_from=data.get("ends_from"),
                ends_to=data.get("ends_to"), district=data.get("district"), pathway=data.get("pathway"),
                stage=data.get("stage"), designation=data.get("designation"), q=data.get("q"),
                sort=data.get("sort", "name"), descending=data.get("dir") == "desc")
    return f, raw


def only_statuses(f: Filters) -> bool:
    """Whether `f` filters by status alone (its count is the overview's)."""
    return bool(f.statuses) and f == Filters(statuses=f.statuses, sort=f.sort, descending=f.descending)


def csv_row(row, unit: str) -> list:
    return [row.educator_id, row.license_number, row.last_name, row.first_name, row.district_code,
            row.license_type, row.cycle_number, row.cycle_start, row.cycle_end, row.grace_ends,
            row.earned_units, row.required_units, unit if row.status else None, row.status]


CSV_HEADER = ["educator_id", "license_number", "last_name", "first_name", "district", "license_type", "cycle_number",
              "cycle_start", "cycle_end", "grace_ends", "earned_units", "required_units", "unit", "status"]


def day_text(d: date | None) -> str:
    return d.isoformat() if d else ""
