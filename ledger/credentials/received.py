"""What a badge file holds, as received: Open Badges JSON (one credential, a list, or
JSON Lines), a compact JWS (an OB 3.0 VC-JWT or an OB 2.0 signed assertion), or either
baked into a PNG (the `openbadges` iTXt/tEXt chunk) or an SVG (the
`openbadges:credential` / `openbadges:assertion` element). Pure: no network, no database.

Each credential keeps the exact bytes it came as (`original`), so the ledger can keep it
and a CLR can carry it as received. A file that is none of these is refused saying what
it looks like and what would make it acceptable."""

from __future__ import annotations

import base64
import binascii
import html
import json
import re
import struct
import zlib
from dataclasses import dataclass

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG_BAKE = re.compile(rb"<openbadges:(credential|assertion)\b([^>]*?)(/>|>(.*?)</openbadges:\1\s*>)", re.S)
SVG_VERIFY = re.compile(rb"""\bverify\s*=\s*["']([^"']*)["']""")
ADDRESS = re.compile(r"^https?://\S+$")
JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
MAX_INFLATED = 1024 * 1024  # a compressed iTXt chunk may not inflate past this (a zip bomb)

JSON_FORMAT, JWS_FORMAT = "json", "jws"


class Unreadable(ValueError):
    """The file as a whole cannot be read; the message says what it is and what to send."""


@dataclass
class Received:
    """One credential as it came: `document` is its JSON (a JWS's payload, unverified),
    `token` the compact JWS when signed that way, `original` the exact bytes."""

    number: int  # its row: 1, its place in a list, or its line
    document: object
    original: bytes
    container: str  # json, jws, png, svg
    token: str | None = None
    hosted_url: str | None = None  # the bake held only this address
    problem: str | None = None  # this one line/item could not be read

    @property
    def signed(self) -> bool:
        return self.token is not None


def png_text_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of a PNG's chunks, for reading a baked badge; [] when not a PNG."""
    if not data.startswith(PNG_SIGNATURE):
        return []
    chunks, at = [], len(PNG_SIGNATURE)
    while at + 12 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if at + 12 + length > len(data):
            break
        chunks.append((kind, data[at + 8:at + 8 + length]))
        at += 12 + length
        if kind == b"IEND":
            break
    return chunks


