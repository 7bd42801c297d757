"""The server-side cache of feed searches: N feed readers polling one URL cost one search
per index generation.

Keyed by the normalised search (parameter order, repeated spaces and Unicode forms do not
matter) *and* the index generation (``ArchiveSearcher.generation()``): a publish changes
the key, so nothing stale is ever served, and entries of older generations are dropped as
soon as a newer one is seen.  Bounded: least recently used entries go past ``capacity``.
Concurrent misses on one key wait for the first one's search instead of repeating it.

What is cached is the search answer, not the feed document: the document names the URL it
was asked by (its ``self`` link, the host), which differs between equivalent requests.
"""
from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from indexer import SearchRequest

__all__ = ["FeedCache", "request_key"]


def request_key(req: SearchRequest) -> tuple:
    """What selects a feed's entries, in a canonical form.

    >>> a = SearchRequest(q=" giảm  nghèo", filters={"province": ("Long An", "Cà Mau")})
    >>> b = SearchRequest(q="giảm nghèo", filters={"province": ("Cà Mau", "Long An")})
    >>> request_key(a) == request_key(b)
    True
    """
    def canon(groups: dict[str, tuple[str, ...]]) -> tuple:
        return tuple(sorted((name, tuple(sorted(set(values))))
                            for name, values in groups.items() if values))
    return (" ".join(unicodedata.normalize("NFC", req.q).split()), canon(req.filters),
            canon(req.exclude), req.date_from, req.date_to, req.sort, req.page, req.per_page,
            req.with_facets, req.with_snippets)


class FeedCache:
    """A bounded LRU of search answers for one generation of the index."""

    def __init__(self, capacity: int = 256) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()
        self._building: dict[Hashable, threading.Lock] = {}
        self._generation: Hashable = None
        self.hits = self.misses = 0

    def get(self, generation: Hashable, key: Hashable, build: Callable[[], Any]) -> Any:
        """The cached answer for ``key`` at ``generation``, else ``build()``'s (stored).
        An exception from ``build`` is raised and nothing is stored."""
        with self._lock:
            found = self._lookup(generation, key)
            if found is not None:
                return found[0]
            building = self._building.setdefault((generation, key), threading.Lock())
        with building:
            with self._lock:  # another request may have built it while this one waited
                found = self._lookup(generation, key)
                if found is not None:
                    return found[0]
            try:
                value = build()
            finally:
                with self._lock:
                    self._building.pop((generation, key), None)
            with self._lock:
                self.misses += 1
                self._store(generation, key, value)
            return value

    def _lookup(self, generation: Hashable, key: Hashable) -> tuple[Any] | None:
        if generation != self._generation or key not in self._entries:
            return None
        self._entries.move_to_end(key)
        self.hits += 1
        return (self._entries[key],)

    def _store(self, generation: Hashable, key: Hashable, value: Any) -> None:
        if generation != self._generation:  # a publish: every older answer is stale
            self._entries.clear()
            self._generation = generation
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)

    def stats(self) -> dict[str, Any]:
        """``{hits, misses, size, capacity}`` since the app started (for tests and ops)."""
        with self._lock:
            return {"hits": self.hits, "misses": self.misses, "size": len(self._entries),
                    "capacity": self.capacity}

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)
