"""District HR's pages: the roster, imports, salary runs.

Every page calls the services the API calls, with the signed-in user's principal, so the
scope is the API's: HR sees its own district (another district's run is a 404), an admin
any district (`?district=CODE`, default the first by code). The roster reads every
current employee's standing in bulk, the way a salary run does: one query for the
employees, one for their licenses, one for their entries, then the engine in memory."""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from marshmallow import ValidationError
from sqlalchemy import case, func, select

from pathways import PathwayEvaluator

from .. import engine
from .. import imports as import_service
from .. import salary_runs as run_service
from ..api.payroll import SalaryRunIn
from ..errors import LedgerError, flatten
from ..models import District, Educator, License, SalaryRun, SalaryRunRow, db
from ..rulebooks import engine_rulebook, newest_version
from ..scopes import ADMIN, DISTRICT_HR
from ..standing import facts_by_educator, renewal_dict
from .auth import principal, role_required
from .views import add_months, current_cycles, long_date, renewal_view

bp = Blueprint("hr", __name__, url_prefix="/district")

PER_PAGE = 100
RENEWAL_FILTERS = {"behind": "Behind pace", "due_soon": "Due within 6 months", "lapsed": "Lapsed",
                   "complete": "Complete", "on_pace": "On pace"}
STAGE_FILTERS = {"in_progress": "In progress", "held": "Held (in maintenance)", "permanent": "Permanent",
                 "holding": "Held or permanent", "lapsed": "Lapsed", "none": "None started"}
STAGE_OF = {"in_progress": "in_progress", "active": "held", "permanent": "permanent", "lapsed": "lapsed"}
STAGE_TONE = {"in_progress": "info", "held": "good", "permanent": "good", "lapsed": "bad"}
# The CSV columns an import takes (CONTRACT.md section 4, "Imports").
CSV_COLUMNS = [
    ("license_number", "always", "the educator's license number"),
    ("state", "always", "the license's state, two letters (UT)"),
    ("earned_on", "always", "YYYY-MM-DD, a timestamp or M/D/YYYY; not after tomorrow"),
    ("credential", "micro-credential", "the catalog code (DP-FA-01)"),
    ("title", "activity", "what the activity was"),
    ("hours", "activity", "clock hours"),
    ("kind", "optional", "microcredential or activity"),
    ("tags", "optional", "separated by ; (activities)"),
    ("external_id", "optional", "the platform's id: sending it again records nothing new"),
    ("evidence_url", "optional", "a link to the evidence"),
]


def today() -> date:
    return date.today()


# -- which district ---------------------------------------------------------------------

def _district_for_page(code: str | None = None) -> District | None:
    """HR: its own district. Admin: `code` (404 when unknown), else the first by code."""
    p = principal()
    if p.role == DISTRICT_HR:
        return db.session.get(District, p.district_id)
    code = (code if code is not None else request.values.get("district") or "").strip()
    if code:
        return run_service.district_in_scope(db.session, p, code, "read")  # NotFound -> 404
    return db.session.scalar(select(District).order_by(District.code).limit(1))


def _district_choices() -> list[tuple[str, str]]:
    if principal().role != ADMIN:
        return []
    return db.session.execute(select(District.code, District.name).order_by(District.code)).all()


# -- the roster -------------------------------------------------------------------------

def _renewal_pill(r: dict) -> tuple[str, str, str]:
    """(filter key, label, tone) for one license's renewal."""
    if r["status"] == "complete":
        return "complete", "Complete", "good"
    if r["status"] == "lapsed":
        return "lapsed", "Lapsed", "bad"
    if r["behind"]:
        return "behind", "Behind pace", "warn"
    return "on_pace", "On pace", "good"


