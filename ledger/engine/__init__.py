"""The standing engine: pure functions over plain facts (no Flask, no SQLAlchemy, no
clock). Every page, API answer, transcript and report calls these."""

from .categories import CategoryProgress, categorize, cycle_shares, entry_shares
from .cycles import (
    LICENSE,
    behind_pace,
    current_cycles,
    cycle_share,
    due_soon,
    latest_cycles,
    next_cycle,
    season_cycle,
)
from .facts import (
    ACTIVITY,
    MICROCREDENTIAL,
    Category,
    Conversion,
    Entry,
    License,
    Minimum,
    Rate,
    RenewalRule,
    Renewed,
    Rulebook,
)
from .minimums import MinimumProgress
from .renewal import COMPLETE, IN_PROGRESS, LAPSED, Pace, RenewalProgress, frozen_progress, renewal_progress
from .standing import Standing, standing
from .units import (
    CLOCK_HOUR,
    NO_CONVERSION,
    NO_RATE,
    NOT_REVIEWED,
    REASON_TEXT,
    REJECTED,
    Conversions,
    RateTable,
    Valued,
    Valuer,
)

__all__ = [
    "ACTIVITY", "MICROCREDENTIAL", "Category", "Conversion", "Conversions", "CLOCK_HOUR", "NO_CONVERSION",
    "NOT_REVIEWED", "REASON_TEXT", "REJECTED",
    "CategoryProgress", "categorize", "cycle_shares", "entry_shares",
    "Entry", "License", "Minimum", "MinimumProgress", "Rate", "RenewalRule", "Renewed",
    "Rulebook", "COMPLETE", "IN_PROGRESS", "LAPSED", "Pace", "RenewalProgress",
    "renewal_progress", "frozen_progress", "Standing", "standing", "NO_RATE", "RateTable", "Valued", "Valuer",
    "LICENSE", "behind_pace", "current_cycles", "cycle_share", "due_soon", "latest_cycles", "next_cycle",
    "season_cycle",
]
