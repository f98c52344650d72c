"""Upserting the catalog by code, in one transaction with its audit row."""

from __future__ import annotations

import hashlib

from marshmallow import ValidationError
from sqlalchemy import exists, func, insert, select

from ..access import audit
from ..access.principals import Principal
from ..errors import Invalid, NotFound, flatten
from ..fields import jsonable
from ..models import Credential, CredentialReview, Entry, Issuer, Void, lock_for_write
from ..rulebooks.service import refuse_unstorable
from .schemas import catalog_schema


def load_catalog(session, principal: Principal, raw) -> dict:
    """Upsert issuers and credentials in one transaction. A credential's issuer must be
    in the same file or already known."""
    principal.require("load_catalog")
    if not isinstance(raw, dict):
        raise Invalid("a catalog is a mapping", {"_schema": ["expected an object with issuers and credentials"]})
    refuse_unstorable(raw)
    try:
        data = catalog_schema.load(jsonable(raw))
    except ValidationError as exc:
        raise Invalid("the catalog is invalid", flatten(exc.messages)) from exc

    errors: dict[str, list[str]] = {}
    _unique(errors, data["issuers"], "issuers", "code")
    _unique(errors, data["credentials"], "credentials", "code")
    badge_ids = [c["badge_id"] for c in data["credentials"]]
    for i, b in enumerate(badge_ids):
        if b is not None and badge_ids.index(b) != i:
            errors[f"credentials[{i}].badge_id"] = [f"repeats credentials[{badge_ids.index(b)}]"]
    issuers = {i.code: i for i in session.scalars(select(Issuer))}
    named = {i["code"] for i in data["issuers"]}
    for i, c in enumerate(data["credentials"]):
        if c["issuer"] not in issuers and c["issuer"] not in named:
            errors[f"credentials[{i}].issuer"] = [f"unknown issuer {c['issuer']!r}"]
    existing = {c.code: c for c in session.scalars(
        select(Credential).where(Credential.code.in_([c["code"] for c in data["credentials"]]))
    )}
    taken = dict(session.execute(
        select(Credential.badge_id, Credential.code).where(Credential.badge_id.in_([b for b in badge_ids if b]))
    ).all())
    for i, c in enumerate(data["credentials"]):
        owner = taken.get(c["badge_id"])
        if owner is not None and owner != c["code"]:
            errors[f"credentials[{i}].badge_id"] = [f"already the badge of credential {owner!r}"]
    if errors:
        raise Invalid("the catalog is invalid", errors)

    for i in data["issuers"]:
        if i["code"] in issuers:
            issuers[i["code"]].name = i["name"]
        else:
            issuers[i["code"]] = Issuer(code=i["code"], name=i["name"])
            session.add(issuers[i["code"]])
    session.flush()
    created = updated = 0
    for c in data["credentials"]:
        row = existing.get(c["code"])
        if row is None:
            row = Credential(code=c["code"])
            session.add(row)
            created += 1
        else:
            updated += 1
        row.title = c["title"]
        row.issuer_id = issuers[c["issuer"]].id
        row.tags = sorted(set(c["tags"]))
        row.estimated_hours = c["estimated_hours"]
        row.badge_id = c["badge_id"]
        row.reviewed = not row.rejected  # loaded through the catalog: reviewed, unless a review rejected it
    session.flush()
    summary = {"issuers": len(data["issuers"]), "credentials_created": created, "credentials_updated": updated}
    audit.record(session, principal.actor, "load_catalog", "catalog", "catalog", summary)
    return summary


def _unique(errors, items, name, key):
    seen: dict = {}
    for i, item in enumerate(items):
        if item[key] in seen:
            errors[f"{name}[{i}].{key}"] = [f"repeats {name}[{seen[item[key]]}]"]
        seen.setdefault(item[key], i)


def review_credential(session, principal: Principal, code: str, data: dict) -> tuple[Credential, CredentialReview, int]:
    """Approve or reject a credential (CONTRACT.md section 3): approved, it counts for every
    entry of it, whenever earned; rejected or never reviewed, for nothing. A later review
    replaces an earlier one; both are kept. (credential, the review, its active entries)."""
    principal.require("review_credential")
    credential = session.scalar(select(Credential).where(Credential.code == code))
    if credential is None:
        raise NotFound(f"credential {code!r} not found")
    lock_for_write(session, Credential, credential.id)  # two reviews at once: one after the other
    review = CredentialReview(credential_id=credential.id, decision=data["decision"],
                              reason=(data.get("reason") or "").strip() or None, actor=principal.actor)
    session.add(review)
    credential.reviewed = data["decision"] == "approved"
    credential.rejected = not credential.reviewed
    entries = active_entries(session, credential.id)
    session.flush()
    audit.record(session, principal.actor, "review_credential", "credential", credential.code,
                 {"decision": review.decision, "reason": review.reason, "entries": entries})
    return credential, review, entries


def active_entries(session, credential_id: int) -> int:
    return session.scalar(select(func.count(Entry.id)).where(
        Entry.credential_id == credential_id, ~exists().where(Void.entry_id == Entry.id))) or 0


def reviews_of(session, credential_ids) -> dict[int, list[CredentialReview]]:
    """Each credential's reviews, the latest first."""
    out: dict[int, list[CredentialReview]] = {}
    if credential_ids:
        for r in session.scalars(select(CredentialReview).where(CredentialReview.credential_id.in_(credential_ids))
                                 .order_by(CredentialReview.id.desc())):
            out.setdefault(r.credential_id, []).append(r)
    return out


def add_badge(session, badge) -> tuple[int, str]:
    """(id, code) of a badge new to the catalog, added not yet reviewed (CONTRACT.md
    section 3): the same badge gets the same code every time (from its id), its issuer
    `OBI-` from the issuer's id. `badge` has id, name, issuer_id, issuer_name and tags
    (imports.rows.Badge). Imports and approved submissions add badges this one way."""
    issuer_code = "OBI-" + hashlib.sha256(badge.issuer_id.encode()).hexdigest()[:10].upper()
    issuer_id = session.scalar(select(Issuer.id).where(Issuer.code == issuer_code))
    if issuer_id is None:
        issuer_id = session.execute(
            insert(Issuer).values(code=issuer_code, name=badge.issuer_name).returning(Issuer.id)
        ).scalar_one()
    code = "OB-" + hashlib.sha256(badge.id.encode()).hexdigest()[:12].upper()
    credential_id = session.execute(
        insert(Credential).values(code=code, title=badge.name, issuer_id=issuer_id, tags=badge.tags,
                                  badge_id=badge.id, reviewed=False).returning(Credential.id)
    ).scalar_one()
    return credential_id, code
