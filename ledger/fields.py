"""Field rules every schema shares (rulebooks, catalog, requests): codes, bounded
decimals, dates a database can hold, two-letter state codes."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from marshmallow import fields, validate

from .text import printable

CODE = validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$", error="letters, digits, '-', '_' or '.'")
STATE_CODE = validate.Regexp(r"^[A-Za-z]{2}$", error="a two-letter state code")
EARLIEST = dt.date(1900, 1, 1)
DATES = validate.Range(min=EARLIEST, max=dt.date(2200, 12, 31), error="must be between 1900-01-01 and 2200-12-31")
NAME = [validate.Length(min=1, max=100), printable]
MAX_UNITS = 100000
# A measure of learning other than the state's unit (ceu, semester_hour): rulebooks convert
# it, entries and import rows carry it.
MEASURE = r"^[a-z][a-z0-9_]{0,39}$"
MEASURE_ERROR = "a lower-case code such as ceu or semester_hour"


def decimal(minimum, maximum, min_inclusive=True, **kw):
    """A Decimal field whose range is checked and documented as numbers. (apispec would
    write a Range on a Decimal field as strings, which is not valid OpenAPI.)"""
    check = validate.Range(min=minimum, max=maximum, min_inclusive=min_inclusive)
    bounds = {"minimum": minimum, "maximum": maximum}
    if not min_inclusive:
        bounds["exclusiveMinimum"] = True
    if kw.get("places") is not None:
        bounds["multipleOf"] = float(Decimal(1).scaleb(-kw["places"]))
    metadata = {**bounds, **kw.pop("metadata", {})}
    return fields.Decimal(validate=lambda value: check(value), allow_nan=False, metadata=metadata, **kw)


# The years a date may have, stated in the OpenAPI document too (JSON Schema has no date
# range), so clients and fuzzers send what the server takes.
YEARS = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-"


def day(**kw):
    """A date from 1900-01-01 to 2200-12-31 (what every database here stores)."""
    metadata = {"pattern": YEARS, **kw.pop("metadata", {})}
    return fields.Date(validate=DATES, metadata=metadata, **kw)


# An http(s) URL with a dotted host name, as a pattern the document states and the server
# enforces together with marshmallow's URL check (whatever matches it passes that check).
HTTP_URL = (r"^https?://([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,}\.?(:[0-9]{1,5})?"
            r"(/?|[/?#][^\s]+)$(?!\n)")


def http_url(max_len: int, **kw):
    return fields.Url(schemes={"http", "https"}, metadata={"pattern": HTTP_URL, **kw.pop("metadata", {})},
                      validate=[validate.Length(max=max_len),
                                validate.Regexp(HTTP_URL, error="an http(s) URL with a host name")], **kw)


def code(max_len=80, **kw):
    return fields.String(validate=[validate.Length(min=1, max=max_len), CODE], **kw)


def line(max_len: int, **kw):
    """One line of text people read (a name, a title): no control or bidi characters."""
    return fields.String(validate=[validate.Length(min=1, max=max_len), printable], **kw)


# Words someone reads (a reason): one printable line with at least one visible character.
# The classes are spelled out, not \\s, so that the pattern means the same in Python and in
# the ECMA regexes of JSON Schema validators (they disagree on \\s for some characters).
_CONTROLS = "\\x00-\\x1f\\x7f-\\x9f\\u200b-\\u200f\\u202a-\\u202e\\u2060-\\u2069\\ufeff"
_SPACES = " \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000"
WORDS = f"^[^{_CONTROLS}]*[^{_CONTROLS}{_SPACES}][^{_CONTROLS}]*$(?!\\n)"


def words(max_len: int, error: str = "say why, in words", **kw):
    """A reason, a note: one line of printable text, not blank."""
    return fields.String(validate=[validate.Length(min=1, max=max_len), validate.Regexp(WORDS, error=error)], **kw)


def is_state_code(text: str) -> bool:
    return len(text) == 2 and text.isascii() and text.isalpha()


def jsonable(raw):
    """YAML gives dates as date objects; the schemas read ISO strings."""
    return json.loads(json.dumps(raw, default=str))
