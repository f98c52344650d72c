"""The state office's pages: overview, educators, rulebooks, catalog, transcripts.

A state office works on its own state (its principal's `state_id`); an admin picks one
with `?state=XX` (default the first state by code). Every figure comes from the services
the API uses (the renewal report, the rulebook loader, transcripts), so scope and rules
are the API's: a record outside the state is a 404, another role a 403."""

from __future__ import annotations

import re

import difflib
import os
import tempfile
from datetime import date

import yaml
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import and_, exists, func, or_, select

from .. import season as season_service
from .. import transcripts as transcript_service
from ..errors import Forbidden, Invalid, LedgerError, NotFound
from ..models import (
    Credential,
    Educator,
    Entry,
    Issuer,
    License,
    RulebookVersion,
    State,
    Transcript,
    TranscriptRevocation,
    Void,
    db,
)
from ..rulebooks import load_rulebook, newest_version, parse_file
from ..scopes import ADMIN, STATE_OFFICE, Principal
from ..standing import state_renewal_report
from .auth import principal, role_required
from .views import current_cycles, long_date, renewal_flags

bp = Blueprint("state", __name__, url_prefix="/state")

PER_PAGE = 50
SEASON_PREFIX = ":expiring-before:"


def today() -> date:
    return date.today()


# --- which state -------------------------------------------------------------------------

def _current_state() -> State:
    """The state office's own state; for an admin, ?state=XX or the first state."""
    p = principal()
    if p.role == STATE_OFFICE:
        state = db.session.get(State, p.state_id)
        if state is None:
            abort(404)
        return state
    code = (request.values.get("state") or "").strip().upper()[:2]
    state = db.session.scalar(select(State).where(State.code == code)) if code else None
    if code and state is None:
        flash(f"No state {code!r} has a rulebook loaded; showing the first state.", "warn")
    if state is None:
        state = db.session.scalar(select(State).order_by(State.code).limit(1))
    if state is None:
        abort(404, description="No state rulebook is loaded yet: load one with `flask ledger load-rulebook`.")
    return state


def _page_args(state: State) -> dict:
    """What every link on these pages carries: ?state=XX for an admin, nothing for an office."""
    return {"state": state.code} if principal().role == ADMIN else {}


def _render(template: str, state: State, status: int = 200, **context):
    p = principal()
    states = db.session.execute(select(State.code, State.name).order_by(State.code)).all() \
        if p.role == ADMIN else []
    return render_template(template, st=state, sq=_page_args(state), states=states, is_admin=p.role == ADMIN,
                           today=today(), **context), status


def _state_scope(state: State):
    """Educators the state's office sees (home state or a license there), within the
    signed-in principal's own scope (an admin sees all of them)."""
    office = Principal(role=STATE_OFFICE, actor="state-page", state_id=state.id)
    return and_(principal().educator_clause(), office.educator_clause())


def _page_number() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


# --- overview ----------------------------------------------------------------------------

def renewal_summary(session, state: State, day: date) -> dict:
    """Counts from the state-wide renewal report (the same engine as each standing), of
    each educator's current cycles (views.current_cycles, as on every page); behind pace
    as on the educator page (renewal_flags), from the cycle's own dates."""
    required = {r["license"]: float(r["required_units"])
                for r in newest_version(session, state.code).document.get("renewal", [])}
    counts = {"complete": 0, "in_progress": 0, "behind": 0, "lapsed": 0}
    educators: set[int] = set()

    def count(rows):
        for _, type_, earned, status, start, end in current_cycles(rows, day, key=lambda r: (r[1], r[4], r[5])):
            counts[status] = counts.get(status, 0) + 1
            if status == "in_progress":
                flags = renewal_flags({"cycle_start": start.isoformat(), "cycle_end": end.isoformat(),
                                       "required_units": required.get(type_, 0), "earned_units": float(earned),
                                       "status": status}, day)
                counts["behind"] += flags["behind"]

    current, rows = None, []
    for row in state_renewal_report(session, state.code, day, with_cycle=True):
        educators.add(row[0])
        if row[0] != current:
            count(rows)
            current, rows = row[0], []
        rows.append(row)
    count(rows)
    counts["educators"] = len(educators)
    counts["licenses"] = counts["complete"] + counts["in_progress"] + counts["lapsed"]
    counts["on_pace"] = counts["in_progress"] - counts["behind"]
    return counts


