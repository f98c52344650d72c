"""Official transcripts: issue (seal and record), revoke, find and verify. An issued
transcript is stored with its PDF bytes, their SHA-256, the standing it shows and its
signed CLR, and is never changed."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, datetime

import jwt
from flask import current_app, has_request_context, request
from sqlalchemy import select

from ..access import audit
from ..access.principals import ADMIN, EDUCATOR, STATE_OFFICE, Principal, educator_in_scope
from ..errors import Conflict, Forbidden, Invalid, LedgerError, NotFound, Unavailable
from ..models import Educator, Entry, License, ReceivedCredential, State, Transcript, TranscriptRevocation, utcnow
from ..rulebooks.service import newest_version
from ..standing.answer import read_standing
from ..standing.facts import rulebook_for
from ..standing.schemas import STANDING_OUT
from . import clr, document, keys, render, status, trust

ISSUERS = {ADMIN, STATE_OFFICE}
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # no I, L, O, U: easy to read aloud


def public_url(path: str = "") -> str:
    """Where people reach this ledger: PUBLIC_URL if set, else the request's own host."""
    base = current_app.config.get("PUBLIC_URL")
    if not base:
        base = request.host_url if has_request_context() else "http://127.0.0.1:5000/"
    return base.rstrip("/") + path


LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def _check_public_url() -> None:
    """A sealed transcript prints where to verify it, and its CLR names its issuer: never
    from a request's Host header, which any client sets. Without PUBLIC_URL, only a
    ledger reached on this machine (development, the demo) may issue."""
    if current_app.config.get("PUBLIC_URL") or not has_request_context():
        return
    if request.host.rsplit(":", 1)[0] not in LOOPBACK:
        raise Unavailable("official transcripts need PUBLIC_URL set (where people verify them); "
                          "ask the administrator to set it")


check_public_url = _check_public_url  # a season started from a page checks before its workers print


def new_serial(state: str, year: int) -> str:
    """TN-2026-7K3M-9QXD-R2HF: 60 random bits, so serials cannot be guessed or walked."""
    chars = "".join(secrets.choice(CROCKFORD) for _ in range(12))
    return f"{state}-{year}-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


# A serial as people type it from paper: spaces or any dash between (or no separator at
# all), lower case, and the letters Crockford's alphabet leaves out because they pass for
# others (I and L for 1, O for 0; U, never used either, for V). Only the year and the
# random part are read that way: a state code is letters (IL, LA, OH stay as typed).
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_.]+")
TYPED = re.compile(r"([A-Z]{2})([0-9OIL]{4})([0-9A-Z]{12})")
CONFUSED = str.maketrans("OILU", "011V")


def normalize_serial(serial: str) -> str:
    """The serial `serial` names, as issued (TN-2026-7K3M-9QXD-R2HF), however it was
    typed; text that cannot be a serial of that shape comes back trimmed and upper-cased."""
    text = serial.strip().upper()[:80]
    typed = TYPED.fullmatch(SEPARATORS.sub("", text))
    if typed is None:
        return text[:40]
    state, year, chars = typed.groups()
    chars = chars.translate(CONFUSED)
    return f"{state}-{year.translate(CONFUSED)}-{chars[:4]}-{chars[4:8]}-{chars[8:]}"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _state_for(session, principal: Principal, educator: Educator, state: str | None) -> State:
    code = (state or educator.state.code).upper()
    row = session.scalar(select(State).where(State.code == code))
    if row is None:
        raise Invalid(f"no rulebook loaded for state {code!r}", {"state": [f"no rulebook loaded for {code!r}"]})
    if principal.role == STATE_OFFICE and row.id != principal.state_id:
        raise Forbidden("a state office issues transcripts for its own state only")
    held = session.scalar(select(License.id).where(License.educator_id == educator.id,
                                                   License.state_id == row.id).limit(1))
    if held is None:
        raise Invalid(f"educator {educator.id} holds no {code} license",
                      {"state": [f"the educator holds no {code} license"]})
    return row


def _check_as_of(as_of: date | None, today: date) -> date:
    as_of = as_of or today
    if as_of > today:
        raise Invalid("as_of cannot be after today", {"as_of": [f"must be on or before {today.isoformat()}"]})
    return as_of


