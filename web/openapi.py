"""The OpenAPI 3.1 description of /api, served at /api/openapi.json.

Schemas are JSON Schema 2020-12 (as OpenAPI 3.1 requires), strict where the shape is ours
(``additionalProperties: false``) so tests/web/test_openapi.py catches any drift between this
document and the real responses.
"""
from __future__ import annotations

from typing import Any

from indexer.search import FACETS, FALLBACK_MESSAGES, MAX_PAGE, MAX_PER_PAGE, SORTS

__all__ = ["spec"]

_STR_LIST = {"type": "array", "items": {"type": "string"}}
_DATE_TIME = {"type": ["string", "null"], "format": "date-time"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(props: dict, required: list[str] | None = None, extra: bool = False) -> dict:
    return {"type": "object", "properties": props,
            "required": list(props) if required is None else required,
            "additionalProperties": extra}


SCHEMAS: dict[str, Any] = {
    "Error": _obj({"error": _obj({"code": {"type": "string"}, "message": {"type": "string"}})}),
    "FacetValue": _obj({"value": {"type": "string"}, "count": {"type": "integer", "minimum": 0},
                        "selected": {"type": "boolean"}}),
    "Hit": _obj({
        "id": {"type": "integer"}, "url": {"type": "string"}, "title": {"type": "string"},
        "published": _DATE_TIME, "site": {"type": "string"},
        "snippet": {"type": "string", "description": "HTML-escaped text; only <mark> is markup"},
        "provinces": _STR_LIST,
        "provinces_2025": {**_STR_LIST, "description": "provinces after the 1/7/2025 merger"},
        "officials": _STR_LIST, "programs": _STR_LIST,
        "score": {"type": ["number", "null"], "description": "null when sorted by date"},
        "also_published_by": {
            "type": "array", "description": "near-duplicate copies of this story (syndicated "
            "articles) that ranked on the same page and are shown once, here",
            "items": _obj({"id": {"type": "integer"}, "site": {"type": "string"},
                           "url": {"type": "string"}})},
    }),
    "SearchResponse": _obj({
        "query": {"type": "string"}, "total": {"type": "integer", "minimum": 0},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "took_ms": {"type": "number", "minimum": 0},
        "fallback": {"type": ["string", "null"], "enum": [*FALLBACK_MESSAGES, None],
                     "description": "null: the strict match (each query word's syllables "
                     "side by side in one field, exact syllables when the query has "
                     "diacritics, folded otherwise; every word). When it was empty, the "
                     "relaxation used: accented_to_folded (diacritics ignored), "
                     "adjacent_to_anywhere (a word's syllables anywhere in the article), "
                     "all_to_most_words (the articles with the most of the words). total, "
                     "facets, months and exports all describe the set used."},
        "suggestion": {"type": ["string", "null"], "description": "did-you-mean query"},
        "results": {"type": "array", "items": _ref("Hit")},
        "facets": _obj({name: {"type": "array", "items": _ref("FacetValue")}
                        for name in FACETS}),
        "months": {"type": "array", "items": _obj({
            "month": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
            "count": {"type": "integer", "minimum": 1}})},
    }),
    "Official": _obj({"name": {"type": "string"}, "titles": _STR_LIST,
                      "organisation": {"type": ["string", "null"]}}),
    "Article": _obj({
        "id": {"type": "integer"}, "url": {"type": "string"}, "title": {"type": "string"},
        "paragraphs": _STR_LIST, "site": {"type": "string"},
        "sapo": {"type": ["string", "null"]}, "captions": _STR_LIST, "authors": _STR_LIST,
        "published": _DATE_TIME, "modified": _DATE_TIME, "fetched": _DATE_TIME,
        "section": {"type": ["string", "null"]}, "tags": _STR_LIST,
        "language": {"type": ["string", "null"]},
        "provinces": _STR_LIST, "provinces_2025": _STR_LIST,
        "officials": {"type": "array", "items": _ref("Official")}, "programs": _STR_LIST,
        "duplicates": {"type": "array", "description": "near-duplicate copies (simhash of the "
                       "body within 3 bits): the same story published elsewhere",
                       "items": _obj({"id": {"type": "integer"}, "url": {"type": "string"},
                                      "site": {"type": "string"}, "title": {"type": "string"},
                                      "published": _DATE_TIME,
                                      "distance": {"type": "integer", "minimum": 0}})},
    }, required=["id", "url", "title", "paragraphs", "site", "sapo", "captions", "authors",
                 "published", "provinces", "provinces_2025", "officials", "programs"],
        extra=True),
    "Suggestions": _obj({"query": {"type": "string"}, "suggestions": _STR_LIST}),
    "FacetList": _obj({"facet": {"type": "string", "enum": list(FACETS)},
                       "values": {"type": "array", "items": _ref("FacetValue")}}),
    "Stats": _obj({
        "articles": {"type": "integer"}, "sites": {"type": "integer"},
        "first_published": {"type": ["string", "null"]},
        "last_published": {"type": ["string", "null"]},
        "failures": {"type": "integer"}, "indexed": {"type": "integer"},
        "index_bytes": {"type": "integer"}, "store_bytes": {"type": "integer"},
    }, required=["articles", "sites", "first_published", "last_published", "indexed",
                 "index_bytes"], extra=True),
}
# Export rows are hits without the snippet.
_hit = SCHEMAS["Hit"]
SCHEMAS["ExportRow"] = _obj({k: v for k, v in _hit["properties"].items()
                             if k not in ("snippet", "also_published_by")})
SCHEMAS["Export"] = _obj({
    "query": {"type": "string"}, "total": {"type": "integer", "minimum": 0},
    "exported": {"type": "integer", "minimum": 0}, "limit": {"type": "integer", "minimum": 1},
    "truncated": {"type": "boolean"},
    "results": {"type": "array", "items": _ref("ExportRow")},
})


def _param(name: str, schema: dict, description: str, *, where: str = "query",
           repeat: bool = False, required: bool = False) -> dict:
    p: dict[str, Any] = {"name": name, "in": where, "description": description,
                         "required": required or where == "path"}
    if repeat:
        p.update({"schema": {"type": "array", "items": schema}, "style": "form",
                  "explode": True})
    else:
        p["schema"] = schema
    return p


FACET_HELP = {
    "province": "province as named in the article (repeatable; any case or diacritics)",
    "province_2025": "province within the borders from 1 July 2025 (repeatable)",
    "official": "official's name (repeatable)", "program": "national programme (repeatable)",
    "site": "news site, e.g. thtg.vn (repeatable)", "year": "publication year (repeatable)",
}
SEARCH_PARAMS = [
    _param("q", {"type": "string", "maxLength": 2000},
           'query: words, "phrases", -exclude, OR, title:word, prefix*; with or without '
           "diacritics; empty with filters browses newest first"),
    *[_param(name, {"type": "string", "maxLength": 200}, FACET_HELP.get(name, name),
             repeat=True) for name in FACETS],
    _param("from", {"type": "string", "format": "date"}, "published on or after (YYYY-MM-DD)"),
    _param("to", {"type": "string", "format": "date"}, "published on or before (YYYY-MM-DD)"),
    _param("sort", {"type": "string", "enum": list(SORTS), "default": "relevance"},
           "relevance, newest or oldest"),
]
PAGING = [
    _param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
           "page number"),
    _param("per_page", {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE,
                        "default": 20}, "results per page"),
]


