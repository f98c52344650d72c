"""Text no database can store (a NUL, a lone surrogate), refused wherever text comes in."""

from __future__ import annotations

from collections.abc import Iterator


def unstorable_text(value, path: str = "") -> Iterator[tuple[str, list[str]]]:
    """(path, [message]) for each string holding a NUL or a lone surrogate, in a JSON-like value."""
    if isinstance(value, str):
        if "\x00" in value:
            yield path or "_body", ["contains a NUL character"]
        else:
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                yield path or "_body", ["is not valid Unicode text"]
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from unstorable_text(k, path or "_body")
            yield from unstorable_text(v, f"{path}.{k}" if path else str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from unstorable_text(v, f"{path}[{i}]")
