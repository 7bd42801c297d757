"""The OpenAPI 3.1 description of /api, served at /api/openapi.json.

Schemas are JSON Schema 2020-12 (as OpenAPI 3.1 requires), strict where the shape is ours
(``additionalProperties: false``) so tests/web/test_openapi.py catches any drift between this
document and the real responses.
"""
from __future__ import annotations

from typing import Any

from indexer.search import FACETS, FALLBACK_MESSAGES, MAX_PAGE, MAX_PER_PAGE, SORTS
from indexer.search.request import INTERVALS
from indexer.search.timeline import MAX_BUCKETS, MAX_FORCED_BUCKETS

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
                        "selected": {"type": "boolean"},
                        "name": {"type": "string", "description": "official facet: the "
                                 "person's name (the value is the person key)"},
                        "slug": {"type": "string", "description": "official facet: "
                                 "/api/officials/{slug}"},
                        "title": {"type": ["string", "null"], "description": "official "
                                  "facet: the person's most recent title"}},
                       required=["value", "count", "selected"]),
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
                     "side by side in one field, or across a hyphen where the archive writes "
                     "that word hyphenated; exact syllables when the query has "
                     "diacritics, folded otherwise; every word; a quoted phrase's words "
                     "in order, side by side or across punctuation, never another word "
                     "between; a query without "
                     "diacritics that no headline holds as read also matches the headlines "
                     "that hold it with a compound read as its syllables apart). "
                     "When it was empty, the relaxation used: accented_to_folded "
                     "(diacritics ignored), adjacent_to_anywhere (a word's syllables "
                     "anywhere in the article), all_to_most_words (the articles with the "
                     "most of the words). total, "
                     "facets, months and exports all describe the set used."},
        "suggestion": {"type": ["string", "null"], "description": "did-you-mean query"},
        "results": {"type": "array", "items": _ref("Hit")},
        "facets": _obj({name: {"type": "array", "items": _ref("FacetValue")}
                        for name in FACETS}),
        "months": {"type": "array", "description": "kept for older clients: months (as "
                   "each article dates itself) with at least one match; the chart uses "
                   "timeline", "items": _obj({
                       "month": {"type": "string", "pattern": r"^\d{4}-\d{2}$"},
                       "count": {"type": "integer", "minimum": 1}})},
        "timeline": {"oneOf": [_ref("Timeline"), {"type": "null"}]},
    }),
    "Timeline": _obj({
        "interval": {"type": "string", "enum": list(INTERVALS), "description": "the one "
                     "asked for (interval=), else the finest whose buckets over the range "
                     f"fit in {MAX_BUCKETS}: the range is from/to, an open end the first or "
                     "last dated match"},
        "buckets": {"type": "array", "description": "continuous calendar buckets (ISO weeks "
                    "from Monday; days are Vietnam's, UTC+7), empty ones included; a bucket "
                    "cut by from/to starts or ends there, so its count is what filtering "
                    "on its start and end finds",
                    "items": _obj({
                        "key": {"type": "string", "description": "2024-03-05, 2024-W10, "
                                "2024-03 or 2024"},
                        "start": {"type": "string", "format": "date"},
                        "end": {"type": "string", "format": "date"},
                        "count": {"type": "integer", "minimum": 0}})},
        "undated": {"type": "integer", "minimum": 0, "description": "matches without a "
                    "publication date: the buckets' counts plus this are total"}}),
    "Official": _obj({"name": {"type": "string"}, "titles": _STR_LIST,
                      "organisation": {"type": ["string", "null"]},
                      "key": {"type": "string", "description": "the person: name, and the "
                              "province of the office when known (the official facet value)"},
                      "slug": {"type": "string"}}),
    "OfficialMatch": _obj({"key": {"type": "string"}, "name": {"type": "string"},
                           "slug": {"type": "string"},
                           "articles": {"type": "integer", "minimum": 1},
                           "title": {"type": ["string", "null"]}}),
    "OfficialList": _obj({"query": {"type": "string"},
                          "officials": {"type": "array", "items": _ref("OfficialMatch")}}),
    "OfficialRecord": _obj({
        "key": {"type": "string"}, "name": {"type": "string"}, "slug": {"type": "string"},
        "title": {"type": ["string", "null"], "description": "most recent title"},
        "article_count": {"type": "integer", "minimum": 1},
        "first": {"type": ["string", "null"], "format": "date"},
        "last": {"type": ["string", "null"], "format": "date"},
        "titles": {"type": "array", "description": "titles as the archive reports them, "
                   "with the months of their first and last article, oldest first",
                   "items": _obj({"title": {"type": "string"},
                                  "first": {"type": ["string", "null"]},
                                  "last": {"type": ["string", "null"]},
                                  "articles": {"type": "integer", "minimum": 1}})},
        "provinces": {"type": "array", "items": _ref("FacetValue")},
        "programs": {"type": "array", "items": _ref("FacetValue")},
        "co_officials": {"type": "array", "items": _ref("FacetValue")},
        "articles": _obj({"query": {"type": "string"},
                          "total": {"type": "integer", "minimum": 0},
                          "page": {"type": "integer", "minimum": 1},
                          "per_page": {"type": "integer", "minimum": 1},
                          "results": {"type": "array", "items": _ref("Hit")}}),
    }),
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
        "version": {"type": "integer", "minimum": 1,
                    "description": "the version shown (the latest capture)"},
        "version_count": {"type": "integer", "minimum": 1,
                          "description": "distinct captures kept: /api/articles/{id}/versions"},
        "last_seen": {**_DATE_TIME, "description": "last capture with this text"},
        "warc_record_id": {"type": ["string", "null"]},
    }, required=["id", "url", "title", "paragraphs", "site", "sapo", "captions", "authors",
                 "published", "provinces", "provinces_2025", "officials", "programs"],
        extra=True),
    "VersionSummary": _obj({
        "version": {"type": "integer", "minimum": 1,
                    "description": "numbered in order of arrival; never renumbered"},
        "title": {"type": "string"}, "content_hash": {"type": "string"},
        "fetched": {**_DATE_TIME, "description": "first capture with this text"},
        "last_seen": {**_DATE_TIME, "description": "last capture with this text"},
        "seen": {"type": "integer", "minimum": 1, "description": "captures with this text"},
        "warc_record_id": {"type": ["string", "null"]},
        "has_raw": {"type": "boolean", "description": "the archived page is kept"},
        "current": {"type": "boolean", "description": "the latest capture: what is indexed"},
    }),
    "Suggestions": _obj({"query": {"type": "string"}, "suggestions": _STR_LIST}),
    "FacetList": _obj({"facet": {"type": "string", "enum": list(FACETS)},
                       "values": {"type": "array", "items": _ref("FacetValue")},
                       "total_values": {"type": "integer", "minimum": 0,
                                        "description": "how many values the facet has; "
                                                       "`values` holds the first `limit`"}}),
    "Stats": _obj({
        "articles": {"type": "integer"}, "sites": {"type": "integer"},
        "first_published": {"type": ["string", "null"]},
        "last_published": {"type": ["string", "null"]},
        "failures": {"type": "integer"}, "indexed": {"type": "integer"},
        "index_bytes": {"type": "integer"}, "store_bytes": {"type": "integer"},
        "index_outdated": {"type": ["string", "null"],
                           "description": "why the live index should be rebuilt with "
                                          "`vnarchive reindex` (written by an older "
                                          "vnarchive), or null"},
    }, required=["articles", "sites", "first_published", "last_published", "indexed",
                 "index_bytes"], extra=True),
}
# A version is every Article field as captured, with the version's own (no entities).
SCHEMAS["Version"] = _obj({
    **{k: v for k, v in SCHEMAS["Article"]["properties"].items()
       if k in ("url", "title", "paragraphs", "site", "sapo", "captions", "authors",
                "published", "modified", "fetched", "section", "tags", "language")},
    "id": {"type": "integer"}, "warc_record_id": {"type": ["string", "null"]},
    **{k: v for k, v in SCHEMAS["VersionSummary"]["properties"].items() if k != "title"},
})
SCHEMAS["Versions"] = _obj({"id": {"type": "integer"}, "url": {"type": "string"},
                            "versions": {"type": "array", "items": _ref("VersionSummary")}})