def _json(schema: str, description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": _ref(schema)}}}


ERR = {"400": _json("Error", "bad parameter"), "405": _json("Error", "only GET is allowed"),
       "500": _json("Error", "unexpected server error"),
       "503": _json("Error", "the archive has no index yet")}


def _get(summary: str, ok: dict, params: list | None = None, errors=("400",)) -> dict:
    responses = {"200": ok}
    for code in (*errors, "405", "500", "503"):
        responses[code] = ERR.get(code) or _json("Error", "not found")
    return {"get": {"summary": summary, "parameters": params or [], "responses": responses}}


def spec(export_max: int = 10000) -> dict[str, Any]:
    """The whole document; ``export_max`` is the app's EXPORT_MAX."""
    limit = _param("limit", {"type": "integer", "minimum": 1, "maximum": export_max,
                             "default": export_max}, f"most rows to export (≤ {export_max})")
    return {
        "openapi": "3.1.0",
        "info": {"title": "vnarchive API", "version": "1",
                 "description": "Full-text search over an archive of Vietnamese news. Every "
                                "failure answers {\"error\": {\"code\", \"message\"}}. CORS is "
                                "off unless the server sets CORS_ORIGINS."},
        "paths": {
            "/api/search": _get("Search with facets and a month histogram",
                                _json("SearchResponse", "one page of results"),
                                SEARCH_PARAMS + PAGING),
            "/api/articles/{id}": _get(
                "One stored article with its entities", _json("Article", "the article"),
                [_param("id", {"type": "integer"}, "article id", where="path")],
                errors=("404",)),
            "/api/suggest": _get(
                "Completions of a partly typed query, diacritics restored",
                _json("Suggestions", "up to 8 completions"),
                [_param("q", {"type": "string", "maxLength": 200}, "typed prefix")]),
            "/api/facets/{name}": _get(
                "Every value of one facet for a query (the 'xem thêm' list)",
                _json("FacetList", "values with counts"),
                [_param("name", {"type": "string", "enum": list(FACETS)}, "facet",
                        where="path"), *SEARCH_PARAMS], errors=("400", "404")),
            "/api/stats": _get("Archive size and date span", _json("Stats", "figures")),
            "/api/export.json": _get(
                f"All matches (up to {export_max}) as one streamed JSON document",
                _json("Export", "matches in the requested order"), SEARCH_PARAMS + [limit]),
            "/api/export.csv": _get(
                f"All matches (up to {export_max}) as CSV (UTF-8 with BOM, formula-safe)",
                {"description": "CSV with a header row",
                 "content": {"text/csv": {"schema": {"type": "string"}}}},
                SEARCH_PARAMS + [limit]),
            "/api/openapi.json": _get("This document",
                                      {"description": "OpenAPI 3.1",
                                       "content": {"application/json": {
                                           "schema": {"type": "object"}}}}, errors=()),
        },
        "components": {"schemas": SCHEMAS},
    }