def roster_rows(session, district: District, day: date) -> tuple[list[dict], str, list]:
    """Every current employee's renewal (the current cycle of each license type in the
    district's state), role cards and salary lane, as of `day`; with the unit and the
    employees' engine facts (for the chart)."""
    version = newest_version(session, district.state.code)
    rulebook = engine_rulebook(version)
    employees = session.execute(
        select(Educator.id, Educator.license_number, Educator.first_name, Educator.last_name)
        .where(Educator.district_id == district.id)
        .order_by(Educator.last_name, Educator.first_name, Educator.id)
    ).all()
    licenses: dict[int, list[engine.License]] = {}
    for educator_id, id_, type_, start, end in session.execute(
        select(License.educator_id, License.id, License.type, License.cycle_start, License.cycle_end)
        .join(Educator, License.educator_id == Educator.id)
        .where(Educator.district_id == district.id, License.state_id == district.state_id)
    ):
        licenses.setdefault(educator_id, []).append(engine.License(id_, type_, start, end))
    facts = facts_by_educator(session, [e[0] for e in employees], day)
    valuer = engine.Valuer(rulebook)
    rules = rulebook.district(district.code)
    evaluator = PathwayEvaluator(rulebook.pathways + (rules.pathways if rules is not None else ()))
    rows = []
    for educator_id, license_number, first, last in employees:
        s = engine.standing(facts.get(educator_id, []), licenses.get(educator_id, []), rulebook, day, valuer,
                            district=district.code, evaluator=evaluator)
        renewals = []
        for progress in current_cycles(s.renewal, day, key=lambda p: (
                p.license.type, p.license.cycle_start, p.license.cycle_end)):
            view = renewal_view(renewal_dict(progress, rulebook), rulebook.unit, day)
            key, label, tone = _renewal_pill(view)
            renewals.append({**view, "key": key, "pill": label, "pill_tone": tone})
        cards = []
        for result in s.pathways:
            stage = STAGE_OF[result.status]
            if stage == "in_progress" and not result.window:
                continue  # not started: every teacher would list every card
            label = {"in_progress": f"In progress {len(result.window)} of {result.required_count}",
                     "held": "Held", "permanent": "Permanent", "lapsed": "Lapsed"}[stage]
            cards.append({"code": result.card.code, "name": result.card.designation or result.card.name,
                          "stage": stage, "label": label, "tone": STAGE_TONE[stage]})
        keys = {r["key"] for r in renewals} | {"due_soon" for r in renewals if r["due_soon"]}
        rows.append({
            "id": educator_id, "name": f"{first} {last}", "sort_name": f"{last}, {first}",
            "license_number": license_number, "renewals": renewals, "cards": cards,
            "lane": s.salary.lane if s.salary is not None else None,
            "keys": keys, "stages": _stages(cards),
        })
    return rows, rulebook.unit, facts


def _stages(cards: list[dict]) -> set[str]:
    stages = {c["stage"] for c in cards} or {"none"}
    if stages & {"held", "permanent"}:
        stages.add("holding")
    return stages


def monthly_mcs(facts: dict[int, list], day: date, months: int = 24) -> list[tuple[str, int, None]]:
    """Micro-credentials earned by the employees in each of the last `months` months
    (this month included), from the facts the roster already read."""
    first = add_months(day.replace(day=1), -(months - 1))
    counts = Counter((e.earned_on.year, e.earned_on.month) for entries in facts.values() for e in entries
                     if e.credential is not None and first <= e.earned_on <= day)
    out = []
    for i in range(months):
        m = add_months(first, i)
        out.append((m.strftime("%b %Y"), counts.get((m.year, m.month), 0), None))
    return out


def _matches(row: dict, q: str) -> bool:
    q = q.casefold()
    return any(q in text.casefold() for text in (row["name"], row["sort_name"], row["license_number"]))


