"""An educator's standing in one state on one day: every entry's units, each license's
renewal progress, each role card the state and the educator's district publish, and the
district salary, all from one rulebook version."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter

from pathways import PathwayEvaluator, PathwayResult, Salary, salary

from .facts import Entry, License, Rulebook
from .held import with_licenses_held
from .renewal import RenewalProgress, frozen_progress, renewal_progress
from .units import ZERO, Valued, Valuer


@dataclass(frozen=True, slots=True)
class Standing:
    rulebook: Rulebook
    as_of: date
    entries: tuple[Valued, ...]
    renewal: tuple[RenewalProgress, ...]
    pathways: tuple[PathwayResult, ...] = ()
    salary: Salary | None = None


def standing(
    entries: list[Entry] | tuple[Entry, ...],
    licenses: list[License] | tuple[License, ...],
    rulebook: Rulebook,
    as_of: date,
    valuer: Valuer | None = None,
    district: str | None = None,
    pathways: bool = True,
    evaluator: PathwayEvaluator | None = None,
) -> Standing:
    """`entries` are the educator's active entries; those earned after `as_of` appear
    nowhere. `licenses` are the educator's licenses (cycles) in the rulebook's state, each
    judged by the rule whose range holds its end; a cycle no rule judges is left out.
    A license type's cycles are judged in order, so what one cycle's grace days took
    counts toward it and not toward the next. `district` is the code of the
    educator's district when it is one of this rulebook's: its role cards join the
    state's and its salary schedule applies. Pass a shared `valuer` and `evaluator` to
    read many educators under one rulebook; `pathways=False` reads renewal only."""
    valuer = valuer or Valuer(rulebook)
    valued = [valuer.value(e) for e in sorted(entries, key=_entry_order) if e.earned_on <= as_of]
    # a credential not approved counts for nothing: listed with 0 units, in no cycle or card
    countable = valued if all(v.entry.review is None for v in valued) else [v for v in valued
                                                                              if v.entry.review is None]
    progress = []
    before: dict[str, RenewalProgress] = {}  # per license type: its previous cycle's progress
    first: dict[str, tuple[int, int]] = {}  # per license type: (its license's id, cycles so far)
    for lic in sorted(licenses, key=lambda l: (l.cycle_start, l.type, l.id)):
        license_id, number = first.get(lic.type, (lic.id, 0))
        first[lic.type] = (license_id, number + 1)
        rule = rulebook.rule_for(lic)
        if rule is not None:
            rule = with_licenses_held(rule, lic, licenses, rulebook.rule_for)
            prev = before.get(lic.type)
            spent = prev.grace_counted if prev is not None else frozenset()
            back_to_back = prev is not None and lic.cycle_start == prev.license.cycle_end + timedelta(days=1)
            carried = prev.carry_out_units if back_to_back else ZERO
            place = {"license_id": license_id, "cycle_number": number + 1}
            if lic.renewed is not None and as_of >= lic.renewed.renewed_on:
                p = frozen_progress(countable, lic, rule, as_of, carried, **place)
            else:
                p = renewal_progress(countable, lic, rule, as_of, rulebook.version, spent, carried, **place)
            before[lic.type] = p
            progress.append(p)
    if not pathways:
        return Standing(rulebook, as_of, tuple(valued), tuple(progress))
    rules = rulebook.district(district)
    cards = rulebook.pathways + (rules.pathways if rules is not None else ())
    evaluator = evaluator or PathwayEvaluator(cards)
    mcs = [v.entry for v in countable if v.entry.credential is not None]  # earned by as_of
    results = evaluator.evaluate_all(cards, mcs, as_of, microcredentials_by_as_of=True)
    pay = salary(rules, mcs, results, as_of) if rules is not None else None
    return Standing(rulebook, as_of, tuple(valued), tuple(progress), results, pay)


_entry_order = attrgetter("earned_on", "id")
