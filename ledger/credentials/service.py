"""The issuer-key registry the state offices keep, educators' recipient identities, and
the verifier the imports use (registry and fetcher wired together).

A key is added for an issuer (the id its credentials name) from one source: a public JWK
given as it is, a did:key, a did:web (its DID document fetched, or the one method its
fragment names) or a URL (a JWK, a JWK Set, a DID document or an Open Badges 2.0
CryptographicKey, fetched). It is resolved once, when added, and kept as a public JWK with
where it came from; a key is retired, never deleted, so who vouched for what stays. Every
change writes its audit row."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select

from ..access import audit
from ..access.principals import ADMIN, STATE_OFFICE, Principal, educator_in_scope
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..models import Educator, EducatorIdentity, IssuerKey, utcnow
from . import keys as keyforms
from .fetch import Fetcher, FetchRefused
from .verify import Verifier

KEEPERS = (ADMIN, STATE_OFFICE)


def _keeper(principal: Principal) -> None:
    if principal.role not in KEEPERS:
        raise Forbidden(f"the {principal.role} role may not change the issuer-key registry")


def resolve(source: str, jwk, fetcher: Fetcher) -> list[tuple[str, str | None, dict]]:
    """(source kind, key id, public JWK) for each key a source gives; Invalid naming the
    field when it gives none."""
    try:
        if jwk is not None:
            key = keyforms.public_jwk(jwk)
            return [("jwk", jwk.get("kid") if isinstance(jwk.get("kid"), str) else None, key)]
        if source.startswith("did:key:"):
            return [("did:key", source, keyforms.did_key(source))]
        if source.startswith("did:web:"):
            did, _, fragment = source.partition("#")
            document = json.loads(fetcher.get(keyforms.did_web_url(did)))
            return [("did:web", kid if (kid or "").startswith("did:") else f"{did}{kid or ''}", key)
                    for kid, key in keyforms.from_document(document, fragment or None)]
        if source.startswith(("https://", "http://")):
            document = json.loads(fetcher.get(source))
            return [("url", kid or source, key) for kid, key in keyforms.from_document(document)]
    except keyforms.KeyProblem as exc:
        raise Invalid("the key cannot be used", {"jwk" if jwk is not None else "source": [str(exc)]}) from None
    except FetchRefused as exc:
        raise Invalid("the key's source could not be fetched", {"source": [str(exc)]}) from None
    except (ValueError, RecursionError):
        raise Invalid("the key's source could not be read", {"source": ["the answer is not JSON"]}) from None
    raise Invalid("the key has no source", {"source": [
        "give a did:key, a did:web, an https:// address of the key, or the key itself as a JWK"]})


def add_key(session, principal: Principal, data: dict, fetcher: Fetcher) -> list[IssuerKey]:
    _keeper(principal)
    found = resolve((data.get("source") or "").strip(), data.get("jwk"), fetcher)
    added = []
    for kind, key_id, jwk in found:
        thumb = keyforms.thumbprint(jwk)
        existing = session.scalar(select(IssuerKey).where(IssuerKey.issuer == data["issuer"],
                                                          IssuerKey.thumbprint == thumb))
        if existing is not None:
            raise Conflict(f"this key is already registered for {data['issuer'][:200]} (key {existing.id})")
        key = IssuerKey(issuer=data["issuer"], source_kind=kind, source=(data.get("source") or "JWK")[:2000],
                        origin=data["origin"], key_id=(key_id or None) and key_id[:1000], thumbprint=thumb,
                        jwk=jwk, state_id=principal.state_id, added_by=principal.actor)
        session.add(key)
        session.flush()
        audit.record(session, principal.actor, "add_issuer_key", "issuer_key", key.id,
                     {"issuer": key.issuer[:500], "source": key.source[:500], "thumbprint": thumb})
        added.append(key)
    return added


def retire_key(session, principal: Principal, key_id: int, reason: str) -> IssuerKey:
    _keeper(principal)
    key = session.get(IssuerKey, key_id) if 0 < key_id < 2**31 else None
    if key is None or (principal.role == STATE_OFFICE and key.state_id not in (None, principal.state_id)):
        raise NotFound(f"issuer key {key_id} not found")
    if key.retired_at is not None:
        raise Conflict(f"issuer key {key_id} was already retired")
    key.retired_at = utcnow()
    session.flush()
    audit.record(session, principal.actor, "retire_issuer_key", "issuer_key", key.id, {"reason": reason})
    return key


def list_keys(session, issuer: str | None = None) -> list[IssuerKey]:
    query = select(IssuerKey).order_by(IssuerKey.issuer, IssuerKey.id)
    if issuer:
        query = query.where(IssuerKey.issuer == issuer)
    return list(session.scalars(query))


def keys_for(session):
    """What the verifier asks: the live keys registered for an issuer id. A key counts
    only for the issuer it was registered for: the key id a credential names (a kid,
    verification method or OB 2.0 `creator`) picks among them first, never beyond them."""
    found: dict[str, list] = {}  # one query per issuer for the whole file

    def lookup(issuer: str | None, key_id: str | None) -> list[tuple[int, dict]]:
        if not issuer:
            return []
        if issuer not in found:
            found[issuer] = session.execute(select(IssuerKey.id, IssuerKey.jwk, IssuerKey.key_id)
                                            .where(IssuerKey.issuer == issuer, IssuerKey.retired_at.is_(None))
                                            .order_by(IssuerKey.id)).all()
        rows = sorted(found[issuer], key=lambda r: r[2] != key_id)  # the named key first
        return [(id_, jwk) for id_, jwk, _ in rows]
    return lookup


def fetcher() -> Fetcher:
    """The app's one fetcher: built from its FETCH_* settings (a test may put its own in
    `app.extensions["credential_fetcher"]`)."""
    from flask import current_app
    return current_app.extensions.get("credential_fetcher") or Fetcher.from_config(current_app.config)


def verifier(session, today: date, fetch: Fetcher | None = None) -> Verifier:
    from flask import current_app
    return Verifier(keys_for(session), fetch or fetcher(), today,
                    budget=int(current_app.config.get("FETCH_PER_IMPORT", 200)))


# -- educators' identities

def normalized(kind: str, value: str) -> str:
    value = value.strip()
    return value.lower() if kind == "email" else value


def add_identity(session, principal: Principal, educator_id: int, kind: str, value: str) -> EducatorIdentity:
    principal.require("record_entry")
    educator = educator_in_scope(session, principal, educator_id)
    value = normalized(kind, value)
    taken = session.scalar(select(EducatorIdentity).where(EducatorIdentity.kind == kind,
                                                          EducatorIdentity.value == value))
    if taken is not None:
        which = "this educator" if taken.educator_id == educator.id else "another educator"
        raise Conflict(f"{value[:200]} already names {which}", {"value": [f"already names {which}"]})
    identity = EducatorIdentity(educator_id=educator.id, kind=kind, value=value, added_by=principal.actor)
    session.add(identity)
    session.flush()
    audit.record(session, principal.actor, "add_identity", "educator", educator.id, {"kind": kind, "value": value})
    return identity


def remove_identity(session, principal: Principal, educator_id: int, identity_id: int,
                    reason: str | None = None) -> EducatorIdentity:
    """An identity added by mistake (another person's e-mail, a mistyped DID) is removed, so
    badges naming it are no longer matched to this educator and it may name the right one.
    The entries already matched stay as recorded (void one that was not theirs); the
    removal is in the audit log with what it was."""
    principal.require("record_entry")
    educator = educator_in_scope(session, principal, educator_id)
    identity = session.get(EducatorIdentity, identity_id)
    if identity is None or identity.educator_id != educator.id:
        raise NotFound(f"identity {identity_id} of educator {educator.id} not found")
    session.delete(identity)
    session.flush()
    audit.record(session, principal.actor, "remove_identity", "educator", educator.id,
                 {"kind": identity.kind, "value": identity.value, "added_by": identity.added_by, "reason": reason})
    return identity


def identities_of(session, principal: Principal, educator_id: int) -> list[EducatorIdentity]:
    educator = educator_in_scope(session, principal, educator_id)
    return list(session.scalars(select(EducatorIdentity).where(EducatorIdentity.educator_id == educator.id)
                                .order_by(EducatorIdentity.id)))


def educators_named(session, kind: str, values: set[str], scope) -> list[tuple[int, str]]:
    """(educator id, value) for each identity of `kind` among `values`, in scope."""
    if not values:
        return []
    column = func.lower(EducatorIdentity.value) if kind == "email" else EducatorIdentity.value
    return list(session.execute(
        select(EducatorIdentity.educator_id, column)
        .join(Educator, Educator.id == EducatorIdentity.educator_id)
        .where(EducatorIdentity.kind == kind, column.in_(values), scope)))


def identity_emails(session, scope) -> list[tuple[int, str]]:
    """(educator id, e-mail) of every extra e-mail identity in scope: a hashed recipient
    is matched by hashing each with the assertion's salt."""
    return list(session.execute(
        select(EducatorIdentity.educator_id, EducatorIdentity.value)
        .join(Educator, Educator.id == EducatorIdentity.educator_id)
        .where(EducatorIdentity.kind == "email", scope)))
