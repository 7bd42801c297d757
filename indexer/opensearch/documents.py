"""An article's OpenSearch document, from the same fields as the embedded index (entry
point: ``source``): our analyser's tokens as space-separated text, facets as keyword
arrays."""
from __future__ import annotations

from typing import Any

from indexer.schema import FACET_FIELDS

__all__ = ["source", "TEXT_FIELDS"]

TEXT_FIELDS = ("words", "syl", "fold", "t_words", "t_syl", "t_fold", "fpair", "t_fpair")
_MULTI = ("province", "province_2025", "official", "program")


def source(doc: dict[str, Any]) -> dict[str, Any]:
    """The ``_source`` of ``indexer.schema.document_fields``' document ``doc``."""
    out: dict[str, Any] = {"id": int(doc["aid"])}
    for name in TEXT_FIELDS:
        value = doc.get(name) or []
        out[name] = value if isinstance(value, str) else " ".join(value)
    if doc.get("published", -1) >= 0:
        out["published"] = doc["published"]
        out["month"] = doc["month"]
    for name in FACET_FIELDS:
        value = doc.get(name)
        if value:
            # as Whoosh's comma-separated keywords read them: split, stripped, non-empty
            out[name] = [v.strip() for v in value.split(",") if v.strip()] \
                if name in _MULTI else value
    return out
