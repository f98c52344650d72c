"""District HR's pages: the roster (filters, search, the MCs-per-month chart) and salary
runs with their CSV. HR sees its own district (another district's run is a 404); an
admin any district."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import case, func, select

from pathways import add_months

from .. import clock
from ..access.principals import ADMIN, DISTRICT_HR, STATE_OFFICE
from ..http.forms import attempt
from ..http.offices import current_district, district_choices, download
from ..http.signin import principal, role_required
from ..models import District, SalaryRun, SalaryRunRow, db
from ..rulebooks.engine_view import engine_rulebook
from ..rulebooks.service import newest_version
from ..standing.labels import long_date
from ..standing.projection import catch_up
from ..standing.summary import kept
from . import exports
from . import salary_runs as run_service
from .roster import employee_counts, employees, mcs_by_month, monthly_mcs, roster_lines, roster_rows
from .schemas import SALARY_RUN_IN

bp = Blueprint("district_pages", __name__, url_prefix="/district")

PER_PAGE = 100
RENEWAL_FILTERS = {"behind": "Behind pace", "due_soon": "Due within 6 months", "lapsed": "Lapsed",
                   "complete": "Complete", "on_pace": "On pace"}
STAGE_FILTERS = {"in_progress": "In progress", "held": "Held (in maintenance)", "permanent": "Permanent",
                 "holding": "Held or permanent", "lapsed": "Lapsed", "none": "None started"}


def _filters() -> tuple[str, str, str]:
    """The roster's filters from the query: renewal status, role-card stage, search words."""
    status = request.args.get("status", "")
    stage = request.args.get("stage", "")
    q = (request.args.get("q") or "").strip()[:100]
    return (status if status in RENEWAL_FILTERS else "", stage if stage in STAGE_FILTERS else "", q)


def _ends() -> tuple[tuple[date | None, date | None], dict[str, list[str]]]:
    """The cycle-end range from the query (both days included), and what was wrong in it."""
    days, errors = [], {}
    for field in ("ends_from", "ends_to"):
        text = (request.args.get(field) or "").strip()
        try:
            days.append(date.fromisoformat(text) if text else None)
        except ValueError:
            days.append(None)
            errors[field] = ["a date, YYYY-MM-DD"]
    if days[0] and days[1] and days[0] > days[1]:
        errors["ends_from"] = ["must not be after ends_to"]
    return (days[0], days[1]), errors


