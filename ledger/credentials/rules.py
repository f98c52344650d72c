"""What makes an Open Badges document acceptable before any key is asked: its kind, its
types (strict, as 1EdTech's validator checks them), its `@context`, and its dates. Pure
functions over the parsed JSON and the day; each problem is (field, why).

Open Badges 2.0 (IMS Global, 2018): an Assertion's `type` is `Assertion` (an
`OtherAssertion` is not one); `expires` after which it is no longer valid; a
`verification.type` of `signed` means the assertion is only valid as its JWS.
Open Badges 3.0 (1EdTech, 2024): `type` holds `VerifiableCredential` and
`OpenBadgeCredential` (or `AchievementCredential`); the first `@context` is the VC data
model's and an OB 3.0 context follows; each nested object's `type` names its class
(AchievementSubject, Achievement, Profile, IdentityObject, Result, Evidence...);
`validUntil` (VC 2.0) or `expirationDate` (VC 1.1) ends its validity."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit

OB2, OB3 = "ob2", "ob3"
VC_CONTEXTS = ("https://www.w3.org/ns/credentials/v2", "https://www.w3.org/2018/credentials/v1")
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context"
OB3_TYPES = {"OpenBadgeCredential", "AchievementCredential"}

# (path of an object inside an OB 3.0 credential, the class its `type` must name)
NESTED = {
    ("issuer",): "Profile",
    ("issuer", "parentOrg"): "Profile",
    ("issuer", "otherIdentifier"): "IdentifierEntry",
    ("credentialSubject",): "AchievementSubject",
    ("credentialSubject", "identifier"): "IdentityObject",
    ("credentialSubject", "source"): "Profile",
    ("credentialSubject", "result"): "Result",
    ("credentialSubject", "achievement"): "Achievement",
    ("credentialSubject", "achievement", "creator"): "Profile",
    ("credentialSubject", "achievement", "resultDescription"): "ResultDescription",
    ("credentialSubject", "achievement", "alignment"): "Alignment",
    ("evidence",): "Evidence",
}


def types(obj) -> set[str]:
    t = obj.get("type") if isinstance(obj, dict) else None
    if isinstance(t, str):
        return {t}
    if isinstance(t, list):
        return {x for x in t if isinstance(x, str)}
    return set()


def kind(doc) -> str | None:
    """ob3 for an OpenBadgeCredential/AchievementCredential, ob2 for an Assertion."""
    t = types(doc)
    if t & OB3_TYPES:
        return OB3
    if "Assertion" in t:
        return OB2
    return None


def not_a_credential(doc) -> str:
    """Why a document that is neither kind is refused, saying what it seems to be."""
    if not isinstance(doc, dict):
        return "is not a JSON object: send an Open Badges 2.0 Assertion or a 3.0 OpenBadgeCredential"
    t = types(doc)
    named = ", ".join(sorted(t)) or "none"
    if "BadgeClass" in t or "Achievement" in t:
        return (f"is a badge's description ({named}), not an award of it to someone: send the Assertion or "
                "OpenBadgeCredential that names the recipient")
    if t & {"Issuer", "Profile"}:
        return f"is an issuer's profile ({named}), not a badge: send the Assertion or OpenBadgeCredential"
    if "EndorsementCredential" in t:
        return "is an endorsement (EndorsementCredential), not a badge awarded to an educator"
    if "VerifiableCredential" in t:
        return (f"is a verifiable credential of type {named}, not an OpenBadgeCredential or "
                "AchievementCredential")
    if "recipient" in doc or "badge" in doc:
        return (f"has type {named}: an Open Badges 2.0 assertion must have type Assertion (ask the issuer for "
                "the assertion as issued)")
    return f"is neither an Open Badges 2.0 Assertion nor a 3.0 OpenBadgeCredential (type: {named})"


def problems(doc: dict, today: date) -> list[tuple[str, str]]:
    """What is wrong with a credential of a known kind, whatever its proof."""
    if kind(doc) == OB3:
        return _ob3(doc, today)
    return _ob2(doc, today)


def _ob2(doc: dict, today: date) -> list[tuple[str, str]]:
    out = []
    issued = _when(doc.get("issuedOn"))
    expires = _when(doc.get("expires"))
    if expires is not None and issued is not None and expires < issued:
        out.append(("expires", f"{expires} is before the assertion was issued ({issued})"))
    elif expires is not None and expires < today:
        out.append(("expires", f"the assertion expired on {expires}"))
    if doc.get("revoked") is True:
        out.append(("revoked", "the assertion says it was revoked"))
    context = doc.get("@context")
    if context is not None and "https://w3id.org/openbadges/v2" not in _list(context) and \
            "https://openbadgespec.org/v2/context.json" not in _list(context):
        out.append(("@context", "must include https://w3id.org/openbadges/v2"))
    return out


def _ob3(doc: dict, today: date) -> list[tuple[str, str]]:
    out = []
    if "VerifiableCredential" not in types(doc):
        out.append(("type", "must include VerifiableCredential"))
    if not doc.get("issuer"):
        out.append(("issuer", "is required: the credential names no issuer"))
    contexts = _list(doc.get("@context"))
    if not contexts or contexts[0] not in VC_CONTEXTS:
        out.append(("@context", "must begin with the W3C credentials context "
                                "(https://www.w3.org/ns/credentials/v2)"))
    if not any(isinstance(c, str) and c.startswith(OB3_CONTEXT) for c in contexts):
        out.append(("@context", "must include an Open Badges 3.0 context "
                                "(https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json)"))
    for path, wanted in NESTED.items():
        for where, obj in _at(doc, path):
            if isinstance(obj, dict) and wanted not in types(obj):
                have = ", ".join(sorted(types(obj))) or "none"
                out.append((where, f"type must include {wanted} (it is {have})"))
    until = _when(doc.get("validUntil") or doc.get("expirationDate"))
    start = _when(doc.get("validFrom") or doc.get("issuanceDate"))
    field_ = "validUntil" if "validUntil" in doc else "expirationDate"
    if until is not None and start is not None and until < start:
        out.append((field_, f"{until} is before the credential became valid ({start})"))
    elif until is not None and until < today:
        out.append((field_, f"the credential expired on {until}"))
    return out


def _list(value) -> list:
    return value if isinstance(value, list) else [value] if value is not None else []


def _at(doc, path: tuple[str, ...], where: str = ""):
    """(dotted path, object) for every object at `path`, lists walked."""
    if not path:
        yield where, doc
        return
    value = doc.get(path[0]) if isinstance(doc, dict) else None
    here = f"{where}.{path[0]}" if where else path[0]
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _at(item, path[1:], f"{here}[{i}]")
    elif value is not None:
        yield from _at(value, path[1:], here)


def _when(value) -> date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        if len(text) > 10 and text[10] in "T ":
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def signature_stripped(doc: dict) -> bool:
    """An OB 2.0 assertion that says it is signed, sent as bare JSON: its signature was
    taken off, so nothing vouches for it."""
    verification = doc.get("verification")
    kind_ = verification.get("type") if isinstance(verification, dict) else None
    return isinstance(kind_, str) and kind_.lower() in ("signed", "signedbadge")


def hosted_origin(assertion_id, issuer: dict, strict: bool) -> str | None:
    """OB 2.0 hosted verification: an assertion is hosted where its issuer allows, by its
    VerificationObject's `startsWith` (URL prefixes), else `allowedOrigins` (host names),
    else the origin of the issuer's own id. The issuer's explicit rules are always
    applied; the default only when the ledger vouches for the hosted copy (`strict`).
    Why it is refused, or None."""
    if not isinstance(assertion_id, str):
        return None
    try:
        host = urlsplit(assertion_id).hostname
        issuer_host = urlsplit(issuer["id"]).hostname if isinstance(issuer.get("id"), str) else None
    except ValueError:
        return f"the assertion's id {assertion_id[:200]} is not an address"
    verification = issuer.get("verification") if isinstance(issuer.get("verification"), dict) else {}
    starts = [s for s in _list(verification.get("startsWith")) if isinstance(s, str)]
    if starts:
        if not any(assertion_id.startswith(s) for s in starts):
            return (f"the assertion is hosted at {assertion_id[:200]}, which its issuer does not allow (its "
                    f"verification.startsWith: {', '.join(starts)[:300]})")
        return None
    origins = [o.lower() for o in _list(verification.get("allowedOrigins")) if isinstance(o, str)]
    if origins:
        if (host or "") not in origins:
            return (f"the assertion is hosted on {host}, which its issuer does not allow (its "
                    f"verification.allowedOrigins: {', '.join(origins)[:300]})")
        return None
    if strict and issuer_host and host != issuer_host:
        return (f"the assertion is hosted on {host}, not on its issuer's own host {issuer_host} (and the issuer "
                "names no other allowed origin)")
    return None
