"""Season printing on Celery: one task per educator's transcript (see season.py)."""

from __future__ import annotations

from .season import PRINT_ONE, print_one


def register(celery) -> None:
    celery.task(name=PRINT_ONE)(print_one)
