"""Open Badges imports: 2.0 Assertions and 3.0 OpenBadgeCredentials, one, a JSON list,
JSON Lines, a VC-JWT or signed assertion (JWS), or baked into a PNG or SVG; each checked
by the credentials' verifier (its proof, hosted copy, status, types and dates) before it
is read. The assertion or credential `id` is the entry's `external_id`; `issuedOn` /
`validFrom` its `earned_on`. The educator is found by `licenseNumber` (3.0
`credentialSubject`), by email, plain or hashed (`sha256$<hex>` of the email followed by
the assertion's `salt`), or by the subject's DID or URL among the educators' identities."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from ..credentials import received, rules
from ..credentials.received import Received
from ..credentials.verify import Verifier, offline
from ..engine import MICROCREDENTIAL
from .rows import Badge, Row, check_text, check_url, parse_date


class BadgeFileError(Exception):
    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(m for _, m in errors))
        self.errors = errors


def documents(data: bytes | str) -> list[Received]:
    """Each credential the file holds, as received: JSON (one, a list, JSON Lines), a
    VC-JWT or signed assertion, or a baked PNG or SVG."""
    try:
        return received.read(data.encode() if isinstance(data, str) else data)
    except received.Unreadable as exc:
        raise BadgeFileError([("file", str(exc))]) from None


def _text(obj, key) -> str | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    return value if isinstance(value, str) else None


def _unstorable(doc) -> list[tuple[str, str]]:
    """(path, message) for each string in the document that no database can store (a
    NUL character, or a lone surrogate from a `\\ud800` escape): such a row is refused
    before any of it is used. At most 10."""
    problems: list[tuple[str, str]] = []
    stack = [("", doc)]
    while stack and len(problems) < 10:
        path, value = stack.pop()
        if isinstance(value, dict):
            for key in value:
                if "\x00" in key or not _encodable(key):
                    problems.append((path[:200] or "row", "holds a name that is not valid text"))
                    break
            stack.extend((f"{path}.{_printable(k)}" if path else _printable(k), v)
                         for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", value[i]) for i in reversed(range(len(value))))
        elif isinstance(value, str):
            if "\x00" in value:
                problems.append((path[:200] or "row", "contains a NUL character"))
            elif not _encodable(value):
                problems.append((path[:200] or "row", "is not valid Unicode text"))
    return problems


def _printable(key: str) -> str:
    return key.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def rows(data: bytes | str, today: date, verifier: Verifier | None = None) -> Iterator[Row]:
    """A row for each credential; `verifier` checks its proof, hosted copy and status
    (offline, knowing no key, when not given)."""
    verifier = verifier or offline(today)
    for item in documents(data):
        row = Row(item.number, kind=MICROCREDENTIAL)
        doc = item.document
        unstorable = [] if item.problem else _unstorable(doc)
        if unstorable:
            for path, message in unstorable:
                row.error(path, message)
            yield row
            continue
        outcome = verifier.check(item)
        for field_, message in outcome.errors:
            row.error(field_, message)
        if outcome.document is not None and not outcome.errors:
            if rules.kind(outcome.document) == rules.OB3:
                _credential(row, outcome.document, today)
            else:
                _assertion(row, outcome.document, today)
            row.received = outcome
        yield row


def _identity(row: Row, identity: str | None, hashed, salt) -> None:
    if not identity:
        row.error("recipient", "the badge names no recipient")
        return
    if hashed is True or identity.lower().startswith(("sha256$", "md5$")):
        algorithm, _, digest = identity.partition("$")
        if algorithm.lower() != "sha256" or not digest:
            row.error("recipient", f"a recipient hashed with {algorithm!r} cannot be matched (only sha256)")
            return
        row.email_hash = (digest.lower(), salt if isinstance(salt, str) else "")
    else:
        row.email = identity.strip().lower()


def _assertion(row: Row, doc: dict, today: date) -> None:
    row.external_id = check_text(row, "id", _text(doc, "id"), 500)
    if row.external_id is None and not row.errors:
        row.error("id", "the assertion has no id")
    recipient = doc.get("recipient")
    if not isinstance(recipient, dict):
        row.error("recipient", "the badge names no recipient")
    else:
        kind = (_text(recipient, "type") or "email").lower()
        if kind == "url" and _text(recipient, "identity") and not recipient.get("hashed"):
            row.identity = ("url", _text(recipient, "identity").strip())
        elif kind != "email":
            row.error("recipient", f"a recipient identified by {kind!r} cannot be matched (use email or url)")
        else:
            _identity(row, _text(recipient, "identity"), recipient.get("hashed"), recipient.get("salt"))
    _earned(row, "issuedOn", _text(doc, "issuedOn"), today)
    badge = doc.get("badge")
    if not isinstance(badge, dict):
        row.error("badge", "the badge must be embedded (an object with id, name and issuer)")
    else:
        issuer = badge.get("issuer")
        row.badge = _badge(row, "badge", badge, issuer, tags=badge.get("tags"))
    _evidence(row, doc)


def _credential(row: Row, doc: dict, today: date) -> None:
    row.external_id = check_text(row, "id", _text(doc, "id"), 500)
    if row.external_id is None and not row.errors:
        row.error("id", "the credential has no id")
    subject = doc.get("credentialSubject")
    if not isinstance(subject, dict):
        row.error("credentialSubject", "the credential names no recipient")
        return
    license_number = subject.get("licenseNumber")
    if isinstance(license_number, str) and license_number.strip():
        row.license_number = check_text(row, "licenseNumber", license_number, 40)
        key = "licenseState" if "licenseState" in subject else "state"
        state = subject.get(key)
        if isinstance(state, str) and state.strip():
            state = state.strip().upper()
            if len(state) == 2 and state.isascii() and state.isalpha():
                row.state = state
            else:
                row.error(key, f"{state[:20]!r} is not a two-letter state code")
    else:
        identifiers = subject.get("identifier")
        if isinstance(identifiers, dict):
            identifiers = [identifiers]
        email = None
        for ident in identifiers if isinstance(identifiers, list) else []:
            if isinstance(ident, dict) and (_text(ident, "identityType") or "").lower() in ("emailaddress", "email"):
                email = ident
                break
        subject_id = _text(subject, "id")
        if email is None and (_text(subject, "email") or "").strip():
            row.email = _text(subject, "email").strip().lower()  # the European Learning Model's plain e-mail
        elif email is None and subject_id and subject_id.strip():
            kind = "did" if subject_id.startswith("did:") else "url"
            row.identity = (kind, subject_id.strip()[:500])
        elif email is None:
            row.error("recipient", "the badge names no recipient (licenseNumber, an emailAddress identifier, or "
                                   "the subject's id)")
        else:
            _identity(row, _text(email, "identityHash"), email.get("hashed"), email.get("salt"))
    _earned(row, "validFrom", _text(doc, "validFrom") or _text(doc, "issuanceDate") or _text(doc, "awardedDate"),
            today)
    achievement = subject.get("achievement")
    if not isinstance(achievement, dict):
        row.error("achievement", "the credential carries no achievement")
    else:
        row.badge = _badge(row, "achievement", achievement, achievement.get("creator") or doc.get("issuer"),
                           tags=achievement.get("tag"))
    _evidence(row, doc)


def _earned(row: Row, field_: str, issued: str | None, today: date) -> None:
    """The entry's `earned_on` from the assertion's issue date."""
    if not issued:
        row.error(field_, "is required")
        return
    row.earned_on, problem = parse_date(issued, today)
    if problem:
        row.error(field_, problem)


def _evidence(row: Row, doc: dict) -> None:
    """The first piece of evidence with a web address: a URL, or an object with an `id`.
    Evidence named otherwise (a blank node `_:b1`, a `urn:uuid:`) is valid Open Badges and
    simply has no link to keep; it never refuses the badge."""
    evidence = doc.get("evidence")
    items = evidence if isinstance(evidence, list) else [evidence]
    for item in items:
        address = _text(item, "id") if isinstance(item, dict) else item if isinstance(item, str) else None
        if address and address.strip().lower().startswith(("http://", "https://")):
            row.evidence_url = check_url(row, "evidence", address)
            return


def _badge(row: Row, where: str, badge: dict, issuer, tags) -> Badge | None:
    badge_id = check_text(row, f"{where}.id", _text(badge, "id"), 500)
    name = check_text(row, f"{where}.name", _text(badge, "name"), 300)
    if badge_id is None:
        row.error(f"{where}.id", "is required")
    if name is None:
        row.error(f"{where}.name", "is required")
    if isinstance(issuer, str):
        issuer_id, issuer_name = issuer, issuer
    elif isinstance(issuer, dict):
        issuer_id = _text(issuer, "id") or _text(issuer, "url") or _text(issuer, "name")
        issuer_name = _text(issuer, "name") or issuer_id
    else:
        issuer_id = issuer_name = None
    if not issuer_id:
        row.error(f"{where}.issuer", "is required")
    if badge_id is None or name is None or not issuer_id:
        return None
    tag_list = ([t.strip().lower()[:50] for t in tags if isinstance(t, str) and t.strip()]
                if isinstance(tags, list) else [])
    if any(ord(c) < 32 for t in tag_list for c in t):
        row.error(f"{where}.tags", "a tag contains control characters")
        return None
    return Badge(badge_id, name, issuer_id[:500], (issuer_name or issuer_id)[:200], sorted(set(tag_list)))
