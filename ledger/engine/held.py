"""Requirements that depend on the other licenses an educator holds in the state
(CONTRACT.md section 2b, as README "Several licenses" writes it): Massachusetts adds 30
PDPs for each additional license (603 CMR 44.06(3)); Texas has the holder of several
classes complete the higher number of hours (19 TAC 232.15). A license is held on a day
when one of its cycles holds that day; a cycle is judged by the licenses held on its
`cycle_end`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from .facts import License, RenewalRule


def others_held(lic: License, licenses: Sequence[License]) -> list[License]:
    """One cycle per other license type held on `lic`'s end (the first by start)."""
    day = lic.cycle_end
    seen: dict[str, License] = {}
    for other in licenses:
        if other.type != lic.type and other.type not in seen and other.cycle_start <= day <= other.cycle_end:
            seen[other.type] = other
    return list(seen.values())


def with_licenses_held(rule: RenewalRule, lic: License, licenses: Sequence[License],
                       rule_for: Callable[[License], RenewalRule | None]) -> RenewalRule:
    """`rule` with its `required_units` raised for the other licenses held: by
    `units_per_other_license` for each, and to the highest `required_units` among the held
    licenses whose rules say `highest_of_held` too (when this one does). The cite says why."""
    if rule.units_per_other_license is None and not rule.highest_of_held:
        return rule
    others = others_held(lic, licenses)
    if not others:
        return rule
    required, why = rule.required_units, []
    if rule.highest_of_held:
        rivals = [(r.required_units, o.type) for o in others
                  if (r := rule_for(o)) is not None and r.highest_of_held and r.required_units > required]
        if rivals:
            required, kind = max(rivals)
            why.append(f"the {kind} license also held requires {required:g}, the higher number")
    if rule.units_per_other_license is not None:
        extra = rule.units_per_other_license * len(others)
        required += extra
        names = ", ".join(sorted(o.type for o in others))
        why.append(f"{extra:g} more for {len(others)} other license{'s' if len(others) > 1 else ''} held ({names})")
    return replace(rule, required_units=required, cite=f"{rule.cite} [{'; '.join(why)}]".strip())