@bp.get("")
@role_required(DISTRICT_HR, ADMIN)
def roster():
    district = current_district()
    if district is None:
        return render_template("hr/roster.html", district=None, districts=district_choices())
    day = clock.today()
    status, stage, q = _filters()
    ends, errors = _ends()
    # the projection chooses and counts (caught up with the calendar first); the engine
    # judges only the page shown
    catch_up(db.session, day, district.state_id)
    # the counts and the chart read every employee's rows and entries: kept until a write in the state
    counts, chart = kept(db.session, district.state_id, ("hr", district.id, day), lambda: (
        employee_counts(db.session, district, day, ("", "behind", "due_soon", "lapsed", "complete", "holding")),
        monthly_mcs(mcs_by_month(db.session, district, day), day)))
    base = {"district": request.args["district"]} if request.args.get("district") else {}
    kpis = [
        (key, label, counts[key], tone, url_for("district_pages.roster", **base, **({"status": key} if key else {})),
         status == key and not stage and not q)
        for key, label, tone in (
            ("", "Employees", "plain"), ("behind", "Behind pace", "warn"), ("due_soon", "Due within 6 months", "bad"),
            ("lapsed", "Lapsed", "bad"), ("complete", "Complete", "good"))
    ]
    kpis.append(("holding", "Holding a role card", counts["holding"], "good",
                 url_for("district_pages.roster", **base, stage="holding"),
                 stage == "holding" and not status and not q))
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    if errors:
        matched = 0
    elif status or stage or q or ends != (None, None):
        chosen = employees(db.session, district, day, status, stage, q, ends)
        matched = len(chosen)
    else:  # everyone: the kept count, and only the page's ids read
        chosen, matched = None, counts[""]
    pages = max(1, -(-matched // PER_PAGE))
    page = min(page, pages)
    shown = [] if errors else chosen[(page - 1) * PER_PAGE:page * PER_PAGE] if chosen is not None else employees(
        db.session, district, day, page=((page - 1) * PER_PAGE, PER_PAGE))
    rows, unit = roster_rows(db.session, district, day, shown)
    args = {k: v for k, v in (("district", request.args.get("district")), ("status", status), ("stage", stage),
                              ("q", q), ("ends_from", ends[0] and ends[0].isoformat()),
                              ("ends_to", ends[1] and ends[1].isoformat())) if v}
    return render_template(
        "hr/roster.html", district=district, districts=district_choices(), rows=rows,
        total=counts[""], matched=matched, page=page, pages=pages, first=(page - 1) * PER_PAGE + 1, args=args,
        kpis=kpis, chart=chart, chart_total=sum(c[1] for c in chart), unit=unit, today=day, long_date=long_date,
        due_by=add_months(day, 6),
        status=status, stage=stage, q=q, renewal_filters=RENEWAL_FILTERS, stage_filters=STAGE_FILTERS,
        ends=ends, errors=errors, given_ends={f: request.args.get(f, "") for f in ("ends_from", "ends_to")},
    ), 400 if errors else 200


def _runs(district: District) -> list[dict]:
    counts = {run_id: (n, changes or 0, new or 0) for run_id, n, changes, new in db.session.execute(
        select(SalaryRunRow.run_id, func.count(), func.sum(case((SalaryRunRow.lane_changed, 1), else_=0)),
               func.sum(SalaryRunRow.credits_new))
        .join(SalaryRun, SalaryRunRow.run_id == SalaryRun.id)
        .where(SalaryRun.district_id == district.id).group_by(SalaryRunRow.run_id)
    )}
    runs = db.session.scalars(
        select(SalaryRun).where(SalaryRun.district_id == district.id)
        .order_by(SalaryRun.pay_date.desc(), SalaryRun.id.desc())
    ).all()
    return [{"run": r, "employees": counts.get(r.id, (0, 0, 0))[0], "lane_changes": counts.get(r.id, (0, 0, 0))[1],
             "credits_new": float(counts.get(r.id, (0, 0, 0))[2])} for r in runs]


@bp.route("/salary-runs", methods=["GET", "POST"])
@role_required(DISTRICT_HR, ADMIN)
def salary_runs():
    district = current_district()
    errors: dict[str, list[str]] | None = {}
    pay_date = (request.form.get("pay_date") or "").strip()
    same_date: list = []
    if request.method == "POST" and district is not None:
        # a second run for a pay date already run is made only when the clerk confirms that date
        confirmed = bool(pay_date) and (request.form.get("confirm") or "").strip() == pay_date
        run, errors = attempt(lambda: run_service.create_run(
            db.session, principal(), district.code, SALARY_RUN_IN.load({"pay_date": pay_date})["pay_date"],
            same_pay_date_ok=confirmed))
        if not errors:
            flash(f"Salary run made for pay date {run.pay_date.isoformat()}: {len(run.rows)} employees.", "good")
            return redirect(url_for("district_pages.salary_run", run_id=run.id))
        if "confirm" in errors:
            same_date = [r for r in _runs(district) if r["run"].pay_date.isoformat() == pay_date]
    runs = _runs(district) if district is not None else []
    latest = runs[0]["run"].pay_date if runs else None
    status = 409 if same_date else 422 if errors else 200
    return render_template("hr/salary_runs.html", district=district, districts=district_choices(), runs=runs,
                           errors=errors, pay_date=pay_date, latest=latest, same_date=same_date,
                           today=clock.today()), status


@bp.get("/salary-runs/<id:run_id>")
@role_required(DISTRICT_HR, ADMIN)
def salary_run(run_id):
    run = run_service.get_run(db.session, principal(), run_id)  # another district's run: 404
    data = run_service.run_dict(run)
    rows = data["rows"]
    summary = {"employees": len(rows), "lane_changes": sum(r["lane_changed"] for r in rows),
               "credits_new": sum(r["credits_new"] for r in rows),
               "raises": sum(1 for r in rows if r["base_salary_pct"])}
    return render_template("hr/salary_run.html", run=run, data=data, rows=rows, summary=summary,
                           admin=principal().role == ADMIN)


@bp.get("/salary-runs/<id:run_id>.csv")
@role_required(DISTRICT_HR, ADMIN)
def salary_run_csv(run_id):
    run = run_service.get_run(db.session, principal(), run_id)
    body = "".join(run_service.run_csv(run))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="salary-run-{run.district.code}-{run.pay_date}-{run.id}.csv"',
        "Cache-Control": "no-store"})


# -- downloads: the roster as shown, and the district's own data ----------------------

@bp.get("/roster.csv")
@role_required(DISTRICT_HR, ADMIN)
def roster_csv():
    """The roster with the filters the page had (status, stage, search), every matching
    employee (not one page of them), one line per license."""
    district = current_district()
    if district is None:
        abort(404)
    day = clock.today()
    status, stage, q = _filters()
    ends, errors = _ends()
    if errors:
        abort(400, description="; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
    catch_up(db.session, day, district.state_id)
    chosen = employees(db.session, district, day, status, stage, q, ends)
    unit = engine_rulebook(newest_version(db.session, district.state.code)).unit

    def rows():  # a few hundred judged at a time: memory stays flat however large the district
        for start in range(0, len(chosen), 500):
            yield from roster_rows(db.session, district, day, chosen[start:start + 500]).rows
    suffix = "".join(f"-{v}" for v in (status, stage) if v) + ("-search" if q else "")
    return download(roster_lines(rows(), unit), f"{district.code}-roster-{day}{suffix}.csv", "text/csv")


@bp.get("/export.json")
@role_required(DISTRICT_HR, STATE_OFFICE, ADMIN)
def export_json():
    """What `flask ledger export` writes as {CODE}-export.json, streamed."""
    district = current_district()
    if district is None:
        abort(404)
    lines = exports.export_json_text(db.session, principal(), district.code, clock.today())
    return download(lines, f"{district.code}-export.json", "application/json")


@bp.get("/export/<table>.csv")
@role_required(DISTRICT_HR, STATE_OFFICE, ADMIN)
def export_csv(table):
    """What `flask ledger export` writes as {CODE}-{table}.csv, streamed."""
    if table not in exports.TABLES:
        abort(404)
    district = current_district()
    if district is None:
        abort(404)
    lines = exports.export_csv(db.session, principal(), district.code, table, clock.today())
    return download(lines, f"{district.code}-{table}.csv", "text/csv")
