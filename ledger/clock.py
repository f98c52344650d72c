"""The one clock seam: services take `today` as an argument; the boundaries (views, CLI
commands, tasks) ask here, and tests set it here once."""

from __future__ import annotations

from datetime import date


def today() -> date:
    return date.today()
