"""The state office's rulebook page: versions side by side, and loading a new version
(upload or paste), with every error shown by its field. An upload is previewed before it
is in force (preview.py): whose current-cycle status it would change, then "Publish this
version" or "Discard"."""

from __future__ import annotations

import difflib

import yaml
from flask import Blueprint, abort, flash, redirect, request, url_for
from sqlalchemy import select

from .. import clock
from ..access.principals import ADMIN, STATE_OFFICE
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..http.offices import current_state, page_args, page_number, render_state_page
from ..http.signin import principal, role_required
from ..models import RulebookVersion, State, db
from . import preview
from .files import parse_text
from .service import load_rulebook

bp = Blueprint("rulebook_pages", __name__, url_prefix="/state")


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
    return render_state_page("state/rulebooks.html", state, status, versions=versions, compare=compare,
                             errors=errors or {}, message=message, pasted=pasted,
                             pending=preview.pending_list(db.session, state), expires_at=preview.expires_at)


@bp.get("/rulebooks")
@role_required(STATE_OFFICE, ADMIN)
def rulebooks():
    return _rulebooks_page(current_state())


def _read_upload() -> tuple[object, str]:
    """The uploaded file, else the pasted text, parsed with the loader's own reader."""
    upload = request.files.get("file")
    pasted = request.form.get("document") or ""
    if upload is not None and upload.filename:
        data, name = upload.read(), upload.filename
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Invalid(f"{name}: not UTF-8 text ({exc.reason} at byte {exc.start})",
                          {"_file": ["not UTF-8 text"]}) from exc
        return parse_text(text, name), name
    if pasted.strip():
        return parse_text(pasted, "pasted text"), "pasted text"
    raise Invalid("choose a YAML or JSON file, or paste the rulebook",
                  {"file": ["choose a YAML or JSON file, or paste the rulebook"]})


@bp.post("/rulebooks")
@role_required(STATE_OFFICE, ADMIN)
def upload_rulebook():
    """Checked as a load would be, then previewed, not loaded (an admin's rulebook for a
    new state, with no educator to preview, is loaded at once)."""
    state = current_state()
    pasted = (request.form.get("document") or "")[:200_000]
    try:
        raw, name = _read_upload()
        pending = preview.preview_upload(db.session, principal(), raw, name, clock.today())
        row = load_rulebook(db.session, principal(), raw) if pending is None else None
    except Forbidden as exc:
        db.session.rollback()
        return _rulebooks_page(state, 403, message=exc.message, pasted=pasted)
    except (Invalid, NotFound) as exc:
        db.session.rollback()
        return _rulebooks_page(state, 422, errors=exc.errors or {"_schema": [exc.message]},
                               message=exc.message, pasted=pasted)
    if row is not None:
        flash(f"Loaded {name} as {row.state.code} rulebook version {row.version}.", "good")
        return redirect(url_for("rulebook_pages.rulebooks", **page_args(row.state)))
    return redirect(url_for("rulebook_pages.pending", pending_id=pending.id, **page_args(pending.state)))


def _change_filter() -> tuple[str | None, str | None] | None:
    """?from=..&to=.. (a status, or "none" for no rule): one row of the counts table."""
    if "from" not in request.args and "to" not in request.args:
        return None
    return tuple(None if (v := request.args.get(k, "none")) == "none" else v for k in ("from", "to"))


PREVIEW_PER_PAGE = 100


def _preview_page(state: State, pending_id: str, status: int = 200, message: str | None = None):
    try:
        row = preview.pending_of(db.session, state, pending_id)
    except NotFound:
        abort(404, description="No such preview: it was published or discarded, or is not this state's.")
    summary = row.summary
    picked = _change_filter()
    changes = [c for c in summary["changes"] if picked is None or (c[2], c[3]) == picked]
    pages = max(1, -(-len(changes) // PREVIEW_PER_PAGE))
    page = min(page_number(), pages)
    shown = changes[(page - 1) * PREVIEW_PER_PAGE:page * PREVIEW_PER_PAGE]
    people = preview.educators_named(db.session, sorted({c[0] for c in shown}))
    current = preview.newest(db.session, state.id)
    hunks = side_by_side(as_yaml(current.document) if current else "", as_yaml(row.document))
    expired = preview.expires_at(row) < preview.utcnow()
    filter_args = {} if picked is None else {"from": picked[0] or "none", "to": picked[1] or "none"}
    return render_state_page("state/rulebook_preview.html", state, status, p=row, summary=summary, current=current,
                             shown=shown, people=people, page=page, pages=pages, picked=picked,
                             filtered=len(changes), pager_args={**page_args(state), **filter_args}, hunks=hunks,
                             changed_lines=sum(1 for h in hunks for r in h if r["tag"] != "equal"),
                             expires_at=preview.expires_at(row), expired=expired, message=message)


@bp.get("/rulebooks/preview/<pending_id>")
@role_required(STATE_OFFICE, ADMIN)
def pending(pending_id):
    return _preview_page(current_state(), pending_id)


@bp.post("/rulebooks/preview/<pending_id>/publish")
@role_required(STATE_OFFICE, ADMIN)
def publish(pending_id):
    state = current_state()
    try:
        row = preview.publish(db.session, principal(), state, pending_id, request.form.get("sha256", ""))
    except NotFound:
        db.session.rollback()
        abort(404, description="No such preview: it was published or discarded, or is not this state's.")
    except (Invalid, Conflict, Forbidden) as exc:
        db.session.rollback()
        return _preview_page(state, pending_id, exc.status, message=exc.message)
    flash(f"Published {row.state.code} rulebook version {row.version}: it is in force from now.", "good")
    return redirect(url_for("rulebook_pages.rulebooks", **page_args(row.state)))


@bp.post("/rulebooks/preview/<pending_id>/discard")
@role_required(STATE_OFFICE, ADMIN)
def discard(pending_id):
    state = current_state()
    try:
        row = preview.discard(db.session, principal(), state, pending_id)
    except NotFound:
        db.session.rollback()
        abort(404, description="No such preview: it was published or discarded, or is not this state's.")
    flash(f"Discarded the preview of {row.name}: nothing was loaded.", "good")
    return redirect(url_for("rulebook_pages.rulebooks", **page_args(state)))
