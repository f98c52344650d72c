"""Where import rows come from: a CSV or Open Badges file, an API body or a page's
upload, each read lazily; a file that cannot be read as a whole is a FileProblem."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator
from datetime import date

from . import badges, csvfile
from .rows import Row


class FileProblem(Exception):
    """The file as a whole cannot be read (encoding, header, empty)."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__("; ".join(m for _, m in errors))
        self.errors = errors


def not_utf8(exc: UnicodeDecodeError, fmt: str) -> str:
    """What a clerk is told about a file in another encoding (Latin-1, Windows-1252...)."""
    save_as = "CSV UTF-8" if fmt == "csv" else "UTF-8 text"
    return (f"the file is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} cannot be read); "
            f"save it as {save_as} and send it again")


def unreadable_rows(errors: list[tuple[str, str]]) -> Callable[[], Iterator[Row]]:
    """Rows of a file already known to be unreadable: the import reports `errors`."""
    def rows():
        raise FileProblem(errors)
        yield  # a generator, like the others
    return rows


def csv_rows(open_text: Callable[[], Iterable[str]], today: date) -> Callable[[], Iterator[Row]]:
    def rows():
        try:
            yield from csvfile.rows(open_text(), today)
        except csvfile.HeaderError as exc:
            raise FileProblem(exc.errors) from None
    return rows


def badge_rows(data: bytes | str, today: date, verifier=None) -> Callable[[], Iterator[Row]]:
    def rows():
        try:
            yield from badges.rows(data, today, verifier)
        except badges.BadgeFileError as exc:
            raise FileProblem(exc.errors) from None
    return rows


def body_rows(data: bytes, fmt: str, today: date, verifier=None) -> Callable[[], Iterator[Row]]:
    """The rows of an uploaded file (an API body or a page's upload): CSV read as UTF-8
    with or without a BOM, or Open Badges (JSON, a JWT, a baked PNG or SVG), checked by
    `verifier` (credentials.verify)."""
    if fmt == "csv":
        return csv_rows(lambda: io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""), today)
    return badge_rows(data, today, verifier)
