"""An article's OpenSearch document, from the same fields as the embedded index (entry
points: ``source``, ``StatsTally``): our analyser's tokens as space-separated text, facets
as keyword arrays.

The positional views keep their ``GAP`` tokens (``|``) as real tokens: each token, gap or
not, takes one position as in the embedded index, so a query's position steps mean the
same on both engines (``indexer.opensearch.translate``).

What only the query segmenter reads — the folded word counts (every spelling of a folded
word summed) and the folded pairs' occurrences and documents — does not go into the
searched documents: ``StatsTally`` sums it over a run of articles into one document of
the stats index (``indexer.opensearch.mapping.stats_body``), each term once with its count.
That is ~900 tokens an article fewer for the cluster to index (a third of them), and the
sums (term totals over the index) are the same.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from archive.textnorm import fold
from indexer.schema import FACET_FIELDS

__all__ = ["source", "StatsTally", "TEXT_FIELDS", "STAT_FIELDS", "COUNT_DELIMITER"]

TEXT_FIELDS = ("words", "syl", "fold", "t_words", "t_syl", "t_fold")
# ``fpair_docs`` counts a pair once an article: its total is the pair's document count
STAT_FIELDS = ("fwords", "fpair", "fpair_docs")
COUNT_DELIMITER = "\u0001"  # index.json's ``term_count`` filter; text never holds it
# OpenSearch's whitespace tokenizer cuts tokens at 255 UTF-16 units: a longer "term<d>count"
# would lose its count (or be refused).  No query word is that long; such terms are not counted.
MAX_COUNTED_TERM = 120


def _text(value: Any) -> str:
    return value if isinstance(value, str) else " ".join(value)


def source(doc: dict[str, Any]) -> dict[str, Any]:
    """The document of ``indexer.schema.document_fields``' fields ``doc``."""
    out: dict[str, Any] = {"id": int(doc["aid"])}
    for name in TEXT_FIELDS:
        out[name] = _text(doc.get(name) or [])
    if doc.get("published", -1) >= 0:
        out["published"] = doc["published"]
        out["month"] = doc["month"]
    for name in FACET_FIELDS:
        value = doc.get(name)
        if value:
            out[name] = [value] if isinstance(value, str) else list(value)
    return out


class StatsTally:
    """The statistics-only counts of a run of articles, as one stats-index document."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter] = {name: Counter() for name in STAT_FIELDS}
        self.articles = 0

    def add(self, doc: dict[str, Any]) -> None:
        """Count one article (``document_fields``' fields)."""
        words = _text(doc.get("words") or [])
        if words:  # one fold over the joined words: a word folds to a run without spaces
            self.counts["fwords"].update(fold(words).split())
        pairs = doc.get("fpair") or []
        pairs = pairs.split() if isinstance(pairs, str) else pairs
        self.counts["fpair"].update(pairs)
        self.counts["fpair_docs"].update(set(pairs))
        self.articles += 1

    def source(self) -> dict[str, str]:
        """``term<COUNT_DELIMITER>count`` tokens, each term once, per field."""
        d = COUNT_DELIMITER
        return {name: " ".join(f"{t}{d}{n}" for t, n in c.items() if len(t) <= MAX_COUNTED_TERM)
                for name, c in self.counts.items()}
