"""An educator's standing in one state on one day: every entry's units and each
license's renewal progress, all from one rulebook version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from operator import attrgetter

from .facts import Entry, License, Rulebook
from .renewal import RenewalProgress, renewal_progress
from .units import Valued, Valuer


@dataclass(frozen=True, slots=True)
class Standing:
    rulebook: Rulebook
    as_of: date
    entries: tuple[Valued, ...]
    renewal: tuple[RenewalProgress, ...]


def standing(
    entries: list[Entry] | tuple[Entry, ...],
    licenses: list[License] | tuple[License, ...],
    rulebook: Rulebook,
    as_of: date,
    valuer: Valuer | None = None,
) -> Standing:
    """`entries` are the educator's active entries; those earned after `as_of` appear
    nowhere. `licenses` are the educator's licenses in the rulebook's state; a license
    type the rulebook has no rule for is left out. Pass a shared `valuer` to value many
    educators under one rulebook."""
    valuer = valuer or Valuer(rulebook)
    valued = [valuer.value(e) for e in sorted(entries, key=_entry_order) if e.earned_on <= as_of]
    progress = []
    for lic in sorted(licenses, key=lambda l: (l.cycle_start, l.type, l.id)):
        rule = rulebook.renewal_rule(lic.type)
        if rule is not None:
            progress.append(renewal_progress(valued, lic, rule, as_of))
    return Standing(rulebook, as_of, tuple(valued), tuple(progress))


_entry_order = attrgetter("earned_on", "id")