# Export rows are hits (snippet as plain text, no duplicates) with sapo, authors, permalink.
_hit = SCHEMAS["Hit"]
SCHEMAS["ExportRow"] = _obj({**{k: v for k, v in _hit["properties"].items()
                                if k != "also_published_by"},
                             "sapo": {"type": "string"}, "authors": _STR_LIST,
                             "permalink": {"type": "string", "format": "uri",
                                           "description": "this archive's page of the article"}})
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
    "official": "official: the person key of the official facet, e.g. 'Võ Thị Búp (Tiền "
                "Giang)' (repeatable)", "program": "national programme (repeatable)",
    "site": "news site, e.g. thtg.vn (repeatable)", "year": "publication year (repeatable)",
    "author": "author as in the byline (repeatable)", "section": "the site's section "
    "(repeatable)", "tag": "the site's tag (repeatable)",
}
SEARCH_PARAMS = [
    _param("q", {"type": "string", "maxLength": 2000},
           'query: words, "phrases", -exclude, OR, title:word, prefix*; with or without '
           "diacritics; empty with filters browses newest first"),
    *[_param(name, {"type": "string", "maxLength": 200}, FACET_HELP.get(name, name),
             repeat=True) for name in FACETS],
    *[_param("-" + name, {"type": "string", "maxLength": 200},
             f"leave out articles with this {name} value (repeatable)", repeat=True)
      for name in FACETS],
    _param("from", {"type": "string", "format": "date"}, "published on or after (YYYY-MM-DD)"),
    _param("to", {"type": "string", "format": "date"}, "published on or before (YYYY-MM-DD)"),
    _param("sort", {"type": "string", "enum": list(SORTS), "default": "relevance"},
           "relevance, newest or oldest"),
]
INTERVAL = _param("interval", {"type": "string", "enum": ["auto", *INTERVALS],
                                "default": "auto"},
                  "the timeline's buckets; auto chooses by the range (see Timeline); an "
                  f"explicit one may give up to {MAX_FORCED_BUCKETS} buckets, more is a 400 "
                  "too_many_buckets")
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
    return {
        "openapi": "3.1.0",
        "info": {"title": "vnarchive API", "version": "1",
                 "description": "Full-text search over an archive of Vietnamese news. Every "
                                "failure answers {\"error\": {\"code\", \"message\"}}. CORS is "
                                "off unless the server sets CORS_ORIGINS."},
        "paths": _paths(export_max),
        "components": {"schemas": SCHEMAS},
    }


