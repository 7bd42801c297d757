"""Any Vietnamese news page (bytes) → a faithful ``Article``, or a ``CleanError`` saying why not.

Parsing uses ``lxml.html`` directly: it parses the shared pages more than ten times faster
than ``BeautifulSoup(..., "lxml")``, which alone would cap ingest (figures: bench/PERF.md).
Text keeps the publisher's tone placement (NFC); the indexer canonicalises for matching.

Where BeautifulSoup was weighed and left out (measured, not assumed):
- charsets: ``bs4.dammit.UnicodeDammit`` (with charset-normalizer) read 7 of 11 shared articles
  re-encoded as undeclared windows-1258 as windows-1250; ``archive.encoding`` got all 34 test
  cases right (23 pages with the charset declaration removed + 11 undeclared cp1258) at the
  same cost, and UnicodeDammit repairs no mojibake.  ``UnicodeDammit.detwingle``
  only mends stray 0x80-0x9F bytes (a stray "é" still breaks the UTF-8 decode), so
  ``archive.encoding`` reads stray bytes in a mostly-UTF-8 page as windows-1252 itself.
- fallback parser: the only silent lxml failure found is libxml2's nesting limit (content
  below depth 256 is dropped: 400 unclosed ``<font>`` tags lost 147 of 400 paragraphs).
  ``huge_tree=True`` lifts it to 2048 at no cost; deeper pages are refused ("error:too-
  complex") rather than indexed truncated.  ``lxml.html.soupparser`` (bs4's html.parser)
  would recover them, but our recursive block walker cannot take such trees either, so it
  would only trade one refusal for another at 300+ ms per page.

>>> page = ("<html><head><title>Mưa lớn ở Huế - Báo Mẫu</title></head><body><article>"
...         "<h1>Mưa lớn ở Huế</h1><p>Sáng 7/3, mưa lớn kéo dài khiến nhiều tuyến đường ở "
...         "thành phố Huế ngập sâu, người dân phải di chuyển đồ đạc lên cao, trường học "
...         "cho học sinh nghỉ.</p><p>Theo đài "
...         "khí tượng, mưa còn kéo dài đến hết ngày mai, lượng mưa phổ biến 50-100 mm, có nơi "
...         "trên 150 mm ở vùng núi phía tây.</p><p>Trần Văn Mẫu</p></article></body></html>")
>>> a = clean_page(page, "https://bao-mau.vn/mua-lon.html?utm_source=x")
>>> a.title, a.authors, len(a.paragraphs), a.url
('Mưa lớn ở Huế', ('Trần Văn Mẫu',), 2, 'https://bao-mau.vn/mua-lon.html')
"""
from __future__ import annotations

import re
import threading
import unicodedata
from datetime import datetime

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from archive.clean.captions import lift_photo_captions
from archive.clean.css import select
from archive.clean.dates import find_visible_date
from archive.clean.extract import Blocks, find_root, is_boilerplate, prune, walk
from archive.clean.fields import (byline_names, find_author_links, find_byline_authors,
                                  find_headline, find_sapo, find_section, find_tags, ld_authors)
from archive.clean.published import find_modified, find_published
from archive.clean.meta import PageMeta, is_source_credit, read_meta, split_authors, text_of
from archive.article import Article, site_of
from archive.urls import accept_declared_url, canonical_url
from archive.encoding import decode_html, mojibake_ratio, repair_mojibake
from archive.sites import ExtractProfile, profile_for
from archive.textnorm import clean_text

__all__ = ["clean_page", "CleanError", "NotAnArticle"]

# Below this much body text a page is not an article worth indexing.
MIN_BODY_CHARS = 250
# Share of words still garbled after mojibake repair above which we refuse the page.
MAX_GARBLED = 0.05

