"""When the article was published, and when it was last updated — kept apart.

Machine dates (JSON-LD, meta, ``<time datetime>``) first; else visible lines: elements whose
class/id says "date", lines labelled "Published on"/"Ngày đăng", or a short dateline under the
headline.  A line that only gives the update time ("Cập nhật: …") is never the publication.
"""
from __future__ import annotations

import re
from datetime import datetime
from typing import Iterable

from lxml.html import HtmlElement

from archive.clean.dates import find_visible_date, parse_date
from archive.clean.fields import hinted
from archive.clean.meta import PageMeta, text_of

__all__ = ["find_published", "find_modified"]

_DATE_HINT = re.compile(r"date|time|publish|posted|ngay|meta", re.I)


def find_published(doc: HtmlElement, pm: PageMeta) -> datetime | None:
    machine = [parse_date(v) for v in (pm.ld_value("datePublished"), *(pm.get(k) for k in (
        "article:published_time", "og:published_time", "datepublished", "pubdate",
        "publishdate", "dc.date.issued", "dc.date", "date", "sailthru.date",
        "article:published", "publish-date", "parsely-pub-date"))) if isinstance(v, str)]
    machine = [m for m in machine if m]
    if machine:
        first = machine[0]
        # Sources often disagree only in precision (08:01 vs 08:01:53): keep the finer one.
        for other in machine[1:]:
            if other.replace(second=0) == first.replace(second=0) and other.second:
                return other
        return first
    for el in doc.iter("time"):
        found = parse_date(el.get("datetime") or "") or find_visible_date(text_of(el))
        if found:
            return found
    body = doc.find("body")
    if body is None:
        return None
    # Visible date lines: prefer those after the headline (the header often shows today).
    h1 = next(body.iter("h1"), None)
    after: set[HtmlElement] = set()
    if h1 is not None:
        seen = False
        for el in body.iter():
            seen = seen or el is h1
            if seen:
                after.add(el)
    candidates = hinted(body, _DATE_HINT)
    ordered = sorted(candidates, key=lambda e: e not in after) if after else candidates
    found = _first_date(ordered, updated=False)
    if found:
        return found
    # No element says "date": a labelled line ("Published on …", "Ngày đăng: …"), else a
    # short line between the headline and the text ("07:12 ngày 24/03/2024").
    found = _first_date((el for el in (after or body.iter()) if isinstance(el.tag, str)
                         and _PUBLISHED_LABEL.search(el.text or "")), updated=False)
    return found or (_first_date(_dateline_candidates(h1), updated=False) if h1 is not None
                     else None)


def _dateline_candidates(h1: HtmlElement) -> Iterable[HtmlElement]:
    """Short leaf lines after the headline, until the first long paragraph (the text)."""
    seen = False
    for el in h1.getroottree().getroot().iter():
        if el is h1:
            seen = True
            continue
        if not seen or not isinstance(el.tag, str) or el.tag in ("script", "style"):
            continue
        own = (el.text or "").strip()
        if len(own) > 200:
            return
        if own and len(el) == 0 or own and all(c.tag in ("span", "b", "strong", "i", "em",
                                                           "br", "a", "time") for c in el):
            yield el


# A line that gives the last update, not the publication ("Cập nhật: 08:30 25/03/2024").
_UPDATED_LABEL = re.compile(r"cập nhật|updated?\b|sửa đổi|chỉnh sửa|modified", re.I)
_PUBLISHED_LABEL = re.compile(r"published|posted|đăng lúc|đăng ngày|ngày đăng|đăng tải|"
                              r"xuất bản|thời gian đăng", re.I)


def _first_date(elements: Iterable[HtmlElement], updated: bool) -> datetime | None:
    """The date on the first short line among ``elements``: an update line's ("Cập nhật:
    …") when ``updated``, else any other line's (a line giving both shows the publication
    first).  Published and updated are kept apart."""
    for el in elements:
        text = text_of(el)
        if len(text) > 160:
            continue
        label = _UPDATED_LABEL.search(text)
        if updated:
            found = find_visible_date(text[label.end():]) if label else None
        elif label and not _PUBLISHED_LABEL.search(text):
            continue  # only an update time: never the publication date
        else:
            found = find_visible_date(text)
        if found:
            return found
    return None


def find_modified(pm: PageMeta, doc: HtmlElement | None = None) -> datetime | None:
    """Machine modification date, else a visible "Cập nhật: …" line."""
    for value in (pm.ld_value("dateModified"), pm.get("article:modified_time",
                                                      "og:updated_time", "datemodified")):
        if isinstance(value, str):
            found = parse_date(value)
            if found:
                return found
    if doc is None:
        return None
    return _first_date(hinted(doc, _DATE_HINT), updated=True)
