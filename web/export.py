"""Export the current result set as CSV (for Excel) or JSON, streamed.

Every match is exported in the request's order, up to a cap: ``app.config["EXPORT_MAX"]``
(default 10000), lowered per request with ``?limit=N``.  Rows are fetched before the
response starts, so a bad request still gets a proper 400; only the serialisation streams.

CSV cells are made safe against formula injection (a cell starting with = + - @ or a tab /
CR is prefixed with an apostrophe) and the file starts with a UTF-8 BOM so Excel shows
Vietnamese correctly.

>>> safe_cell("=HYPERLINK(1)"), safe_cell("-5"), safe_cell("Hà Nội")
("'=HYPERLINK(1)", "'-5", 'Hà Nội')
"""
from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from flask import Response, current_app, stream_with_context
from werkzeug.datastructures import MultiDict

from indexer import SearchEngine
from web.params import int_param, request_from_args

__all__ = ["CSV_COLUMNS", "safe_cell", "export_csv", "export_json", "export_limit"]

CSV_COLUMNS = ("id", "title", "published", "site", "url", "provinces", "provinces_2025",
               "officials", "programs", "score")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not evaluate as a formula."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_limit(args: MultiDict) -> int:
    cap = int(current_app.config.get("EXPORT_MAX", 10000))
    return int_param(args, "limit", cap, 1, cap)


def _rows(searcher: SearchEngine, args: MultiDict) -> tuple[dict, list[dict], int]:
    req = request_from_args(args)
    limit = export_limit(args)
    head = searcher.search(replace(req, page=1, per_page=1, with_snippets=False,
                                   facet_limit=1))
    rows = searcher.export(req, limit)
    return head, rows, limit


def _filename(ext: str) -> str:
    return f"vnarchive-{datetime.now():%Y%m%d-%H%M%S}.{ext}"


def export_csv(searcher: SearchEngine, args: MultiDict) -> Response:
    head, rows, limit = _rows(searcher, args)

    def generate() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        yield BOM + buf.getvalue()
        for start in range(0, len(rows), 200):
            buf.seek(0)
            buf.truncate()
            for row in rows[start:start + 200]:
                writer.writerow([safe_cell(row.get(c)) for c in CSV_COLUMNS])
            yield buf.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    _headers(response, head, rows, limit, "csv")
    return response


def export_json(searcher: SearchEngine, args: MultiDict) -> Response:
    head, rows, limit = _rows(searcher, args)
    meta = {"query": head["query"], "total": head["total"], "exported": len(rows),
            "limit": limit, "truncated": head["total"] > len(rows)}

    def generate() -> Iterator[str]:
        yield json.dumps(meta, ensure_ascii=False)[:-1] + ', "results": ['
        for i, row in enumerate(rows):
            row = {k: v for k, v in row.items() if k not in ("snippet", "also_published_by")}
            yield ("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False)
        yield "\n]}\n"

    response = Response(stream_with_context(generate()), mimetype="application/json")
    _headers(response, head, rows, limit, "json")
    return response


def _headers(response: Response, head: dict, rows: list, limit: int, ext: str) -> None:
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(ext)}"'
    response.headers["X-Total-Count"] = str(head["total"])
    response.headers["X-Export-Limit"] = str(limit)
    response.headers["X-Export-Truncated"] = "true" if head["total"] > len(rows) else "false"