def _document(session, educator, state: State, as_of: date, official: bool, now: datetime,
              max_entries: int | None = None):
    """The document, and the standing it shows as the API answers it (what is stored).
    With `max_entries` (a request, which must answer in seconds), a transcript that would
    list more entries is refused before it is laid out: print it from the command line or
    in a season, where no request waits."""
    answer = read_standing(session, educator, state.code, as_of)
    listed = len(answer.standing.entries)
    if max_entries is not None and listed > max_entries:
        raise Invalid(f"this transcript would list {listed:,} entries, more than the {max_entries:,} a page or API "
                      "call prints: print it with `flask ledger print-transcript` or in a season",
                      {"educator": [f"{listed:,} entries: more than {max_entries:,}"]})
    office = document.office_name(newest_version(session, state.code).document, state.name)
    doc = document.assemble(session, educator, answer.standing, office=office, official=official, generated_at=now)
    return doc, STANDING_OUT.dump(answer)


def issue(session, principal: Principal, educator_id: int, *, state: str | None = None,
          as_of: date | None = None, today: date, season: str | None = None,
          max_entries: int | None = None) -> Transcript:
    """Issue an official transcript: render, seal (SHA-256), sign the CLR, record. The
    caller commits."""
    educator = educator_in_scope(session, principal, educator_id)
    if principal.role not in ISSUERS:
        raise Forbidden(f"the {principal.role} role may not issue official transcripts")
    state_row = _state_for(session, principal, educator, state)
    as_of = _check_as_of(as_of, today)
    _check_public_url()
    now = utcnow()
    doc, standing = _document(session, educator, state_row, as_of, True, now, max_entries)
    doc.serial = new_serial(state_row.code, now.year)
    doc.verify_url = public_url(f"/verify/{doc.serial}")
    doc.qr = render.qr_data_uri(doc.verify_url)
    pdf = render.pdf(doc)
    digest = sha256(pdf)
    status_list, status_index = status.allocate(session, state_row.id)
    vc = clr.credential(doc, standing, now, sources=_sources(session, standing),
                        status=status.entry(trust.status_list_url(state_row.code, status_list), status_index))
    vc["evidence"][0]["description"] = f"SHA-256 of the PDF: {digest}"
    row = Transcript(status_list=status_list, status_index=status_index,
        serial=doc.serial, educator_id=educator.id, state_id=state_row.id, as_of=as_of,
        issued_at=now, issued_by=principal.actor, office=doc.office, name=doc.name,
        license_number=doc.license_number, sha256=digest, standing=standing, pdf=pdf,
        clr=clr.sign(vc, state_row.code, now), season=season,
    )
    session.add(row)
    session.flush()
    audit.record(session, principal.actor, "issue_transcript", "transcript", row.serial,
                 {"educator_id": educator.id, "state": state_row.code, "as_of": as_of.isoformat(),
                  "sha256": digest, "season": season})
    return row


def _sources(session, standing: dict) -> dict[int, dict]:
    """Where each micro-credential entry came from: the original credential's id (an
    import's external_id), the evidence URL recorded with it, and the credential as
    received (its format and bytes) when it was imported as an Open Badge."""
    ids = [e["id"] for e in standing["entries"] if e["kind"] == "microcredential"]
    if not ids:
        return {}
    rows = session.execute(select(Entry.id, Entry.external_id, Entry.evidence_url, ReceivedCredential.format,
                                  ReceivedCredential.original)
                           .outerjoin(ReceivedCredential, ReceivedCredential.entry_id == Entry.id)
                           .where(Entry.id.in_(ids)))
    return {i: {"external_id": ext, "evidence_url": url, "received": (fmt, original) if fmt else None}
            for i, ext, url, fmt, original in rows}


def unofficial(session, principal: Principal, educator_id: int, *, state: str | None = None,
               as_of: date | None = None, today: date, max_entries: int | None = None) -> tuple[bytes, Educator]:
    """The same layout, marked unofficial, recorded nowhere. Anyone who may read the
    educator may have it (the educator above all)."""
    educator = educator_in_scope(session, principal, educator_id)
    code = (state or educator.state.code).upper()
    rulebook_for(session, code)  # 422 naming `state` when none is loaded
    state_row = session.scalar(select(State).where(State.code == code))
    as_of = _check_as_of(as_of, today)
    doc, _ = _document(session, educator, state_row, as_of, False, utcnow(), max_entries)
    return render.pdf(doc), educator


SERIAL = re.compile(r"[A-Z0-9-]{1,40}")


