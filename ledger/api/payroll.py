"""District HR's calls: imports, employment, salary runs and the district's own data."""

from __future__ import annotations

import json
from datetime import date

from flask import Response, g, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from .. import district_data, employment
from .. import imports as import_service
from .. import salary_runs
from ..models import db
from . import authenticate, error_response, require_json
from .schemas import DATES

ID = "id"

imports = Blueprint("imports", __name__, description="Imports from provider platforms (CSV, Open Badges)")
districts = Blueprint("districts", __name__, description="Salary runs, employment and a district's own data")
imports.before_request(authenticate)
districts.before_request(authenticate)
districts.before_request(require_json)
blueprints = [imports, districts]


def today() -> date:
    return date.today()


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
    errors = fields.List(fields.Nested(ImportErrorOut))
    rows = fields.Integer()
    format = fields.String()
    partial = fields.Boolean()
    dry_run = fields.Boolean()
    recorded = fields.Boolean(metadata={"description": "whether anything was written"})
    credentials_added = fields.List(fields.String(), metadata={"description": "badges new to the catalog"})


@imports.post("/imports")
@imports.arguments(ImportQuery, location="query")
@imports.doc(requestBody={"required": True, "content": {
    "text/csv": {"schema": {"type": "string"}},
    "application/json": {"schema": {"type": "object"}},
}})
@imports.response(200, ImportReportOut)
@imports.doc(responses={"422": {
    "description": "bad rows (without partial) or an unreadable file: the report, nothing recorded; "
                   "or a bad query parameter: an error",
    "content": {"application/json": {"schema": {"oneOf": [
        {"$ref": "#/components/schemas/ImportReportOut"}, {"$ref": "#/components/schemas/ErrorOut"}]}}},
}})
@imports.alt_response(413, response="DEFAULT_ERROR")
def post_import(query):
    body = request.get_data(cache=False)  # bounded by MAX_CONTENT_LENGTH (413 beyond)
    open_rows = import_service.body_rows(body, query["format"], today())
    report = import_service.run_import(db.session, g.principal, open_rows, fmt=query["format"],
                                       partial=query["partial"], dry_run=query["dry_run"])
    return report.as_dict(), report.status


class SalaryRunIn(Schema):
    pay_date = fields.Date(required=True, validate=DATES)


class SalaryRowOut(Schema):
    educator_id = fields.Integer()
    license_number = fields.String()
    name = fields.String()
    credits_total = fields.Float()
    credits_new = fields.Float()
    lane = fields.String(allow_none=True)
    lane_changed = fields.Boolean()
    base_salary_pct = fields.Float()
    designations = fields.List(fields.String())


class SalaryRunOut(Schema):
    id = fields.Integer()
    district = fields.String()
    pay_date = fields.String()
    run_by = fields.String()
    run_at = fields.String()
    rulebook_version = fields.Integer()
    rows = fields.List(fields.Nested(SalaryRowOut))


@districts.post("/districts/<code>/salary-runs")
@districts.arguments(SalaryRunIn)
@districts.response(201, SalaryRunOut)
def post_salary_run(data, code):
    run = salary_runs.create_run(db.session, g.principal, code, data["pay_date"])
    return salary_runs.run_dict(run)


@districts.get(f"/salary-runs/<{ID}:run_id>")
@districts.response(200, SalaryRunOut)
def get_salary_run(run_id):
    return salary_runs.run_dict(salary_runs.get_run(db.session, g.principal, run_id))


@districts.get(f"/salary-runs/<{ID}:run_id>.csv")
@districts.doc(responses={"200": {"description": "the run for payroll, one row per educator",
                                  "content": {"text/csv": {"schema": {"type": "string"}}}}})
def get_salary_run_csv(run_id):
    run = salary_runs.get_run(db.session, g.principal, run_id)
    body = "".join(salary_runs.run_csv(run))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="salary-run-{run.district.code}-{run.pay_date}-{run.id}.csv"'})


class ExportQuery(Schema):
    as_of = fields.Date(validate=DATES, metadata={"description": "standing as of this day (default today)"})


@districts.get("/districts/<code>/export.json")
@districts.arguments(ExportQuery, location="query")
def get_district_json(query, code):
    data = district_data.export_json(db.session, g.principal, code, query.get("as_of") or today())
    return Response(json.dumps(data, default=str), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{code}-export.json"'})


@districts.get("/districts/<code>/export/<table>.csv")
@districts.arguments(ExportQuery, location="query")
@districts.doc(responses={"200": {"description": "educators, entries or standing",
                                  "content": {"text/csv": {"schema": {"type": "string"}}}}})
def get_district_csv(query, code, table):
    if table not in district_data.TABLES:
        return error_response(404, f"no export named {table[:40]!r} (educators, entries, standing)")
    lines = district_data.export_csv(db.session, g.principal, code, table, query.get("as_of") or today())
    return Response("".join(lines), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{code}-{table}.csv"'})


class MoveIn(Schema):
    district = fields.String(required=True, allow_none=True, validate=validate.Length(max=20),
                             metadata={"description": "the new district's code; null: no district"})
    started_on = fields.Date(required=True, validate=DATES)


class EmploymentOut(Schema):
    district = fields.Function(lambda e: e.district.code)
    started_on = fields.Date()
    ended_on = fields.Date(allow_none=True)
    recorded_by = fields.String()


@districts.get(f"/educators/<{ID}:educator_id>/employment")
@districts.response(200, EmploymentOut(many=True))
def get_employment(educator_id):
    return employment.history(db.session, g.principal, educator_id)


@districts.post(f"/educators/<{ID}:educator_id>/employment")
@districts.arguments(MoveIn)
@districts.response(200, EmploymentOut(many=True))
def post_employment(data, educator_id):
    employment.move(db.session, g.principal, educator_id, data["district"], data["started_on"])
    return employment.history(db.session, g.principal, educator_id)
