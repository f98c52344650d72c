"""An import's query and its report."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class ImportQuery(Schema):
    format = fields.String(load_default="csv", validate=validate.OneOf(["csv", "openbadges"]))
    partial = fields.Boolean(load_default=False, metadata={"description": "1: keep the good rows"})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "1: check only, record nothing"})


class ImportErrorOut(Schema):
    row = fields.Integer(metadata={"description": "from 1 for the first data row; 0: the file itself"})
    field = fields.String()
    message = fields.String()


class ImportReportOut(Schema):
    accepted = fields.Integer()
    duplicates = fields.Integer()
    rejected = fields.Integer()
    errors = fields.List(fields.Nested(ImportErrorOut), metadata={"description": "the first 10,000 errors"})
    error_count = fields.Integer(metadata={"description": "every error, listed or not"})
    rows = fields.Integer()
    format = fields.String()
    partial = fields.Boolean()
    dry_run = fields.Boolean()
    recorded = fields.Boolean(metadata={"description": "whether any entry was written (false for a dry run, "
                                                     "a refused file, or rows all already recorded)"})
    credentials_added = fields.List(fields.String(), metadata={"description": "badges new to the catalog"})


IMPORT_REPORT_OUT = ImportReportOut()