def _paths(export_max: int) -> dict[str, Any]:
    limit = _param("limit", {"type": "integer", "minimum": 1, "maximum": export_max,
                             "default": export_max}, f"most rows to export (≤ {export_max})")
    facet = [_param("name", {"type": "string", "enum": list(FACETS)}, "facet", where="path"),
             *SEARCH_PARAMS,
             _param("limit", {"type": "integer", "minimum": 1, "maximum": 100000,
                              "default": 500}, "most values to list")]
    return {
        "/api/search": _get("Search with facets and a timeline",
                            _json("SearchResponse", "one page of results"),
                            SEARCH_PARAMS + PAGING + [INTERVAL]),
        "/api/articles/{id}": _get(
            "One stored article with its entities", _json("Article", "the article"),
            [_param("id", {"type": "integer"}, "article id", where="path")],
            errors=("404",)),
        "/api/articles/{id}/versions": _get(
            "Every distinct capture of the article, oldest first",
            _json("Versions", "the versions"),
            [_param("id", {"type": "integer"}, "article id", where="path")],
            errors=("404",)),
        "/api/articles/{id}/versions/{n}": _get(
            "One version as it was captured, with every article field",
            _json("Version", "the version"),
            [_param("id", {"type": "integer"}, "article id", where="path"),
             _param("n", {"type": "integer", "minimum": 1}, "version number",
                    where="path")], errors=("404",)),
        "/api/suggest": _get(
            "Completions of a partly typed query, diacritics restored",
            _json("Suggestions", "up to 8 completions"),
            [_param("q", {"type": "string", "maxLength": 200}, "typed prefix")]),
        "/api/facets/{name}": _get(
            "Every value of one facet for a query (the 'xem thêm' list)",
            _json("FacetList", "values with counts"),
            facet,
            errors=("400", "404")),
        "/api/facets/{name}.csv": _get(
            "The same facet values and counts as CSV (UTF-8 with BOM, formula-safe)",
            {"description": "CSV with the header row value,count,selected",
             "content": {"text/csv": {"schema": {"type": "string"}}}},
            facet,
            errors=("400", "404")),
        "/api/stats": _get("Archive size and date span", _json("Stats", "figures")),
        "/api/officials": _get(
            "Officials whose name holds every word of q (with or without diacritics)",
            _json("OfficialList", "most mentioned first"),
            [_param("q", {"type": "string", "maxLength": 200}, "name or part of it",
                    required=True),
             _param("limit", {"type": "integer", "minimum": 1, "maximum": 100,
                              "default": 20}, "most officials")]),
        "/api/officials/{slug}": _get(
            "One official: titles over time, provinces, programmes, co-mentioned "
            "officials, and their articles (searchable with q)",
            _json("OfficialRecord", "the official"),
            [_param("slug", {"type": "string"}, "from the official facet or "
                    "/api/officials", where="path"),
             _param("q", {"type": "string", "maxLength": 500}, "search within their "
                    "articles"), *PAGING], errors=("400", "404")),
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
    }
