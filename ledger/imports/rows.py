"""Import rows: what a CSV line or an Open Badges assertion says, checked field by field
before the ledger is asked anything. A row keeps every problem it has, each naming its
field in words a clerk understands."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from ..engine import ACTIVITY, MICROCREDENTIAL

EARLIEST = date(1900, 1, 1)
US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass
class Badge:
    """An Open Badges badge (2.0 BadgeClass or 3.0 Achievement) not necessarily in the
    catalog yet."""

    id: str
    name: str
    issuer_id: str
    issuer_name: str
    tags: list[str] = field(default_factory=list)


@dataclass
class Row:
    row: int
    kind: str | None = None
    license_number: str | None = None
    state: str | None = None
    email: str | None = None                    # plain
    email_hash: tuple[str, str] | None = None  # (hex digest, salt) of sha256(email + salt)
    identity: tuple[str, str] | None = None  # (did or url, value): the recipient as an educator identity
    credential: str | None = None
    badge: Badge | None = None
    title: str | None = None
    hours: Decimal | None = None  # an activity's amount, in `measure`
    measure: str | None = None  # None: clock hours
    tags: list[str] = field(default_factory=list)
    earned_on: date | None = None
    external_id: str | None = None
    evidence_url: str | None = None
    errors: list[tuple[str, str]] = field(default_factory=list)
    educator_id: int | None = None
    credential_id: int | None = None
    received: Any = None  # credentials.verify.Outcome: the credential as received and how it was verified

    def error(self, field_: str, message: str) -> None:
        self.errors.append((field_, message))


def parse_date(value: str, today: date) -> tuple[date | None, str | None]:
    """An ISO date (2024-03-01, or the date part of a timestamp) or a US one (3/1/2024)."""
    text = value.strip()
    try:
        if US_DATE.match(text):
            m, d, y = (int(x) for x in US_DATE.match(text).groups())
            day = date(y, m, d)
        elif len(text) > 10 and text[10] in "T ":
            day = datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        else:
            day = date.fromisoformat(text)
    except ValueError:
        return None, f"{text[:40]!r} is not a date (use YYYY-MM-DD)"
    if day > today + timedelta(days=1):
        return None, f"{day} is in the future"
    if day < EARLIEST:
        return None, f"{day} is before 1900"
    return day, None


def parse_hours(value: str) -> tuple[Decimal | None, str | None]:
    try:
        hours = Decimal(value.strip())
    except InvalidOperation:
        return None, f"{value[:40]!r} is not a number of hours"
    if not hours.is_finite() or hours <= 0 or hours > 1000:
        return None, "must be more than 0 and at most 1000"
    if hours != hours.quantize(Decimal("0.01")):
        return None, "at most two decimals"
    return hours, None


def check_text(row: Row, name: str, value: str | None, max_len: int) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    if len(value) > max_len:
        row.error(name, f"is longer than {max_len} characters")
        return None
    if any(ord(c) < 32 and c not in "\t" for c in value) or "\x00" in value:
        row.error(name, "contains control characters")
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        row.error(name, "is not valid Unicode text")
        return None
    return value


def check_url(row: Row, name: str, value: str | None) -> str | None:
    value = check_text(row, name, value, 2000)
    if value is not None and not re.match(r"^https?://[^\s]+$", value):
        row.error(name, "must be an http:// or https:// address")
        return None
    return value


def finish(row: Row) -> Row:
    """Settle the kind and check the fields that kind needs."""
    if row.kind is None:
        row.kind = MICROCREDENTIAL if (row.credential or row.badge) else ACTIVITY
    if row.kind == MICROCREDENTIAL:
        if not row.credential and not row.badge:
            row.error("credential", "is required for a micro-credential")
    elif row.kind == ACTIVITY:
        if not row.title:
            row.error("title", "is required for an activity")
        if row.hours is None and not any(f in ("hours", "amount", "measure") for f, _ in row.errors):
            row.error("hours", "is required for an activity (or amount and measure)")
    return row
