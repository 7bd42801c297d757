"""An article's OpenSearch document, from the same fields as the embedded index (entry
point: ``source``): our analyser's tokens as space-separated text, facets as keyword
arrays.

The positional views keep their ``GAP`` tokens (``|``) as real tokens: each token, gap or
not, takes one position as in the embedded index, so a query's position steps mean the
same on both engines (``indexer.opensearch.translate``).  ``fwords`` is the folded twin of
``words``: its total term frequencies are the folded word counts the query segmenter uses.
"""
from __future__ import annotations

from typing import Any

from archive.textnorm import fold
from indexer.schema import FACET_FIELDS

__all__ = ["source", "TEXT_FIELDS"]

# ``t_fpair`` is left out: only the body's folded pairs are asked (the segmenter's counts)
TEXT_FIELDS = ("words", "fwords", "syl", "fold", "t_words", "t_syl", "t_fold", "fpair")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else " ".join(value)


def source(doc: dict[str, Any]) -> dict[str, Any]:
    """The ``_source`` of ``indexer.schema.document_fields``' document ``doc``."""
    out: dict[str, Any] = {"id": int(doc["aid"])}
    for name in TEXT_FIELDS:
        if name == "fwords":
            out[name] = fold(_text(doc.get("words") or []))
        else:
            out[name] = _text(doc.get(name) or [])
    if doc.get("published", -1) >= 0:
        out["published"] = doc["published"]
        out["month"] = doc["month"]
    for name in FACET_FIELDS:
        value = doc.get(name)
        if value:
            out[name] = [value] if isinstance(value, str) else list(value)
    return out
