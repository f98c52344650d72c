"""The extra records loaded after the educators, for the pages to show on a first visit: an
Open Badges import (with a badge new to the catalog), a Juab salary run, a transcript and
submissions waiting in the HR and state queues, and an audit of Tennessee renewals."""

from __future__ import annotations

import json
from datetime import date, timedelta

from sqlalchemy import select

from ..access.principals import EDUCATOR
from ..models import Educator, State

# New to the catalog, so that the import leaves a badge awaiting review.
NEW_BADGE = {
    "id": "https://badges.uvu.example/badgeclasses/crt-101",
    "type": "BadgeClass",
    "name": "Culturally Responsive Teaching: Knowing Your Students",
    "description": "Plans instruction from what students bring: evidence of three lessons and reflection.",
    "criteria": {"narrative": "Submitted lesson plans, student work and a reflection, scored against the rubric."},
    "issuer": {"id": "https://badges.uvu.example/issuer", "type": "Profile", "name": "Utah Valley University"},
}


def load_extras(session, principal, today: date, echo, logins) -> None:
    """Idempotent like the rest: the import's ids repeat, a run or a transcript is only
    made when there is none."""
    from ..districts import salary_runs
    from ..imports.run import run_import
    from ..imports.sources import badge_rows
    from ..models import District, SalaryRun, Transcript
    from ..transcripts import service as transcripts

    teacher = next((email for role, email, _ in logins if role == EDUCATOR), None)
    if teacher:
        day = today - timedelta(days=20)
        assertion = {
            "@context": "https://w3id.org/openbadges/v2", "type": "Assertion",
            "id": "https://badges.uvu.example/assertions/demo-crt-101-1",
            "recipient": {"type": "email", "hashed": False, "identity": teacher},
            "badge": NEW_BADGE, "verification": {"type": "hosted"}, "issuedOn": f"{day.isoformat()}T15:00:00Z",
        }
        report = run_import(session, principal, badge_rows(json.dumps([assertion]), today),
                                    fmt="openbadges", partial=True)
        if report.accepted:
            echo(f"imported {report.accepted} Open Badges assertion (new badges awaiting review: "
                 f"{', '.join(report.credentials_added) or 'none'})")
    juab = session.scalar(select(District).where(District.code == "JUAB"))
    ran = juab is not None and session.scalar(
        select(SalaryRun.id).where(SalaryRun.district_id == juab.id).limit(1)) is not None
    if juab is not None and not ran:
        run = salary_runs.create_run(session, principal, "JUAB", today.replace(day=1))
        session.commit()
        echo(f"salary run {run.id} for JUAB on {run.pay_date}: {len(run.rows)} employees")
    if session.scalar(select(Transcript.id).limit(1)) is None:
        tn = session.scalar(select(Educator).join(State, Educator.state_id == State.id)
                            .where(State.code == "TN").order_by(Educator.id).limit(1))
        if tn is not None:
            row = transcripts.issue(session, principal, tn.id, state="TN", today=today)
            session.commit()
            echo(f"issued transcript {row.serial} for {row.name}")
    _submissions(session, principal, today, echo)
    from .audits import load_audit

    load_audit(session, principal, today, echo)


def _submissions(session, principal, today: date, echo) -> None:
    from flask import current_app

    from ..submissions.storage import store_for
    from .submissions import load_submissions

    store = current_app.extensions.get("evidence_store") or store_for(current_app.config, current_app.instance_path)
    load_submissions(session, principal, today, echo, store)

    # Today's reminders, recorded and logged (never mailed: the demo's addresses are not
    # real), so the teacher's page and the offices' reminder pages show what went out.
    from ..reminders import delivery
    from ..reminders import service as reminders

    summary = reminders.run(session, today, delivery.LogSender(), checkpoint=session.commit)
    session.commit()
    if summary.recorded or summary.digests:
        echo(f"reminders for {today.isoformat()}: {summary.recorded} notices and {summary.digests} digests "
             "recorded (logged, not mailed)")
