"""Export the current result set as CSV (for Excel) or JSON, streamed.

Every match is exported in the request's order, up to a cap: ``app.config["EXPORT_MAX"]``
(default 10000), lowered per request with ``?limit=N`` (``vnarchive export`` has no cap).
The first rows are read before the response starts, so a bad request still gets a proper
400; the rest stream chunk by chunk.

CSV cells are made safe against formula injection (a cell starting with = + - @ or a tab /
CR is prefixed with an apostrophe) and the file starts with a UTF-8 BOM so Excel shows
Vietnamese correctly.

>>> safe_cell("=HYPERLINK(1)"), safe_cell("-5"), safe_cell("Hà Nội")
("'=HYPERLINK(1)", "'-5", 'Hà Nội')
>>> plain_snippet("<mark>giảm</mark> nghèo &amp; việc làm")
'giảm nghèo & việc làm'
"""
from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import datetime

from flask import Response, current_app, request, stream_with_context, url_for
from werkzeug.datastructures import MultiDict

from indexer import SearchEngine
from web.params import int_param, request_from_args

__all__ = ["CSV_COLUMNS", "JSON_DROP", "safe_cell", "csv_cell", "plain_snippet", "csv_lines",
           "export_rows", "export_csv", "export_json", "export_limit"]

CSV_COLUMNS = ("id", "title", "published", "site", "url", "permalink", "sapo", "authors",
               "snippet", "provinces", "provinces_2025", "officials", "programs", "score")
JSON_DROP = ("also_published_by",)
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


def csv_cell(value: object) -> str:
    """One formula-safe, quoted-when-needed CSV cell (booleans as true/false)."""
    if isinstance(value, bool):
        value = "true" if value else "false"
    buf = io.StringIO()
    csv.writer(buf, lineterminator="").writerow([safe_cell(value)])
    return buf.getvalue()


def plain_snippet(snippet: str) -> str:
    """The snippet as text: exports carry no HTML."""
    return html.unescape(snippet.replace("<mark>", "").replace("</mark>", ""))


def export_rows(chunks: Iterable[list[dict]], permalink: Callable[[int], str]
                ) -> Iterator[dict]:
    """Export rows from the searcher's chunks: plain snippet, permalink added."""
    for chunk in chunks:
        for row in chunk:
            row = {k: v for k, v in row.items() if k not in JSON_DROP}
            row["snippet"] = plain_snippet(row.get("snippet") or "")
            row["permalink"] = permalink(row["id"])
            yield row


def csv_lines(rows: Iterable[dict], bom: bool = True) -> Iterator[str]:
    """The header line, then the rows, a few hundred per yielded string."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    yield (BOM if bom else "") + buf.getvalue()
    buf.seek(0)
    buf.truncate()
    for i, row in enumerate(rows, 1):
        writer.writerow([safe_cell(row.get(c)) for c in CSV_COLUMNS])
        if i % 200 == 0:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    if buf.tell():
        yield buf.getvalue()


def export_limit(args: MultiDict) -> int:
    cap = int(current_app.config.get("EXPORT_MAX", 10000))
    return int_param(args, "limit", cap, 1, cap)


def _rows(searcher: SearchEngine, args: MultiDict) -> tuple[dict, Iterator[dict], int]:
    req = request_from_args(args)
    limit = export_limit(args)
    head = searcher.search(replace(req, page=1, per_page=1, with_snippets=False,
                                   facet_limit=1))
    chunks = searcher.export_chunks(req, limit, snippets=True)
    first = next(chunks, [])  # errors surface here, before the response starts
    root = request.host_url.rstrip("/")

    def permalink(aid: int) -> str:
        return root + url_for("pages.article_page", article_id=aid)

    def every() -> Iterator[list[dict]]:
        yield first
        yield from chunks
    return head, export_rows(every(), permalink), limit


def _filename(ext: str) -> str:
    return f"vnarchive-{datetime.now():%Y%m%d-%H%M%S}.{ext}"


def export_csv(searcher: SearchEngine, args: MultiDict) -> Response:
    head, rows, limit = _rows(searcher, args)
    response = Response(stream_with_context(csv_lines(rows)), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    _headers(response, head, limit, "csv")
    return response


def export_json(searcher: SearchEngine, args: MultiDict) -> Response:
    head, rows, limit = _rows(searcher, args)
    exported = min(head["total"], limit)
    meta = {"query": head["query"], "total": head["total"], "exported": exported,
            "limit": limit, "truncated": head["total"] > exported}

    def generate() -> Iterator[str]:
        yield json.dumps(meta, ensure_ascii=False)[:-1] + ', "results": ['
        for i, row in enumerate(rows):
            yield ("," if i else "") + "\n" + json.dumps(row, ensure_ascii=False)
        yield "\n]}\n"

    response = Response(stream_with_context(generate()), mimetype="application/json")
    _headers(response, head, limit, "json")
    return response


def _headers(response: Response, head: dict, limit: int, ext: str) -> None:
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(ext)}"'
    response.headers["X-Total-Count"] = str(head["total"])
    response.headers["X-Export-Limit"] = str(limit)
    response.headers["X-Export-Truncated"] = "true" if head["total"] > limit else "false"
