""""What if I moved to X" (issue 14, item 6): what X requires for each license type it
renews, beside how the teacher's own learning of the last cycle's length would count
there, from the engine's rules so the page can never disagree with a standing."""

from __future__ import annotations

from datetime import timedelta

from pathways import add_years

from .. import engine

DEFAULT_YEARS = 5  # when a state's rule gives no cycle length


def requirements(s: engine.Standing) -> list[dict]:
    """For each license type of the standing's rulebook: the rule that would judge a cycle
    begun today (its figures and the `requires` sentences) and, over a window of that
    cycle's length ending today, what the teacher's entries valued there would earn."""
    rulebook, day = s.rulebook, s.as_of
    countable = [v for v in s.entries if v.entry.review is None]
    out = []
    for type_ in dict.fromkeys(r.license for r in rulebook.renewal):
        years = next((r.cycle_years for r in rulebook.renewal if r.license == type_ and r.cycle_years),
                     DEFAULT_YEARS)
        rule = rulebook.renewal_rule(type_, add_years(day, years) - timedelta(days=1))
        if rule is None:
            continue
        window = engine.License(0, type_, add_years(day, -years) + timedelta(days=1), day)
        p = engine.renewal_progress(countable, window, rule, day, rulebook.version)
        out.append({"license": type_, "years": years, "rule": rule.cite, "requires": _requires(rule, rulebook.unit),
                    "earned": float(p.earned_units), "required": float(rule.required_units),
                    "met": p.status == engine.COMPLETE, "satisfied_by": p.satisfied_by,
                    "window_start": window.cycle_start})
    return out


def _requires(rule: engine.RenewalRule, unit: str) -> list[str]:
    """The rule in short sentences a teacher reads."""
    lines = [f"{rule.required_units:g} {unit} each cycle"
             + (f" of {rule.cycle_years} years" if rule.cycle_years else "")]
    if rule.max_microcredential_units is not None:
        lines.append(f"micro-credentials count for at most {rule.max_microcredential_units:g} {unit}")
    for c in rule.categories:
        cap = c.cap(rule.required_units)
        limit = f": at most {cap:g} {unit}" if cap is not None else ""
        lines.append(f"{c.name} ({', '.join(sorted(c.tags))}){limit}")
    if rule.min_categories:
        lines.append(f"learning in at least {rule.min_categories} of those areas")
    for m in rule.minimums:
        lines.append(f"{m.tag}: at least {m.units:g} {unit}" if m.count is None
                     else f"{m.tag}: at least {m.count} entr{'y' if m.count == 1 else 'ies'}")
    if rule.exclusive_minimums and len(rule.minimums) > 1:
        lines.append("one unit counts toward one of those minimums only")
    if rule.annual_units is not None:
        lines.append(f"{rule.annual_units:g} {unit} in each school year")
    if rule.satisfied_by:
        lines.append(f"{' or '.join(sorted(rule.satisfied_by))} completes a cycle on its own")
    for code, years in rule.held_current:
        lines.append(f"holding {code} (current for {years} years from the day it is earned) on the cycle's last day "
                     "completes it")
    if rule.units_per_other_license is not None:
        lines.append(f"{rule.units_per_other_license:g} {unit} more for each other license held")
    if rule.highest_of_held:
        lines.append("holding several licenses: the highest requirement among them")
    if rule.grace_days:
        lines.append(f"{rule.grace_days} days of grace after a cycle ends")
    return lines
