"""Finding urls in what the crawler fetched: HTML links, sitemaps, RSS/Atom, robots.txt.

Also the guess, for sites without an article pattern, of whether an HTML page is an
article or a listing.  Signals in order of trust: schema.org ``NewsArticle`` data or an
``article:published_time`` meta (publishers set these for their articles only), then
page shape: a listing repeats many ``<article>`` teasers, each in its own box, an
article has one long run of paragraph text that is not links.
"""
from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field

import lxml.etree as etree
import lxml.html

from archive.article import ARTICLE_TYPES
from archive.encoding import decode_html

__all__ = ["parse_html", "PageLinks", "parse_sitemap", "parse_feed", "is_feed", "is_sitemap"]

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_SKIP_EXT = re.compile(r"\.(jpe?g|png|gif|webp|svg|ico|css|js|json|pdf|docx?|xlsx?|pptx?|zip|rar|"
                       r"mp[34]|m4a|avi|mov|webm|woff2?|ttf|exe|apk)$", re.I)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json")


@dataclass
class PageLinks:
    links: list[str] = field(default_factory=list)   # absolute, as written (not canonical)
    feeds: list[str] = field(default_factory=list)
    canonical: str | None = None
    is_article: bool = False
    robots_nofollow: bool = False


def parse_html(body: bytes, content_type: str, base_url: str) -> PageLinks:
    # lxml refuses text that still declares a byte encoding (XHTML's <?xml ...?>)
    text = _XML_DECL.sub("", decode_html(body, content_type).text, count=1)
    out = PageLinks()
    try:
        doc = lxml.html.document_fromstring(text, base_url=base_url)
    except (etree.ParserError, ValueError):
        return out
    doc.make_links_absolute(base_url, resolve_base_href=True, handle_failures="discard")
    for meta in doc.iter("meta"):
        if (meta.get("name") or "").lower() == "robots" and "nofollow" in (meta.get("content") or "").lower():
            out.robots_nofollow = True
    for link in doc.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = link.get("href")
        if not href:
            continue
        if "canonical" in rel:
            out.canonical = href
        elif "alternate" in rel and (link.get("type") or "").lower() in _FEED_TYPES:
            out.feeds.append(href)
        elif "next" in rel:
            out.links.append(href)
    if not out.robots_nofollow:
        for a in doc.iter("a"):
            href = a.get("href")
            if href and "nofollow" not in (a.get("rel") or "").lower() and not _SKIP_EXT.search(href.split("?")[0]):
                out.links.append(href)
    out.is_article = _looks_like_article(doc)
    return out


def _looks_like_article(doc: lxml.html.HtmlElement) -> bool:
    for script in doc.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text:
            if _ld_types(script.text) & ARTICLE_TYPES:
                return True
    for meta in doc.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "article:published_time":
            return True
    # The longest stretch of prose under one parent, links not counted: a listing's
    # teasers sit each in its own box, however many <article> tags an article page has.
    best = 0
    for parent in {p.getparent() for p in doc.iter("p") if p.getparent() is not None}:
        prose = 0
        for p in parent.iterchildren("p"):
            whole = p.text_content()
            linked = sum(len(a.text_content()) for a in p.iter("a"))
            prose += max(0, len(whole.strip()) - linked)
        best = max(best, prose)
    return best >= 1200


def _ld_types(text: str) -> set[str]:
    try:
        data = json.loads(text)
    except ValueError:
        return {m.lower() for m in re.findall(r'"@type"\s*:\s*"(\w+)"', text)}
    found: set[str] = set()
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            kind = item.get("@type")
            for k in (kind if isinstance(kind, list) else [kind]):
                if isinstance(k, str):
                    found.add(k.lower())
            stack.extend(v for key, v in item.items() if key == "@graph")
    return found


def _xml_root(body: bytes) -> etree._Element | None:
    if body[:2] == b"\x1f\x8b":
        try:
            body = gzip.decompress(body)
        except OSError:
            return None
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(body.lstrip(), parser=parser)
    except etree.XMLSyntaxError:
        return None


def _local(tag: object) -> str:
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def is_sitemap(body: bytes) -> bool:
    root = _xml_root(body)
    return root is not None and _local(root.tag) in ("urlset", "sitemapindex")


def is_feed(body: bytes) -> bool:
    root = _xml_root(body)
    return root is not None and _local(root.tag) in ("rss", "feed", "rdf")


def parse_sitemap(body: bytes) -> tuple[list[str], list[str]]:
    """(page urls, child sitemap urls) of a sitemap or sitemap index, gzipped or not."""
    root = _xml_root(body)
    pages: list[str] = []
    children: list[str] = []
    if root is None:
        return pages, children
    index = _local(root.tag) == "sitemapindex"
    for el in root.iter():
        if _local(el.tag) == "loc" and el.text and el.text.strip():
            (children if index else pages).append(el.text.strip())
    return pages, children


def parse_feed(body: bytes) -> list[str]:
    """Item links of an RSS 2.0, RSS 1.0 or Atom feed."""
    root = _xml_root(body)
    if root is None:
        return []
    urls: list[str] = []
    for item in root.iter():
        if _local(item.tag) not in ("item", "entry"):
            continue
        for child in item:
            if _local(child.tag) != "link":
                continue
            href = child.get("href") if child.get("href") else (child.text or "").strip()
            rel = child.get("rel", "alternate")
            if href and rel == "alternate":
                urls.append(href)
                break
    return urls