def read(data: bytes, label: str = "the file") -> list[Received]:
    """Every credential in the file, in order."""
    if not data.strip():
        raise Unreadable(f"{label} is empty: send the badge's JSON, its VC-JWT, or the baked PNG or SVG")
    if data.startswith(PNG_SIGNATURE):
        return [_baked(_from_png(data, label), "png", label)]
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        return [_baked(_from_svg(data, label), "svg", label)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if head.startswith((b"{", b"[")):
            raise Unreadable(f"{label} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} cannot be read): "
                             "Open Badges JSON is UTF-8; save it as UTF-8 text and send it again") from None
        raise Unreadable(
            f"{label} is neither Open Badges JSON or a JWT (text) nor a baked PNG or SVG badge: byte "
            f"0x{exc.object[exc.start]:02x} at {exc.start} is not UTF-8 text. Send the badge as its JSON, its "
            "VC-JWT, or the PNG or SVG image the issuer baked it into") from None
    stripped = text.strip()
    if JWS.match(stripped):
        return [_signed(1, stripped, "jws", label)]
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    if lines and all(ADDRESS.match(line) for _, line in lines):
        # hosted badges given by their addresses, one a line: each is fetched
        return [Received(n, None, line.encode(), "url", hosted_url=line) for n, line in lines]
    return _json(text, label)


def _signed(number: int, token: str, container: str, label: str) -> Received:
    try:
        payload = json.loads(_b64(token.split(".")[1]))
    except (ValueError, binascii.Error, RecursionError):
        raise Unreadable(f"{label} is a JWT whose payload is not JSON, so it is not an Open Badges credential: "
                         "send the VC-JWT or signed assertion exactly as the issuer gave it") from None
    return Received(number, payload, token.encode(), container, token=token)


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _json(text: str, label: str) -> list[Received]:
    try:
        data = json.loads(text)
    except RecursionError:
        raise Unreadable(f"{label}: the JSON is nested too deeply to be an Open Badges credential") from None
    except json.JSONDecodeError as whole:
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        looks_like_lines = len(lines) >= 2 and 2 * sum(line.lstrip().startswith("{") for _, line in lines) > len(lines)
        if not looks_like_lines:
            raise Unreadable(f"{label} is not valid JSON ({whole.msg} at line {whole.lineno}, column "
                             f"{whole.colno}): fix it there, or send the VC-JWT or baked image instead") from None
        out = []
        for n, line in lines:
            try:
                out.append(Received(n, json.loads(line), line.strip().encode(), JSON_FORMAT))
            except (json.JSONDecodeError, RecursionError) as exc:
                out.append(Received(n, None, b"", JSON_FORMAT,
                                    problem=f"not JSON: {getattr(exc, 'msg', 'nested too deeply')}"))
        return out
    if isinstance(data, list):
        if not data:
            raise Unreadable("the list holds no assertions or credentials: send at least one")
        return [_item(n, item) for n, item in enumerate(data, 1)]
    return [Received(1, data, text.strip().encode(), JSON_FORMAT)]


def _item(number: int, item) -> Received:
    """An item of a JSON list: a credential, or a compact JWS as a string."""
    if isinstance(item, str) and JWS.match(item.strip()):
        try:
            return _signed(number, item.strip(), "jws", f"item {number}")
        except Unreadable as exc:
            return Received(number, None, b"", JWS_FORMAT, problem=str(exc))
    text = json.dumps(item, separators=(",", ":"), ensure_ascii=False)
    return Received(number, item, text.encode("utf-8", "backslashreplace"), JSON_FORMAT)


def _baked(raw: bytes, container: str, label: str) -> Received:
    what = "PNG" if container == "png" else "SVG"
    try:
        text = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise Unreadable(f"{label} is a baked {what} whose badge is not UTF-8 text: ask the issuer for the badge's "
                         "JSON or VC-JWT") from None
    if JWS.match(text):
        return _signed(1, text, container, label)
    if text.startswith(("http://", "https://")):
        return Received(1, None, raw, container, hosted_url=text)
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        raise Unreadable(f"{label} is a baked {what} whose badge is neither JSON, a JWT nor an address: ask the "
                         "issuer for the badge's JSON or VC-JWT") from None
    return Received(1, doc, text.encode(), container)


def _from_png(data: bytes, label: str) -> bytes:
    """The bake: OB 3.0's iTXt `openbadgecredential`, or OB 2.0's iTXt/tEXt `openbadges`."""
    for kind, chunk in png_text_chunks(data):
        keyword, _, rest = chunk.partition(b"\x00")
        if keyword not in (b"openbadgecredential", b"openbadges"):
            continue
        if kind == b"tEXt":
            return rest
        if kind != b"iTXt" or len(rest) < 2:
            continue
        compressed, rest = rest[0], rest[2:]
        _, _, rest = rest.partition(b"\x00")  # language tag
        _, _, text = rest.partition(b"\x00")  # translated keyword
        if compressed:
            inflater = zlib.decompressobj()
            try:
                text = inflater.decompress(text, MAX_INFLATED)
            except zlib.error:
                raise Unreadable(f"{label} is a baked PNG whose Open Badges chunk cannot be inflated: ask the "
                                 "issuer for the badge's JSON or VC-JWT") from None
            if inflater.unconsumed_tail:
                raise Unreadable(f"{label} is a baked PNG whose Open Badges chunk inflates past 1 MB")
        return text
    raise Unreadable(f"{label} is a PNG image without an Open Badges bake (no iTXt chunk named openbadgecredential "
                     "or openbadges): send the badge image as the issuer baked it, or the badge's JSON or VC-JWT")


def _from_svg(data: bytes, label: str) -> bytes:
    match = SVG_BAKE.search(data)
    if match is None:
        raise Unreadable(f"{label} is an SVG or XML file without an Open Badges bake (no openbadges:credential or "
                         "openbadges:assertion element): send the badge image as the issuer baked it, or the "
                         "badge's JSON or VC-JWT")
    body = (match.group(4) or b"").strip()
    if body.startswith(b"<![CDATA[") and body.endswith(b"]]>"):
        body = body[len(b"<![CDATA["):-3]
    elif body:
        body = html.unescape(body.decode("utf-8", "replace")).encode()
    if not body.strip():
        verify = SVG_VERIFY.search(match.group(2) or b"")
        return verify.group(1) if verify else b""
    return body