@bp.get("")
@role_required(DISTRICT_HR, ADMIN)
def roster():
    district = _district_for_page()
    if district is None:
        return render_template("hr/roster.html", district=None, districts=_district_choices())
    day = today()
    rows, unit, facts = roster_rows(db.session, district, day)
    status = request.args.get("status", "")
    stage = request.args.get("stage", "")
    q = (request.args.get("q") or "").strip()[:100]
    status = status if status in RENEWAL_FILTERS else ""
    stage = stage if stage in STAGE_FILTERS else ""
    shown = [r for r in rows if (not status or status in r["keys"]) and (not stage or stage in r["stages"])
             and (not q or _matches(r, q))]
    base = {"district": request.args["district"]} if request.args.get("district") else {}
    kpis = [
        (key, label, value, tone, url_for("hr.roster", **base, **({"status": key} if key else {})),
         status == key and not stage and not q)
        for key, label, value, tone in (
            ("", "Employees", len(rows), "plain"),
            ("behind", "Behind pace", sum("behind" in r["keys"] for r in rows), "warn"),
            ("due_soon", "Due within 6 months", sum("due_soon" in r["keys"] for r in rows), "bad"),
            ("lapsed", "Lapsed", sum("lapsed" in r["keys"] for r in rows), "bad"),
            ("complete", "Complete", sum("complete" in r["keys"] for r in rows), "good"),
        )
    ]
    held = sum("holding" in r["stages"] for r in rows)
    kpis.append(("holding", "Holding a role card", held, "good", url_for("hr.roster", **base, stage="holding"),
                 stage == "holding" and not status and not q))
    chart = monthly_mcs(facts, day)
    try:
        page = max(1, int(request.args.get("page", 1)))
    except ValueError:
        page = 1
    pages = max(1, -(-len(shown) // PER_PAGE))
    page = min(page, pages)
    args = {k: v for k, v in (("district", request.args.get("district")), ("status", status), ("stage", stage),
                              ("q", q)) if v}
    return render_template(
        "hr/roster.html", district=district, districts=_district_choices(), rows=shown[(page - 1) * PER_PAGE:page * PER_PAGE],
        total=len(rows), matched=len(shown), page=page, pages=pages, first=(page - 1) * PER_PAGE + 1, args=args,
        kpis=kpis, chart=chart, chart_total=sum(c[1] for c in chart), unit=unit, today=day, long_date=long_date,
        due_by=add_months(day, 6),
        status=status, stage=stage, q=q, renewal_filters=RENEWAL_FILTERS, stage_filters=STAGE_FILTERS,
    )


# -- imports ----------------------------------------------------------------------------

def run_upload(data: bytes, fmt: str, partial: bool, dry_run: bool) -> import_service.Report:
    """The API's import (POST /api/v1/imports), from an uploaded file."""
    open_rows = import_service.body_rows(data, fmt, today())
    return import_service.run_import(db.session, principal(), open_rows, fmt=fmt, partial=partial, dry_run=dry_run)


@bp.route("/imports", methods=["GET", "POST"])
@role_required(DISTRICT_HR, ADMIN)
def imports():
    form = {"format": "csv", "partial": False, "dry_run": False}
    errors: dict[str, list[str]] = {}
    report = filename = None
    if request.method == "POST":
        form = {"format": request.form.get("format") or "csv", "partial": bool(request.form.get("partial")),
                "dry_run": bool(request.form.get("dry_run"))}
        upload = request.files.get("file")
        if form["format"] not in ("csv", "openbadges"):
            errors["format"] = ["Choose CSV or Open Badges."]
        if upload is None or not upload.filename:
            errors["file"] = ["Choose a file to upload."]
        if not errors:
            filename = upload.filename
            report = run_upload(upload.read(), form["format"], form["partial"], form["dry_run"])
    status = report.status if report is not None else (422 if errors else 200)
    return render_template("hr/imports.html", form=form, errors=errors, report=report, filename=filename,
                           columns=CSV_COLUMNS, district=_district_for_page() if principal().role == DISTRICT_HR
                           else None), status


# -- salary runs ------------------------------------------------------------------------

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
    district = _district_for_page()
    errors: dict[str, list[str]] = {}
    pay_date = (request.form.get("pay_date") or "").strip()
    if request.method == "POST" and district is not None:
        try:
            data = SalaryRunIn().load({"pay_date": pay_date})
            run = run_service.create_run(db.session, principal(), district.code, data["pay_date"])
        except ValidationError as exc:
            db.session.rollback()
            errors = flatten(exc.messages)
        except LedgerError as exc:
            db.session.rollback()
            if exc.status in (403, 404):
                raise
            errors = exc.errors or {"_form": [exc.message]}
        else:
            flash(f"Salary run made for pay date {run.pay_date.isoformat()}: {len(run.rows)} employees.", "good")
            return redirect(url_for("hr.salary_run", run_id=run.id))
    runs = _runs(district) if district is not None else []
    latest = runs[0]["run"].pay_date if runs else None
    return render_template("hr/salary_runs.html", district=district, districts=_district_choices(), runs=runs,
                           errors=errors, pay_date=pay_date, latest=latest, today=today()), (422 if errors else 200)


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
