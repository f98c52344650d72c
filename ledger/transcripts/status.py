"""Revocation a verifier can see: a W3C Bitstring Status List per state.

Why this and not 1EdTech's revocation list: the bitstring says nothing but one bit per
transcript, so publishing it reveals neither which transcripts were revoked nor how many
were issued (a 1EdTech list names each revoked credential's id, here a serial that
anyone holding it could look up); it is a W3C Recommendation of the same VC 2.0 family
as the CLR, its terms are in the VC 2.0 context the CLR already uses, and 1EdTech's
validator checks it.

Each transcript gets, at issue, a random unused bit of its state's current list (random
so the index says nothing about when it was issued or how many came before); each list
is 131,072 bits (16 KiB, the spec's minimum, for herd privacy) and takes at most half
that many transcripts before the next list opens, so a free bit is found in a draw or
two. The list's bits are not stored: they are read from the revocations whenever the
list is asked for, so revoking a transcript flips its bit at once, and the CLR's own
bytes never change."""

from __future__ import annotations

import base64
import gzip
import secrets
from datetime import datetime, timezone

from sqlalchemy import func, select

from ..models import Transcript, TranscriptRevocation

SIZE = 131_072
FILL = SIZE // 2
PURPOSE = "revocation"


def allocate(session, state_id: int) -> tuple[int, int]:
    """(list number, bit) for a new transcript of this state. Two issuers drawing the same
    bit at the same moment are stopped by the unique index (one of them fails, as a
    conflict, and can be issued again)."""
    used = session.scalar(select(func.count(Transcript.id)).where(
        Transcript.state_id == state_id, Transcript.status_index.is_not(None))) or 0
    number = used // FILL + 1
    while True:
        index = secrets.randbelow(SIZE)
        taken = session.scalar(select(Transcript.id).where(
            Transcript.state_id == state_id, Transcript.status_list == number,
            Transcript.status_index == index).limit(1))
        if taken is None:
            return number, index


def lists_in_use(session, state_id: int) -> int:
    """How many lists the state has (at least 1: the one its next transcript will use)."""
    return session.scalar(select(func.max(Transcript.status_list)).where(Transcript.state_id == state_id)) or 1


def revoked_bits(session, state_id: int, number: int) -> list[int]:
    return list(session.scalars(
        select(Transcript.status_index).join(TranscriptRevocation, TranscriptRevocation.transcript_id == Transcript.id)
        .where(Transcript.state_id == state_id, Transcript.status_list == number)))


def encode(bits: list[int], size: int = SIZE) -> str:
    """The spec's encodedList: bit 0 is the leftmost bit of the first byte; GZIP; then
    multibase base64url without padding (the leading `u`)."""
    raw = bytearray(size // 8)
    for i in bits:
        raw[i // 8] |= 0x80 >> (i % 8)
    packed = gzip.compress(bytes(raw), mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).rstrip(b"=").decode()


def entry(list_url: str, index: int) -> dict:
    """The CLR's `credentialStatus`."""
    return {"id": f"{list_url}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": PURPOSE,
            "statusListIndex": str(index), "statusListCredential": list_url}


def credential(list_url: str, issuer_id: str, bits: list[int], now: datetime) -> dict:
    """The BitstringStatusListCredential (unsigned), as of `now`."""
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {"id": f"{list_url}#list", "type": "BitstringStatusList", "statusPurpose": PURPOSE,
                              "encodedList": encode(bits)},
    }