_SOFT_404 = re.compile(r"\b404\b|không tìm thấy|không tồn tại|page not found|not found|"
                       r"trang bạn (?:tìm|yêu cầu)|đã bị xóa|đã bị gỡ|lỗi truy cập", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


class CleanError(ValueError):
    """A page that cannot become an Article; ``reason`` is a short machine code."""

    def __init__(self, reason: str, message: str | None = None) -> None:
        self.reason = reason
        super().__init__(message or reason)


class NotAnArticle(CleanError):
    """The page is fine but is not a news article (listing, 404, no body)."""


def clean_page(page: bytes | str, url: str | None = None, *, content_type: str | None = None,
               fetched: datetime | None = None, use_profiles: bool = True) -> Article:
    """Clean one page.  Pure: the only I/O is reading site profiles once (cached)."""
    try:
        return _clean(page, url, content_type, fetched, use_profiles)
    except CleanError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise CleanError("error:too-complex", f"page too deeply nested: {exc!r}") from exc
    except Exception as exc:  # noqa: BLE001 - the contract is "CleanError or an Article"
        raise CleanError("error:internal", f"cleaner failed: {type(exc).__name__}: {exc}") from exc


# One parser per thread: lxml parser objects keep state (error log) between calls.
_PARSERS = threading.local()


def _parse(text: str) -> HtmlElement:
    text = _XML_DECL.sub("", _CONTROL.sub("", text), count=1)
    if not text.strip():
        raise CleanError("empty", "page has no content")
    parser = getattr(_PARSERS, "parser", None)
    if parser is None:
        parser = _PARSERS.parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        doc = lxml.html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise CleanError("empty", f"unparseable page: {exc}") from exc
    if any(e.type_name == "ERR_RESOURCE_LIMIT" for e in parser.error_log):
        # libxml2 silently drops what lies below its depth limit: refuse, never truncate.
        raise CleanError("error:too-complex", "page nests deeper than the parser allows")
    if doc.find("body") is None:
        raise NotAnArticle("not-article:no-body", "page has no <body>")
    return doc


def _first(root: HtmlElement, selectors: tuple[str, ...]) -> HtmlElement | None:
    for sel in selectors:
        found = select(root, sel)
        if found:
            return found[0]
    return None


def _clean(page: bytes | str, url: str | None, content_type: str | None,
           fetched: datetime | None, use_profiles: bool) -> Article:
    raw, text = _decoded(page, content_type)
    doc = _parse(text)
    pm = read_meta(doc, url)
    page_url, url_note = _page_url(pm.canonical, pm.get("og:url"), url)
    site = site_of(page_url) or (site_of(url) if url else "")
    profile: ExtractProfile | None = profile_for(site) if use_profiles and site else None
    site_names = [site, site.split(".")[0], pm.get("og:site_name") or ""]

    # Read what pruning would remove (headline, bylines, breadcrumbs, tags) first.
    title, headline = "", None
    if profile and profile.title:
        headline = _first(doc, profile.title)
        title = text_of(headline) if headline is not None else ""
    if not title:
        title, headline = find_headline(doc, pm, site_names)
    if not title:
        raise NotAnArticle("not-article:no-title", "page has no headline")
    if _SOFT_404.search(title) or _SOFT_404.search(pm.title_tag[:80]) and len(pm.title_tag) < 80:
        raise NotAnArticle("not-article:soft-404", f"page looks like an error page: {title!r}")

    authors, byline_fallback, section, tags, published, modified = \
        _head_fields(doc, pm, profile, site_names)

    body = doc.find("body")
    drops = [e for sel in profile.drop for e in select(body, sel)] if profile else []
    prune(body, drops)
    root = _first(body, profile.body) if profile and profile.body else None
    root = root if root is not None else find_root(body)
    if root is None:
        raise NotAnArticle(_no_body_reason(doc), "no article text found")

    sapo_el = _first(body, profile.sapo) if profile and profile.sapo else None
    sapo_el = sapo_el if sapo_el is not None else find_sapo(body, root, pm, title, headline)
    sapo = text_of(sapo_el) if sapo_el is not None else None
    if sapo_el is not None and sapo_el.getparent() is not None and sapo_el is not root:
        sapo_el.drop_tree()

    lifted = lift_photo_captions(root)
    blocks = walk(root)
    blocks.captions[:0] = lifted
    if profile and profile.captions:
        for el in (e for sel in profile.captions for e in select(root, sel)):
            cap = text_of(el)
            if cap and cap not in blocks.captions:
                blocks.captions.append(cap)
    paragraphs, trailing = _tidy(blocks, title, sapo, published)
    authors = authors or trailing or byline_fallback
    if sum(len(p) for p in paragraphs) < MIN_BODY_CHARS:
        raise NotAnArticle(_no_body_reason(body), "too little article text")
    listing = _listing_evidence(body, root, paragraphs, _declares_article(pm, root))
    if listing:
        raise NotAnArticle("not-article:listing", f"page is a list of article links: {listing}")

    captions = [c for c in dict.fromkeys(clean_text(c) for c in blocks.captions) if c]
    lang = (pm.lang or pm.get("og:locale") or "vi").split("-")[0].split("_")[0].lower() or "vi"
    return Article(
        url=page_url, title=title, paragraphs=tuple(paragraphs), site=site,
        sapo=sapo or None, captions=tuple(captions), authors=tuple(dict.fromkeys(authors)),
        published=published, modified=modified, fetched=fetched,
        section=section or None, tags=tuple(tags), language=lang, raw_html=raw,
        url_note=url_note,
    )


def _decoded(page: bytes | str, content_type: str | None) -> tuple[bytes, str]:
    """(raw bytes, NFC text with mojibake repaired) of a page, or a CleanError."""
    if isinstance(page, str):
        raw, text = page.encode("utf-8", "surrogatepass"), unicodedata.normalize("NFC", page)
        if mojibake_ratio(text) > 0.02:
            text = repair_mojibake(text)
        if mojibake_ratio(text) > MAX_GARBLED:
            raise CleanError("encoding:unrepairable", "text is double-encoded, cannot repair")
        return raw, text
    if isinstance(page, (bytes, bytearray, memoryview)):
        raw = bytes(page)
        if not raw.strip():
            raise CleanError("empty", "page is empty")
        decoded = decode_html(raw, content_type)
        if decoded.garbled > MAX_GARBLED:
            raise CleanError("encoding:unrepairable",
                             f"{decoded.garbled:.0%} of words are still mojibake after repair")
        return raw, decoded.text
    raise CleanError("empty", f"page must be bytes or str, not {type(page).__name__}")


def _head_fields(doc, pm, profile: ExtractProfile | None, site_names: list[str]):
    """(authors, byline fallback, section, tags, published, modified), read before pruning
    removes the bylines, breadcrumbs and tag lists they come from."""
    authors: list[str] = []
    if profile and profile.byline:
        for el in (e for sel in profile.byline for e in select(doc, sel)):
            authors.extend(n for n in split_authors(text_of(el)) if n not in authors)
            if authors:
                break
    authors = authors or ld_authors(pm, site_names)
    byline_fallback = find_byline_authors(doc) or find_author_links(doc)
    section = _profile_text(doc, profile.section, last=True) if profile else None
    section = section or find_section(doc, pm)
    tags = _profile_all(doc, profile.tags) if profile and profile.tags else []
    tags = tags or find_tags(doc)
    published = None
    if profile and profile.date:
        el = _first(doc, profile.date)
        if el is not None:
            published = find_visible_date(text_of(el))
    published = published or find_published(doc, pm)
    return authors, byline_fallback, section, tags, published, find_modified(pm, doc)


def _page_url(canonical: str | None, og_url: str | None, url: str | None) -> tuple[str, str]:
    """The page's key, and why a declared url was not taken ("" when none was refused)."""
    note = ""
    for declared in (canonical, og_url):
        accepted, refused = accept_declared_url(declared, url)
        if accepted:
            return accepted, note
        note = note or refused
    if not url:
        raise CleanError("no-url", "no url given and the page declares none" +
                         (f" usable ({note})" if note else ""))
    return canonical_url(url) or url.strip(), note


def _profile_text(doc: HtmlElement, selectors: tuple[str, ...], last: bool = False) -> str | None:
    for sel in selectors:
        found = [t for t in (text_of(e) for e in select(doc, sel)) if t]
        if found:
            return found[-1] if last else found[0]
    return None


def _profile_all(doc: HtmlElement, selectors: tuple[str, ...]) -> list[str]:
    for sel in selectors:
        found = [text_of(e).lstrip("#").strip(" ,;") for e in select(doc, sel)]
        found = [t for t in dict.fromkeys(found) if t]
        if found:
            return found
    return []


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


# A short line before the first body paragraph that shows the publication date is the
# article's dateline ("Thứ Hai, 9/3/2026 - 10:00 · Bởi Mẫu"), not text.
_DATELINE_MAX = 90


def _tidy(blocks: Blocks, title: str, sapo: str | None,
          published: datetime | None = None) -> tuple[list[str], list[str]]:
    """Drop repeats of title/sapo/captions and a leading dateline; move a trailing byline
    out of the body."""
    skip = {_key(title), _key(sapo or "")} | {_key(c) for c in blocks.captions}
    out: list[str] = []
    for text in blocks.paragraphs:
        key = _key(text)
        if not key or key in skip or (out and _key(out[-1]) == key) or is_boilerplate(text):
            continue
        if published and len(text) <= _DATELINE_MAX and all(len(p) <= _DATELINE_MAX for p in out):
            shown = find_visible_date(text)
            if shown and shown.date() == published.date():
                continue
        out.append(text)
    authors: list[str] = []
    for _ in range(2):
        if len(out) < 2:
            break
        names = byline_names(out[-1])
        if not names and is_source_credit(out[-1]):
            out.pop()  # "Theo TTXVN": a source credit, neither body text nor an author
            continue
        if not names:
            break
        authors = names + authors
        out.pop()
    return out, authors


def _headline_links(root: HtmlElement) -> int:
    return sum(1 for a in root.iter("a") if len((a.text_content() or "").strip()) >= 25)


def _no_body_reason(doc: HtmlElement) -> str:
    return "not-article:listing" if _headline_links(doc) >= 8 else "not-article:no-body"


def _declares_article(pm: PageMeta, root: HtmlElement) -> bool:
    """The page says it is one article: article JSON-LD, or an ``itemprop=articleBody``
    container around the text (og:type alone does not count: CMSs put "article" on every
    page, listings included)."""
    if pm.ld:
        return True
    el: HtmlElement | None = root
    while el is not None:
        if (el.get("itemprop") or "").lower() == "articlebody":
            return True
        el = el.getparent()
    return False


def _listing_evidence(body: HtmlElement, root: HtmlElement, paragraphs: list[str],
                      declared: bool) -> str:
    """Why the page is a listing, or "" when it is not.  Strong evidence only: the text
    container is a column of teasers (each "paragraph" next to its own headline link), or
    there is little text among many headline links on a page that does not declare itself
    an article (a short article in a page full of sidebar links is still an article)."""
    in_root = _headline_links(root)
    if in_root >= 6 and in_root >= len(paragraphs) / 2:
        return f"the text container holds {in_root} headline links for {len(paragraphs)} paragraphs"
    chars = sum(len(p) for p in paragraphs)
    if not declared and len(paragraphs) <= 2 and chars < 600:
        links = _headline_links(body)
        if links >= 8:
            return f"{chars} characters of text among {links} headline links"
    return ""
