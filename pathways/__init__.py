"""Role cards (stacks of micro-credentials toward a designation): award detection,
tapering maintenance and their salary effects (CONTRACT.md section 2, "Pathway award"
to "Salary credits"). Pure functions over plain facts, like ledger.engine: no Flask, no
SQLAlchemy, no clock.

Entries are read by attribute (`id`, `kind`, `earned_on`, `credential`, `tags`), so the
ledger's `Entry` named tuples pass straight in.
"""

from .award import Award, Fill, Roles, fill
from .dates import add_months, add_years, last_day_in_window, window_opens
from .evaluate import (
    ACTIVE,
    IN_PROGRESS,
    LAPSED,
    PERMANENT,
    Counted,
    Forecast,
    GroupGap,
    PathwayEvaluator,
    PathwayResult,
    PeriodResult,
    evaluate,
)
from .model import DistrictRules, Effects, Group, Lane, Period, RoleCard
from .salary import Salary, salary

__all__ = [
    "Award", "Fill", "Roles", "fill", "add_months", "add_years", "last_day_in_window", "window_opens", "ACTIVE",
    "IN_PROGRESS", "LAPSED", "PERMANENT", "Counted", "Forecast", "GroupGap", "PathwayResult",
    "PeriodResult", "PathwayEvaluator", "evaluate", "DistrictRules", "Effects", "Group",
    "Lane", "Period", "RoleCard", "Salary", "salary",
]
