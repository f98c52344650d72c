"""A district's salary runs (make one, read it, its CSV for payroll) and its own data."""

from __future__ import annotations

import json

from flask import Response, g

from .. import clock
from ..http.api import ID, blueprint, error_response, errors
from ..models import db
from . import exports, salary_runs
from .schemas import SALARY_RUN_OUT, ExportQuery, SalaryRunIn

bp = blueprint("districts", "Salary runs and a district's own data")


@bp.post("/districts/<code>/salary-runs")
@bp.arguments(SalaryRunIn)
@bp.response(201, SALARY_RUN_OUT)
@errors(400, 401, 403, 404, 409, 422)
def post_salary_run(data, code):
    run = salary_runs.create_run(db.session, g.principal, code, data["pay_date"])
    return salary_runs.run_dict(run)


@bp.get(f"/salary-runs/<{ID}:run_id>")
@bp.response(200, SALARY_RUN_OUT)
@errors(401, 404)
def get_salary_run(run_id):
    return salary_runs.run_dict(salary_runs.get_run(db.session, g.principal, run_id))


@bp.get(f"/salary-runs/<{ID}:run_id>.csv")
@bp.doc(responses={"200": {"description": "the run for payroll, one row per educator",
                                  "content": {"text/csv": {"schema": {"type": "string"}}}}})
@errors(401, 404)
def get_salary_run_csv(run_id):
    run = salary_runs.get_run(db.session, g.principal, run_id)
    body = "".join(salary_runs.run_csv(run))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="salary-run-{run.district.code}-{run.pay_date}-{run.id}.csv"'})


@bp.get("/districts/<code>/export.json")
@bp.arguments(ExportQuery, location="query")
@bp.doc(responses={"200": {"description": "the district's educators, entries and standing",
                           "content": {"application/json": {"schema": {"type": "object"}}}}})
@errors(401, 403, 404, 422)
def get_district_json(query, code):
    data = exports.export_json(db.session, g.principal, code, query.get("as_of") or clock.today())
    return Response(json.dumps(data, default=str), mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="{code}-export.json"'})


@bp.get("/districts/<code>/export/<table>.csv")
@bp.arguments(ExportQuery, location="query")
@bp.doc(responses={"200": {"description": "educators, entries or standing",
                                  "content": {"text/csv": {"schema": {"type": "string"}}}}})
@errors(401, 403, 404, 422)
def get_district_csv(query, code, table):
    if table not in exports.TABLES:
        return error_response(404, f"no export named {table[:40]!r} (educators, entries, standing)")
    lines = exports.export_csv(db.session, g.principal, code, table, query.get("as_of") or clock.today())
    return Response("".join(lines), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{code}-{table}.csv"'})
