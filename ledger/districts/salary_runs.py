"""Salary runs for payroll (CONTRACT.md section 4, "Salary runs").

A run as of `pay_date` covers the district's current employees: each one's salary
credits, lane and designation raise from the same standing engine as every page, what
is new since the district's earlier runs (`credits_new`, never negative), and whether
the lane changed since the educator's last run here. Runs are append-only: a lane change
takes effect from the run that first posts it, and a run for a pay date before the
district's latest is refused (payroll is never changed after the fact).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ..access import audit
from ..access.principals import Principal, district_in_scope
from ..errors import Conflict, Invalid, NotFound
from ..exports import csv_lines
from ..models import MAX_ID, District, Educator, SalaryRun, SalaryRunRow, lock_for_write
from ..rulebooks.service import newest_version
from ..standing.many import standings_for

CSV_HEADER = ["educator_id", "license_number", "name", "credits_total", "credits_new", "lane", "lane_changed",
              "base_salary_pct", "designations"]


def create_run(session, principal: Principal, code: str, pay_date: date, *,
               same_pay_date_ok: bool = True) -> SalaryRun:
    """`same_pay_date_ok=False` (the HR page until the clerk confirms) refuses a second
    run for a pay date the district already has a run for (409 naming `confirm`); the
    API keeps the contract's behaviour, a second run whose credits_new are all 0."""
    district = district_in_scope(session, principal, code, "salary_run")
    # One run of a district at a time: two at once would each post the same new credits.
    lock_for_write(session, District, district.id)
    latest = session.scalar(select(func.max(SalaryRun.pay_date)).where(SalaryRun.district_id == district.id))
    if latest is not None and pay_date < latest:
        raise Invalid(
            f"pay_date {pay_date} is before this district's latest run ({latest}): runs are never back-dated",
            {"pay_date": [f"before the latest run's pay date {latest}"]},
        )
    if not same_pay_date_ok and latest == pay_date:
        raise Conflict(
            f"this district already has a run for pay date {pay_date}",
            {"confirm": [f"a run for pay date {pay_date} already exists: confirm to make another"]},
            runs=same_date_runs(session, district.id, pay_date),
        )
    version = newest_version(session, district.state.code)
    employees = session.execute(
        select(Educator.id, Educator.license_number, Educator.first_name, Educator.last_name)
        .where(Educator.district_id == district.id).order_by(Educator.id)
    ).all()
    # What earlier runs of this district posted, and the lane each educator was last at.
    posted = dict(session.execute(
        select(SalaryRunRow.educator_id, func.sum(SalaryRunRow.credits_new))
        .join(SalaryRun, SalaryRunRow.run_id == SalaryRun.id)
        .where(SalaryRun.district_id == district.id).group_by(SalaryRunRow.educator_id)
    ).all())
    last_run = (
        select(SalaryRunRow.educator_id, func.max(SalaryRunRow.run_id).label("run_id"))
        .join(SalaryRun, SalaryRunRow.run_id == SalaryRun.id)
        .where(SalaryRun.district_id == district.id).group_by(SalaryRunRow.educator_id).subquery()
    )
    last_lane = dict(session.execute(
        select(SalaryRunRow.educator_id, SalaryRunRow.lane).join(
            last_run, (SalaryRunRow.educator_id == last_run.c.educator_id) & (SalaryRunRow.run_id == last_run.c.run_id)
        )
    ).all())
    run = SalaryRun(district_id=district.id, pay_date=pay_date, run_by=principal.actor,
                    rulebook_version=version.version)
    session.add(run)
    session.flush()
    standings = standings_for(session, version, pay_date, [e[0] for e in employees], district=district.code,
                              renewal=False)
    rows = []
    for (educator_id, license_number, first, last), (_, s) in zip(employees, standings):
        pay = s.salary
        total = pay.credits if pay else Decimal(0)
        new = max(Decimal(0), total - Decimal(posted.get(educator_id) or 0))
        lane = pay.lane if pay else None
        before = last_lane.get(educator_id, _NEVER)
        rows.append(SalaryRunRow(
            run_id=run.id, educator_id=educator_id, license_number=license_number, name=f"{first} {last}"[:201],
            credits_total=total, credits_new=new, lane=lane,
            lane_changed=before is not _NEVER and before != lane,
            base_salary_pct=pay.base_salary_pct if pay else Decimal(0),
            designations=list(pay.designations) if pay else [],
        ))
    session.add_all(rows)
    session.flush()
    audit.record(session, principal.actor, "salary_run", "salary_run", run.id, {
        "district": district.code, "pay_date": pay_date.isoformat(), "employees": len(rows),
        "lane_changes": sum(r.lane_changed for r in rows),
    })
    session.flush()
    session.refresh(run)
    return run


_NEVER = object()


def same_date_runs(session, district_id: int, pay_date: date) -> list[SalaryRun]:
    return list(session.scalars(select(SalaryRun).where(SalaryRun.district_id == district_id,
                                                        SalaryRun.pay_date == pay_date).order_by(SalaryRun.id)))


def get_run(session, principal: Principal, run_id: int) -> SalaryRun:
    run = session.get(SalaryRun, run_id) if 1 <= run_id <= MAX_ID else None
    if run is None:
        raise NotFound(f"salary run {run_id} not found")
    district_in_scope(session, principal, run.district.code, "read")
    return run


def run_dict(run: SalaryRun) -> dict:
    return {
        "id": run.id, "district": run.district.code, "pay_date": run.pay_date.isoformat(),
        "run_by": run.run_by, "run_at": run.run_at.isoformat(), "rulebook_version": run.rulebook_version,
        "rows": [
            {"educator_id": r.educator_id, "license_number": r.license_number, "name": r.name,
             "credits_total": float(r.credits_total), "credits_new": float(r.credits_new), "lane": r.lane,
             "lane_changed": r.lane_changed, "base_salary_pct": float(r.base_salary_pct),
             "designations": r.designations}
            for r in run.rows
        ],
    }


def run_csv(run: SalaryRun) -> Iterator[str]:
    return csv_lines(CSV_HEADER, (
        [r.educator_id, r.license_number, r.name, r.credits_total, r.credits_new, r.lane, r.lane_changed,
         r.base_salary_pct, ";".join(r.designations)]
        for r in run.rows
    ))
