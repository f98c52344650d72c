"""The forecast's one sentence: what a teacher must still earn for a role card, and by when."""

from __future__ import annotations

import pathways


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def forecast_summary(r: pathways.PathwayResult) -> str:
    """One sentence a teacher can act on."""
    f = r.forecast
    title = r.card.designation or r.card.name
    if f.period is not None:
        return (f"Earn {_plural(f.needed, 'more new micro-credential')} by {f.by.isoformat()} "
                f"to keep {title} (maintenance period {f.period}).")
    parts = []
    if f.core:
        parts.append(f"{_plural(len(f.core), 'core credential')} ({', '.join(f.core)})")
    electives = sum(g.missing for g in f.groups)
    if electives:
        parts.append(_plural(electives, "elective"))
    other = f.needed - len(f.core) - electives
    if other > 0:
        parts.append(_plural(other, "more credential") if parts else _plural(other, "credential"))
    what = " and ".join(parts) if parts else _plural(f.needed, "credential")
    sentence = f"Earn {what} for {title}"
    if f.by is not None:
        leaving = ", ".join(f.falls_out)
        sentence += (f" by {f.by.isoformat()}, or {leaving} "
                     f"{'falls' if len(f.falls_out) == 1 else 'fall'} out of the "
                     f"{r.card.window_years}-year window")
    return sentence + "."
