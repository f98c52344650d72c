"""Role cards as the engine reads them: a state's or a district's stack of
micro-credentials toward a designation, with its effects and tapering maintenance."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Group:
    """An elective group: `choose` distinct credentials from a list, or bearing a tag."""

    choose: int
    from_: frozenset[str] | None = None
    tags: frozenset[str] | None = None

    def admits(self, credential: str, tags: frozenset[str]) -> bool:
        if self.from_ is not None and credential in self.from_:
            return True
        return self.tags is not None and not self.tags.isdisjoint(tags)


@dataclass(frozen=True, slots=True)
class Period:
    """One maintenance period: `required_count` new micro-credentials within `years`,
    only from `from_` or bearing one of `tags` when it names them."""

    years: int
    required_count: int
    from_: frozenset[str] | None = None
    tags: frozenset[str] | None = None

    @property
    def open(self) -> bool:
        """Any micro-credential counts (the period names no `from` or `tags`)."""
        return self.from_ is None and self.tags is None

    def admits(self, credential: str | None, tags: frozenset[str]) -> bool:
        if self.from_ is None and self.tags is None:
            return True
        if self.from_ is not None and credential in self.from_:
            return True
        return self.tags is not None and not self.tags.isdisjoint(tags)


@dataclass(frozen=True, slots=True)
class Effects:
    base_salary_pct: Decimal = Decimal(0)
    salary_lane: str | None = None


NO_EFFECTS = Effects()


@dataclass(frozen=True, slots=True)
class RoleCard:
    code: str
    name: str
    core: tuple[str, ...] = ()
    electives: tuple[Group, ...] = ()
    required_count: int | None = None
    window_years: int | None = None
    designation: str | None = None
    effects: Effects = NO_EFFECTS
    maintenance: tuple[Period, ...] = ()
    owner: str | None = None  # the state's or the district's code
    cite: str = ""

    @property
    def count_needed(self) -> int:
        """`required_count`, by default every core credential plus each group's choice."""
        if self.required_count is not None:
            return self.required_count
        return len(self.core) + sum(g.choose for g in self.electives)


@dataclass(frozen=True, slots=True)
class Lane:
    name: str
    min_credits: Decimal


@dataclass(frozen=True, slots=True)
class DistrictRules:
    code: str
    name: str
    salary_credits_per_mc: Decimal = Decimal(0)
    lanes: tuple[Lane, ...] = ()  # in rank order, lowest first
    pathways: tuple[RoleCard, ...] = ()
