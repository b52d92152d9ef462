"""Pausing CPython's cyclic garbage collector around bulk work."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector; restore its previous state afterwards.

    NOTE: loading records and building the graph allocate millions of small dicts and tuples
    that form no cycles, yet every full collection walks all of them: measured, about 80% of
    pydantic's time at 100,000 records and half of a graph build. Usable as a decorator too.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
