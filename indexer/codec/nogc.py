"""``no_gc``: Python's cyclic garbage collector paused around bulk work that allocates
millions of short-lived objects, none of them in a cycle (segment building, sidecar
merging; the measured cost is in bench/PERF.md)."""
from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["no_gc"]


@contextmanager
def no_gc() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a segment is built.

    A segment's posting pool holds millions of small tuples and lists (none in a cycle);
    every collection of the oldest generation walks them all again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