def mcs_by_issuer(session, state: State) -> list[tuple[str, int]]:
    """Active (never voided) micro-credential entries of educators licensed in the state,
    by issuer name."""
    licensed = exists().where(License.educator_id == Entry.educator_id, License.state_id == state.id)
    rows = session.execute(
        select(Issuer.name, func.count(Entry.id))
        .select_from(Entry)
        .join(Credential, Entry.credential_id == Credential.id)
        .join(Issuer, Credential.issuer_id == Issuer.id)
        .where(Entry.kind == "microcredential", ~exists().where(Void.entry_id == Entry.id), licensed)
        .group_by(Issuer.name)
        .order_by(func.count(Entry.id).desc(), Issuer.name)
    ).all()
    return [(name, count) for name, count in rows]


def season_command(state: str, key: str) -> str:
    head = f"{state}{SEASON_PREFIX}"
    if key.startswith(head):
        return f"flask ledger print-season --state {state} --expiring-before {key[len(head):]} --out season/"
    return (f"flask ledger print-season --state {state} --season '{key}' "
            "--expiring-before YYYY-MM-DD --out season/")


def seasons(session, state: State) -> list[dict]:
    revoked = func.count(TranscriptRevocation.id)
    rows = session.execute(
        select(Transcript.season, func.count(Transcript.id), func.min(Transcript.issued_at),
               func.max(Transcript.issued_at), revoked)
        .outerjoin(TranscriptRevocation, TranscriptRevocation.transcript_id == Transcript.id)
        .where(Transcript.state_id == state.id, Transcript.season.is_not(None))
        .group_by(Transcript.season)
        .order_by(func.max(Transcript.issued_at).desc())
    ).all()
    out = []
    for key, printed, first, last, n_revoked in rows:
        remaining = None
        head = f"{state.code}{SEASON_PREFIX}"
        if key.startswith(head):
            try:
                before = date.fromisoformat(key[len(head):])
            except ValueError:
                before = None
            if before is not None:  # what a second run of the same command would print now
                chosen = {row[0] for row in season_service.select_educators(session, state.code, before)}
                remaining = len(chosen - season_service.issued_ids(session, key))
        out.append({"key": key, "printed": printed, "first": first, "last": last, "revoked": n_revoked,
                    "remaining": remaining, "command": season_command(state.code, key)})
    return out


@bp.get("")
@role_required(STATE_OFFICE, ADMIN)
def overview():
    state = _current_state()
    day = today()
    counts = renewal_summary(db.session, state, day)
    issued = db.session.scalar(select(func.count(Transcript.id)).where(Transcript.state_id == state.id))
    revoked = db.session.scalar(
        select(func.count(TranscriptRevocation.id))
        .join(Transcript, TranscriptRevocation.transcript_id == Transcript.id)
        .where(Transcript.state_id == state.id))
    renewal_rows = [("Complete", counts["complete"], "good"),
                    ("In progress, on pace", counts["on_pace"], None),
                    ("In progress, behind pace", counts["behind"], "warn"),
                    ("Lapsed (cycle ended short)", counts["lapsed"], "bad")]
    issuers = mcs_by_issuer(db.session, state)
    next_july = date(day.year + (day.month >= 7), 7, 1)
    return _render("state/overview.html", state, counts=counts, issued=issued, revoked=revoked,
                   renewal_rows=renewal_rows, issuer_rows=[(n, c, None) for n, c in issuers],
                   mc_total=sum(c for _, c in issuers), seasons=seasons(db.session, state),
                   new_season=f"flask ledger print-season --state {state.code} "
                              f"--expiring-before {next_july.isoformat()} --out season/",
                   as_of=long_date(day))


# --- educators ---------------------------------------------------------------------------

