"""What an evidence file is, judged by its bytes, never by its name: a PDF, a PNG or a
JPEG, at most 10 MB, and nothing else hiding in it.

A polyglot (bytes that are a valid PNG or PDF and also HTML or script a browser would
run, e.g. an HTML page glued after a PNG's end, or HTML before `%PDF`) is refused, as is
a PDF carrying JavaScript. The name only has to agree: a PDF named `.png` is refused,
naming both. Pure functions: no Flask, no database."""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

MAX_BYTES = 10 * 1024 * 1024  # 10 MB (MiB): 10,485,760 bytes
PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"
TYPES = {PDF: "a PDF", PNG: "a PNG image", JPEG: "a JPEG image"}
EXTENSIONS = {PDF: {"pdf"}, PNG: {"png"}, JPEG: {"jpg", "jpeg", "jpe", "jfif"}}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What a browser would read as a page or run as a script, wherever it sits in the bytes.
ACTIVE = re.compile(rb"<\s*(?:!doctype\s+html|html|script|iframe|svg|object|embed)\b|javascript:", re.IGNORECASE)
PDF_SCRIPT = re.compile(rb"/(?:JavaScript|JS\s*[(<]|Launch|EmbeddedFile)\b")


class EvidenceError(ValueError):
    """Why the file is refused, in words for the person who sent it."""


@dataclass(frozen=True)
class Checked:
    content_type: str
    size: int


def describe(data: bytes) -> str:
    """What the bytes look like, to say why they are refused."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")) or b"<html" in head:
        return "an HTML page"
    if head.startswith(b"<svg") or (head.startswith(b"<?xml") and b"<svg" in head):
        return "an SVG image"
    if head.startswith((b"{", b"[")):
        return "JSON text"
    if data.startswith(b"GIF8"):
        return "a GIF image"
    if data.startswith(b"PK\x03\x04"):
        return "a ZIP archive (or a Word or Excel file)"
    if b"%PDF-" in data[:1024]:
        return "a PDF with something before its %PDF header"
    return "not a file of a known kind"


def sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(PNG_SIGNATURE):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    return None


def check(data: bytes, name: str | None = None, *, max_bytes: int = MAX_BYTES) -> Checked:
    """The file's type, when it is a PDF, PNG or JPEG within `max_bytes` holding nothing
    a browser would run; else EvidenceError naming why."""
    label = f"{name!r}" if name else "the file"
    if not data:
        raise EvidenceError(f"{label} is empty")
    if len(data) > max_bytes:
        raise EvidenceError(f"{label} is {len(data):,} bytes: larger than the {max_bytes // (1024 * 1024)} MB "
                            f"({max_bytes:,} bytes) an evidence file may be")
    kind = sniff(data)
    if kind is None:
        raise EvidenceError(f"{label} is {describe(data)}, not a PDF, PNG or JPEG")
    extension = name.rsplit(".", 1)[-1].lower() if name and "." in name else None
    if extension is not None and extension not in EXTENSIONS[kind]:
        raise EvidenceError(f"{label} is {TYPES[kind]} but its name ends in .{extension[:20]}: "
                            f"name it .{sorted(EXTENSIONS[kind])[0]} (the type is read from the content)")
    {PDF: _pdf, PNG: _png, JPEG: _jpeg}[kind](data, label)
    active = ACTIVE.search(data)
    if active:
        raise EvidenceError(f"{label} is {TYPES[kind]} that also holds HTML or script "
                            f"({active.group(0)[:20].decode('latin-1')!r} at byte {active.start():,}): "
                            "a file that is two things at once is refused")
    return Checked(kind, len(data))


def _pdf(data: bytes, label: str) -> None:
    if b"%%EOF" not in data[-2048:]:
        raise EvidenceError(f"{label} starts like a PDF but is cut short (no %%EOF at its end)")
    script = PDF_SCRIPT.search(data)
    if script:
        raise EvidenceError(f"{label} is a PDF with actions a viewer would run "
                            f"({script.group(0)[:12].decode('latin-1')}): print it to a plain PDF and send that")


def _png(data: bytes, label: str) -> None:
    """Walk the chunks: IHDR first, each length within the file, IEND last with nothing
    after it (bytes glued after the image are how a PNG becomes a polyglot)."""
    at, first = len(PNG_SIGNATURE), True
    while True:
        if at + 12 > len(data):
            raise EvidenceError(f"{label} is a PNG cut short (no IEND chunk at its end)")
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        if first and kind != b"IHDR":
            raise EvidenceError(f"{label} is not a well-formed PNG (its first chunk is not IHDR)")
        first = False
        at += 12 + length
        if at > len(data):
            raise EvidenceError(f"{label} is a PNG cut short (a chunk runs past the end of the file)")
        if kind == b"IEND":
            break
    if at != len(data):
        raise EvidenceError(f"{label} is a PNG with {len(data) - at:,} bytes after its end (IEND): "
                            "a file that is two things at once is refused")


def _jpeg(data: bytes, label: str) -> None:
    if b"\xff\xd9" not in data[-4096:]:
        raise EvidenceError(f"{label} is a JPEG cut short (no end-of-image marker)")
