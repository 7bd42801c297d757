"""Page metadata: <meta> tags, JSON-LD, canonical url, headline, authors, section, tags."""
from __future__ import annotations

import html
import json
import re
from typing import Any, Iterable
from urllib.parse import urljoin

from lxml.html import HtmlElement

from archive.article import ARTICLE_TYPES
from archive.textnorm import clean_text

__all__ = ["PageMeta", "read_meta", "strip_title_suffix", "tidy_author", "is_source_credit",
           "text_of", "split_authors"]

# A WebPage node counts too when it carries a headline or a publication date.
_ARTICLE_TYPES = ARTICLE_TYPES | {"webpage"}
_WS = re.compile(r"\s+")


def text_of(el: HtmlElement) -> str:
    return clean_text(_WS.sub(" ", el.text_content() or ""))


def _unescape(value: str) -> str:
    # Some sites encode entities twice ("&amp;#8211;"); unescape until stable.
    for _ in range(3):
        new = html.unescape(value)
        if new == value:
            break
        value = new
    return clean_text(_WS.sub(" ", value))


class PageMeta:
    """Everything the <head> (and JSON-LD anywhere) says about the page."""

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}
        self.meta_all: dict[str, list[str]] = {}
        self.ld: list[dict[str, Any]] = []        # article-like JSON-LD objects
        self.ld_breadcrumbs: list[str] = []
        self.canonical: str | None = None
        self.title_tag: str = ""
        self.lang: str | None = None

    def get(self, *keys: str) -> str | None:
        for key in keys:
            value = self.meta.get(key)
            if value:
                return value
        return None

    def ld_value(self, key: str) -> Any:
        for obj in self.ld:
            if obj.get(key):
                return obj[key]
        return None


def _walk_ld(node: Any, out: list[dict[str, Any]], crumbs: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _walk_ld(item, out, crumbs)
        return
    if not isinstance(node, dict):
        return
    kind = node.get("@type")
    kinds = {str(k).lower() for k in (kind if isinstance(kind, list) else [kind]) if k}
    if kinds & _ARTICLE_TYPES and ("headline" in node or "datePublished" in node):
        out.append(node)
    if "breadcrumblist" in kinds:
        items = node.get("itemListElement") or []
        flat: list[Any] = []
        for it in items if isinstance(items, list) else [items]:
            flat.extend(it if isinstance(it, list) else [it])
        for it in flat:
            if isinstance(it, dict):
                name = it.get("name") or (it.get("item") or {}).get("name") if isinstance(
                    it.get("item"), dict) else it.get("name")
                if isinstance(name, str):
                    crumbs.append(_unescape(name))
    for key in ("@graph", "mainEntity", "mainEntityOfPage"):
        if isinstance(node.get(key), (list, dict)):
            _walk_ld(node[key], out, crumbs)


def read_meta(doc: HtmlElement, base_url: str | None) -> PageMeta:
    pm = PageMeta()
    pm.lang = doc.get("lang")
    for el in doc.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        content = el.get("content")
        if key and content:
            value = _unescape(content)
            pm.meta_all.setdefault(key, []).append(value)
            pm.meta.setdefault(key, value)
    for el in doc.iter("title"):
        pm.title_tag = text_of(el)
        break
    for el in doc.iter("link"):
        if (el.get("rel") or "").lower().strip() == "canonical" and el.get("href"):
            pm.canonical = el.get("href").strip()
            break
    for el in doc.iter("script"):
        if "ld+json" not in (el.get("type") or "").lower() or not el.text:
            continue
        raw = el.text.strip().rstrip(";")
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        _walk_ld(data, pm.ld, pm.ld_breadcrumbs)
    if base_url and pm.canonical:
        pm.canonical = urljoin(base_url, pm.canonical)
    return pm


def strip_title_suffix(title: str, site_names: Iterable[str] = ()) -> str:
    """Remove a trailing " - Báo X" / " | Site" part from a <title>/og:title.

    >>> strip_title_suffix("Giá vàng giảm | Báo Dân trí")
    'Giá vàng giảm'
    """
    names = [n.lower() for n in site_names if n]
    parts = re.split(r"\s+[|\-–—:]\s+|\s*\|\s*", title)
    if len(parts) < 2:
        return title.strip()
    tail = parts[-1].lower()
    looks_like_site = (any(n in tail or tail in n for n in names)
                       or re.search(r"\b(báo|online|news|\.vn|\.com|\.net|tạp chí|đài|vtv|"
                                    r"truyền hình)\b", tail) is not None
                       or len(tail.split()) <= 3 and len(parts[0].split()) >= 5)
    if looks_like_site:
        cut = title.lower().rfind(parts[-1].lower())
        return title[:cut].rstrip(" |-–—:").strip()
    return title.strip()


_BYLINE_NOISE = re.compile(
    r"^(?:theo|bài(?:\s+và\s+ảnh)?|ảnh|nhóm phóng viên|phóng viên|pv|ctv|tác giả|by|"
    r"thực hiện|nguồn)\s*[:\-–]?\s+", re.I)
_PAREN = re.compile(r"\s*\((?:tổng hợp|theo [^)]*|lược dịch|biên dịch|dịch|ctv|tổng hợp từ[^)]*)\)\s*$",
                    re.I)


# "Theo Ngoisao", "Theo TTXVN", "Nguồn: VnExpress": a credit to another publication (one word
# after "Theo", or any "Nguồn:" line) names a source, not a person who wrote the article.
_SOURCE_CREDIT = re.compile(r"^(?:theo\s+[^\s,;/&]+|(?:nguồn|source)\s*:.*)$", re.I)


def is_source_credit(text: str) -> bool:
    """'Theo Ngoisao' yes; 'Theo Hồ Hương' (a person) no."""
    return _SOURCE_CREDIT.match(clean_text(text).strip(" .,;:-–—()")) is not None


def tidy_author(text: str) -> str:
    """'Theo Hồ Hương' → 'Hồ Hương'; 'Hà Thu (tổng hợp)' → 'Hà Thu'; a source credit → ''."""
    text = clean_text(text).strip(" .,;:-–—")
    if is_source_credit(text):
        return ""
    text = _PAREN.sub("", text)
    text = _BYLINE_NOISE.sub("", text)
    return text.strip(" .,;:-–—")


def split_authors(text: str) -> list[str]:
    """'NHẬT XUÂN - NGHI VŨ' → two names; also ',', ' và ', '&'."""
    text = tidy_author(text)
    parts = re.split(r"\s+[-–—&]\s+|\s*,\s*|\s+và\s+|\s*/\s*", text)
    return [tidy_author(p) for p in parts if tidy_author(p)]