@bp.get("/educators")
@role_required(STATE_OFFICE, ADMIN)
def educators():
    state = _current_state()
    q = (request.args.get("q") or "").strip()[:100]
    stmt = select(Educator).where(_state_scope(state))
    for word in q.split()[:5]:
        pattern = _like(word.lower())
        stmt = stmt.where(or_(func.lower(Educator.first_name).like(pattern, escape="\\"),
                              func.lower(Educator.last_name).like(pattern, escape="\\"),
                              func.lower(Educator.license_number).like(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = _page_number()
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)
    people = db.session.scalars(
        stmt.order_by(Educator.last_name, Educator.first_name, Educator.id)
        .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).unique().all()
    return _render("state/educators.html", state, people=people, q=q, total=total, page=page, pages=pages,
                   pager_args={**_page_args(state), **({"q": q} if q else {})})


# --- rulebooks ---------------------------------------------------------------------------

def as_yaml(document: dict) -> str:
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=False)


def side_by_side(left: str, right: str, context: int | None = 3) -> list[list[dict]]:
    """Hunks of rows {tag, a_no, a, b_no, b}: tag is equal, replace, delete or insert.
    With context=None the whole file is one hunk."""
    a, b = left.splitlines(), right.splitlines()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    groups = [matcher.get_opcodes()] if context is None else list(matcher.get_grouped_opcodes(context))
    hunks = []
    for group in groups:
        rows = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [{"tag": tag, "a_no": i + 1, "a": a[i], "b_no": j + 1, "b": b[j]}
                         for i, j in zip(range(i1, i2), range(j1, j2))]
                continue
            for k in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + k, j1 + k
                rows.append({"tag": tag if (i < i2 and j < j2) else ("delete" if i < i2 else "insert"),
                             "a_no": i + 1 if i < i2 else None, "a": a[i] if i < i2 else None,
                             "b_no": j + 1 if j < j2 else None, "b": b[j] if j < j2 else None})
        hunks.append(rows)
    return [h for h in hunks if any(r["tag"] != "equal" for r in h)] if context is not None else hunks


def _version_arg(name: str, numbers: list[int], default: int | None) -> int | None:
    try:
        value = int(request.args.get(name, ""))
    except ValueError:
        return default
    return value if value in numbers else default


def _rulebooks_page(state: State, status: int = 200, errors=None, message=None, pasted=""):
    versions = db.session.scalars(
        select(RulebookVersion).where(RulebookVersion.state_id == state.id)
        .order_by(RulebookVersion.version.desc())).all()
    numbers = [v.version for v in versions]
    b = _version_arg("b", numbers, numbers[0] if numbers else None)
    a = _version_arg("a", numbers, next((n for n in numbers if b is not None and n < b), b))
    full = request.args.get("full") == "1"
    compare = None
    if a is not None and b is not None:
        by_number = {v.version: v for v in versions}
        compare = {"a": a, "b": b, "full": full,
                   "hunks": side_by_side(as_yaml(by_number[a].document), as_yaml(by_number[b].document),
                                         None if full else 3)}
        compare["changed"] = sum(1 for h in compare["hunks"] for r in h if r["tag"] != "equal")
    return _render("state/rulebooks.html", state, status, versions=versions, compare=compare,
                   errors=errors or {}, message=message, pasted=pasted)


@bp.get("/rulebooks")
@role_required(STATE_OFFICE, ADMIN)
def rulebooks():
    return _rulebooks_page(_current_state())


def _read_upload() -> tuple[object, str]:
    """The uploaded file, else the pasted text, parsed with the loader's own reader."""
    upload = request.files.get("file")
    pasted = request.form.get("document") or ""
    if upload is not None and upload.filename:
        data, name = upload.read(), upload.filename
        suffix = ".json" if name.lower().endswith(".json") else ".yaml"
    elif pasted.strip():
        data, name, suffix = pasted.encode("utf-8"), "pasted text", ".yaml"
    else:
        raise Invalid("choose a YAML or JSON file, or paste the rulebook",
                      {"file": ["choose a YAML or JSON file, or paste the rulebook"]})
    fd, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        try:
            return parse_file(path), name
        except Invalid as exc:  # name the upload, not the temporary file
            raise Invalid(exc.message.replace(path, name), exc.errors) from None
    finally:
        os.unlink(path)


@bp.post("/rulebooks")
@role_required(STATE_OFFICE, ADMIN)
def upload_rulebook():
    state = _current_state()
    pasted = (request.form.get("document") or "")[:200_000]
    try:
        raw, name = _read_upload()
        row = load_rulebook(db.session, principal(), raw)
        db.session.commit()
    except Forbidden as exc:
        db.session.rollback()
        return _rulebooks_page(state, 403, message=exc.message, pasted=pasted)
    except (Invalid, NotFound) as exc:
        db.session.rollback()
        return _rulebooks_page(state, 422, errors=exc.errors or {"_schema": [exc.message]},
                               message=exc.message, pasted=pasted)
    flash(f"Loaded {name} as {row.state.code} rulebook version {row.version}.", "good")
    return redirect(url_for("state.rulebooks", **({"state": row.state.code} if principal().role == ADMIN else {})))


# --- catalog -----------------------------------------------------------------------------

@bp.get("/catalog")
@role_required(STATE_OFFICE, ADMIN)
def catalog():
    state = _current_state()
    awaiting = request.args.get("review") == "awaiting"
    q = (request.args.get("q") or "").strip()[:100]
    stmt = select(Credential).join(Issuer, Credential.issuer_id == Issuer.id)
    if awaiting:
        stmt = stmt.where(Credential.reviewed.is_(False))
    for word in q.split()[:5]:
        pattern = _like(word.lower())
        stmt = stmt.where(or_(func.lower(Credential.code).like(pattern, escape="\\"),
                              func.lower(Credential.title).like(pattern, escape="\\"),
                              func.lower(Issuer.name).like(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = _page_number()
    pages = max(1, -(-total // (PER_PAGE * 2)))
    page = min(page, pages)
    rows = db.session.scalars(stmt.order_by(Credential.reviewed, Issuer.name, Credential.code)
                              .offset((page - 1) * PER_PAGE * 2).limit(PER_PAGE * 2)).unique().all()
    waiting = db.session.scalar(select(func.count(Credential.id)).where(Credential.reviewed.is_(False)))
    return _render("state/catalog.html", state, credentials=rows, awaiting=awaiting, q=q, total=total,
                   waiting=waiting, page=page, pages=pages,
                   pager_args={**_page_args(state), **({"q": q} if q else {}),
                               **({"review": "awaiting"} if awaiting else {})})


# --- transcripts -------------------------------------------------------------------------

def _transcripts_page(state: State, status: int = 200, errors=None, form=None):
    q = (request.args.get("q") or "").strip()[:60]
    show = request.args.get("show") if request.args.get("show") in ("valid", "revoked") else "all"
    stmt = (select(Transcript.serial, Transcript.educator_id, Transcript.name, Transcript.license_number,
                   Transcript.issued_at, Transcript.as_of, Transcript.season, TranscriptRevocation.revoked_at)
            .outerjoin(TranscriptRevocation, TranscriptRevocation.transcript_id == Transcript.id)
            .where(Transcript.state_id == state.id))
    if show == "valid":
        stmt = stmt.where(TranscriptRevocation.id.is_(None))
    elif show == "revoked":
        stmt = stmt.where(TranscriptRevocation.id.is_not(None))
    for word in q.split()[:5]:
        pattern = _like(word.lower())
        stmt = stmt.where(or_(func.lower(Transcript.serial).like(pattern, escape="\\"),
                              func.lower(Transcript.name).like(pattern, escape="\\"),
                              func.lower(Transcript.license_number).like(pattern, escape="\\")))
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = _page_number()
    pages = max(1, -(-total // PER_PAGE))
    page = min(page, pages)
    rows = db.session.execute(stmt.order_by(Transcript.issued_at.desc(), Transcript.id.desc())
                              .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    pager_args = {**_page_args(state), **({"q": q} if q else {}), **({"show": show} if show != "all" else {})}
    back = url_for("state.transcripts", **pager_args, **({"page": page} if page > 1 else {}))
    return _render("state/transcripts.html", state, status, rows=rows, q=q, show=show, total=total, page=page,
                   pages=pages, back=back, pager_args=pager_args, errors=errors or {}, form=form or {})


@bp.get("/transcripts")
@role_required(STATE_OFFICE, ADMIN)
def transcripts():
    return _transcripts_page(_current_state())


@bp.post("/transcripts")
@role_required(STATE_OFFICE, ADMIN)
def issue_transcript():
    """Issue an official transcript by license number, for an educator licensed in the state."""
    state = _current_state()
    number = (request.form.get("license_number") or "").strip()[:40]
    as_of_text = (request.form.get("as_of") or "").strip()
    form = {"license_number": number, "as_of": as_of_text}
    errors: dict[str, list[str]] = {}
    as_of = None
    if as_of_text:
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", as_of_text):
                raise ValueError(as_of_text)
            as_of = date.fromisoformat(as_of_text)
        except ValueError:
            errors["as_of"] = ["a date as YYYY-MM-DD"]
        else:
            if as_of < date(1900, 1, 1):
                errors["as_of"] = ["must be between 1900-01-01 and today"]
    if not number:
        errors["license_number"] = ["enter the educator's license number"]
    matches = []
    if number:
        holds_license = exists().where(License.educator_id == Educator.id, License.state_id == state.id)
        matches = db.session.scalars(
            select(Educator).where(_state_scope(state), holds_license,
                                   func.lower(Educator.license_number) == number.lower()).limit(3)).unique().all()
        if not matches:
            errors["license_number"] = [f"no educator licensed in {state.code} has license number {number!r}"]
        elif len(matches) > 1:
            errors["license_number"] = [f"{number!r} matches {len(matches)} educators: issue from the educator's page"]
    if errors:
        return _transcripts_page(state, 422, errors=errors, form=form)
    person = matches[0]
    try:
        row = transcript_service.issue(db.session, principal(), person.id, state=state.code, as_of=as_of,
                                       today=today())
        db.session.commit()
    except LedgerError as exc:
        db.session.rollback()
        if isinstance(exc, NotFound):
            raise
        field_errors = exc.errors or {"_form": [exc.message]}
        return _transcripts_page(state, exc.status if exc.status in (403, 422) else 422,
                                 errors=field_errors, form=form)
    flash(f"Issued official transcript {row.serial} for {person.first_name} {person.last_name} "
          f"({person.license_number}).", "good")
    return redirect(url_for("state.transcripts", **_page_args(state)))