def find(session, serial: str) -> Transcript | None:
    serial = normalize_serial(serial)
    if not SERIAL.fullmatch(serial):
        return None  # not a serial at all: never issued
    return session.scalar(select(Transcript).where(Transcript.serial == serial))


def get(session, principal: Principal, serial: str) -> Transcript:
    """An issued transcript as its reader may see it: the state office of its state, the
    educator it belongs to, or an admin; for anyone else it does not exist."""
    row = find(session, serial)
    if row is None or not _may_read(principal, row):
        raise NotFound(f"transcript {serial!r} not found")
    return row


def _may_read(principal: Principal, row: Transcript) -> bool:
    if principal.role == ADMIN:
        return True
    if principal.role == STATE_OFFICE:
        return row.state_id == principal.state_id
    if principal.role == EDUCATOR:
        return row.educator_id == principal.educator_id
    return False


def for_educator(session, principal: Principal, educator_id: int) -> list[Transcript]:
    educator = educator_in_scope(session, principal, educator_id)
    rows = session.scalars(select(Transcript).where(Transcript.educator_id == educator.id)
                           .order_by(Transcript.issued_at.desc(), Transcript.id.desc()))
    return [r for r in rows if _may_read(principal, r)]


def revoke(session, principal: Principal, serial: str, reason: str) -> Transcript:
    row = get(session, principal, serial)
    if principal.role not in ISSUERS:
        raise Forbidden(f"the {principal.role} role may not revoke transcripts")
    if row.revocation is not None:
        raise Conflict(f"transcript {row.serial} was already revoked on {row.revocation.revoked_at.date()}")
    session.add(TranscriptRevocation(transcript_id=row.id, reason=reason, revoked_by=principal.actor))
    audit.record(session, principal.actor, "revoke_transcript", "transcript", row.serial, {"reason": reason})
    session.flush()
    session.refresh(row)
    return row


def sealed(row: Transcript) -> bool:
    """Whether the stored record is still what was issued: the PDF hashes to the stored
    digest, and the CLR signed at issue (the state's key; whoever edits the database does
    not hold it) names this serial, this person and this digest. A row changed behind the
    application's back (the PDF and digest swapped, the name edited) fails here."""
    if sha256(row.pdf) != row.sha256:
        return False
    try:
        claims = clr.verify(row.clr, clr.key_for(row.clr, keys.public_jwks(row.state.code)))
    except (jwt.InvalidTokenError, LedgerError, ValueError):
        return False
    evidence = (claims.get("evidence") or [{}])[0].get("description")
    return (claims.get("jti") == f"urn:ledger:transcript:{row.serial}"
            and evidence == f"SHA-256 of the PDF: {row.sha256}"
            and str(claims.get("description", "")).startswith(f"{row.name}, license {row.license_number},"))


def verification(row: Transcript | None, serial: str) -> dict:
    """What anyone may learn from a serial: valid or not, and no personal data beyond the
    name and license number printed on the transcript. Valid means issued, not revoked,
    and still sealed (`sealed`)."""
    if row is None:
        return {"valid": False, "serial": normalize_serial(serial), "issued_at": None, "state": None,
                "educator": None, "sha256": None, "revoked": False}
    revoked = row.revocation is not None
    intact = sealed(row)
    return {
        "valid": not revoked and intact,
        "sealed": intact,
        "serial": row.serial,
        "issued_at": row.issued_at.isoformat().replace("+00:00", "Z"),
        "state": row.state.code,
        "educator": {"name": row.name, "license_number": row.license_number},
        "sha256": row.sha256,
        "revoked": revoked,
        # beyond the contract's fields
        "as_of": row.as_of.isoformat(),
        "office": row.office,
        "revoked_on": row.revocation.revoked_at.date().isoformat() if revoked else None,
    }


def check_file(row: Transcript | None, data: bytes) -> dict:
    """Is this file exactly the PDF that was issued under this serial?"""
    digest = sha256(data)
    return {"matches": row is not None and digest == row.sha256, "sha256": digest}


def by_digest(session, digest: str) -> Transcript | None:
    return session.scalar(select(Transcript).where(Transcript.sha256 == digest).limit(1))


def pdf_bytes(session, row: Transcript) -> bytes:
    return session.scalar(select(Transcript.pdf).where(Transcript.id == row.id))


def clr_token(session, row: Transcript) -> str:
    return session.scalar(select(Transcript.clr).where(Transcript.id == row.id))
