"""Generic finders for headline, sapo, authors, section and tags (dates: ``published``).

Each takes the parsed page (and what the <head> said) and returns its best guess; profile
selectors, when a site has them, are tried before these in ``clean``.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from html import unescape

from lxml.html import HtmlElement

from archive.clean.meta import PageMeta, split_authors, strip_title_suffix, text_of, tidy_author

__all__ = ["find_headline", "find_sapo", "find_byline_authors", "find_author_links", "ld_authors",
           "find_section", "find_tags", "looks_like_name", "byline_names", "hinted"]

_SAPO_HINT = re.compile(r"sapo|summary|lead|description|excerpt|intro|chapeau|tom-?tat|"
                        r"abstract|standfirst|subtitle|sub-title|teaser", re.I)
_AUTHOR_HINT = re.compile(r"author|byline|tac-?gia|credit|writer|reporter", re.I)
_TAG_HINT = re.compile(r"(?:^|[-_\s])tags?(?:$|[-_\s])|tag-?list|keyword|tu-?khoa|tagdetail|"
                       r"tag_detail|article-tags", re.I)
_NOT_TAGS = re.compile(r"hot|trend|menu|nav|event|su-?kien|topic-?list", re.I)
_CRUMB_HINT = re.compile(r"breadcrumb|bread-crumb", re.I)
_NON_NAME = re.compile(r"\d|https?:|www\.|@|[.!?]\s*$|[:;]", re.I)
_LOWER_OK = {"và", "theo", "văn", "thị", "de", "van", "der", "bin"}


def _attrs(el: HtmlElement) -> str:
    attrib = el.attrib
    return " ".join(attrib[a] for a in ("class", "id", "itemprop") if a in attrib)


_LOCAL = threading.local()


def hinted(doc: HtmlElement, pattern: re.Pattern[str]) -> list[HtmlElement]:
    """Elements under ``doc`` whose class/id/itemprop/rel match ``pattern``.

    The attribute strings of the whole document are gathered once per page (one cached
    page at a time) because five finders scan them; elements pruned since then are skipped.
    """
    top = doc.getroottree().getroot()
    cached = getattr(_LOCAL, "index", None)
    if cached is None or cached[0] is not top:
        cached = (top, [(el, _attrs(el)) for el in top.iter()
                        if isinstance(el.tag, str) and el.attrib])
        _LOCAL.index = cached
    hits: dict[str, bool] = {}
    found = []
    for el, attrs in cached[1]:
        hit = hits.get(attrs)
        if hit is None:
            hit = hits[attrs] = pattern.search(attrs) is not None
        if hit:
            found.append(el)
    if doc is top:
        return [el for el in found if el.getroottree().getroot() is top]
    # Hits are few: walking up from each is cheaper than a set of every element under doc.
    return [el for el in found if el is doc or any(a is doc for a in el.iterancestors())]


def _fold(text: str) -> str:
    return re.sub(r"\W+", " ", unicodedata.normalize("NFC", text).lower()).strip()


def _similar(a: str, b: str) -> float:
    wa, wb = set(_fold(a).split()), set(_fold(b).split())
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / max(len(wa), len(wb))


_TITLE_SEP = re.compile(r"\s+[|\-–—:»]\s+|\s*\|\s*")


def _title_prefixes(meta_titles: list[str]) -> set[str]:
    """Folded forms of each meta title and of every prefix ending at a separator
    ("Tiêu đề - Chuyên mục | Site" → "tiêu đề", "tiêu đề chuyên mục", the whole)."""
    out: set[str] = set()
    for t in meta_titles:
        out.add(_fold(t))
        for m in _TITLE_SEP.finditer(t):
            head = _fold(t[:m.start()])
            if len(head) >= 8:
                out.add(head)
    return out


def find_headline(doc: HtmlElement, pm: PageMeta,
                  site_names: list[str]) -> tuple[str, HtmlElement | None]:
    """The visible headline and its element.

    1. an <h1>, else an <h2>/<h3> (portals and old CMSs put the headline there), whose text
       *is* a meta title or a meta title minus trailing " - Site" parts — exact, so a sapo,
       a box heading or the site logo never passes;
    2. else an <h1> agreeing with the de-suffixed meta titles (word overlap ≥ 0.5);
    3. else the meta title with the site suffix stripped (no element).
    """
    meta_titles = [t for t in (pm.ld_value("headline"), pm.get("og:title", "twitter:title"),
                               pm.title_tag) if isinstance(t, str) and t.strip()]
    meta_titles = [re.sub(r"\s+", " ", t).strip() for t in meta_titles]
    names = site_names + [pm.get("og:site_name") or "", pm.get("application-name") or ""]
    site_keys = {_fold(n) for n in names if n}
    if meta_titles:
        wanted = _title_prefixes(meta_titles) - site_keys
        for tags in (("h1",), ("h2", "h3")):
            for h in doc.iter(*tags):
                text = text_of(h)
                if 8 <= len(text) <= 300 and _fold(text) in wanted:
                    return text, h
    stripped = [strip_title_suffix(t, names) for t in meta_titles]
    best, best_el, best_score = "", None, 0.0
    for h in doc.iter("h1"):
        text = text_of(h)
        if len(text) < 8 or len(text) > 300 or _fold(text) in site_keys:
            continue
        score = max((_similar(text, t) for t in stripped if t), default=0.6)
        if score > best_score + 1e-9:
            best, best_el, best_score = text, h, score
    if best and best_score >= 0.5:
        return best, best_el
    for cleaned in stripped:
        if cleaned:
            return cleaned, None
    return best, best_el


def find_sapo(body: HtmlElement, root: HtmlElement | None, pm: PageMeta,
              title: str = "", headline: HtmlElement | None = None) -> HtmlElement | None:
    """Lead paragraph element: class hints first, else the visible copy of the description.

    A lead belongs to the article: it comes after the headline (a site tagline such as
    WordPress's ``p.site-description`` sits in the masthead before it) and either before the
    text container or at its very start — only short lines (a dateline, a notice) may precede
    it there.
    """
    inside = set(root.iter()) if root is not None else set()
    title_key = _fold(title)
    if headline is not None and headline.getroottree().getroot() is not body.getroottree().getroot():
        headline = None  # pruned away: no position to compare with
    for el in hinted(body, _SAPO_HINT):
        if el.tag in ("a", "li", "ul", "img", "span", "body"):
            continue
        text = text_of(el)
        if title_key and _fold(text).startswith(title_key):
            continue  # a header block holding the headline, not the lead
        if 30 <= len(text) <= 1200 and not el.xpath(".//p[string-length(normalize-space())>60]"
                                                    "/following-sibling::p"):
            if headline is not None and _precedes(el, headline):
                continue
            links = sum(len(a.text_content() or "") for a in el.iter("a"))
            if root is None or el is root:
                placed = True
            elif el in inside:
                placed = _leads(root, el, headline)
            else:
                placed = _precedes(el, root)
            if placed and links < 0.3 * len(text):
                return el
    desc = pm.get("og:description", "description", "twitter:description")
    if desc and len(desc) >= 30:
        want = _fold(desc)[:120]
        for el in body.iter("p", "h2", "h3", "div", "strong", "span"):
            if el in inside or el is root:
                continue
            text = text_of(el)
            if 30 <= len(text) <= 1200 and _fold(text)[:120] == want:
                return el
    return None


def _path(el: HtmlElement) -> list[int]:
    """Child indices from the document root down to ``el`` (document order key)."""
    out = []
    parent = el.getparent()
    while parent is not None:
        out.append(parent.index(el))
        el, parent = parent, parent.getparent()
    return out[::-1]


def _precedes(a: HtmlElement, b: HtmlElement) -> bool:
    """``a`` starts before ``b`` in document order (an ancestor precedes its descendants)."""
    return _path(a) < _path(b)


# Text allowed before the lead inside the body container (dateline, notice, photo credit).
_LEAD_SLACK = 160


def _child_of(root: HtmlElement, el: HtmlElement | None) -> HtmlElement | None:
    """The child of ``root`` that holds ``el`` (None when ``el`` is not below ``root``)."""
    while el is not None and el.getparent() is not root:
        el = el.getparent()
    return el


def _leads(root: HtmlElement, el: HtmlElement, headline: HtmlElement | None = None) -> bool:
    """``el`` opens ``root``: the root's children between the headline (when the root holds
    it) and the one holding ``el`` carry only short text (no body paragraph), and ``el``
    opens that child."""
    top = _child_of(root, el)
    if top is None:
        return False
    if top is not el and not _fold(text_of(top)).startswith(_fold(text_of(el))[:60]):
        return False
    head_top = _child_of(root, headline) if headline is not None else None
    before = 0
    for c in root:
        if c is top:
            return True
        if c is head_top:
            before = 0  # the headline and whatever precedes it are not body text
            continue
        if isinstance(c.tag, str):
            before += len(text_of(c))
            if before >= _LEAD_SLACK:
                return False
    return False


def looks_like_name(text: str) -> bool:
    """'Hữu Nghị', 'NHẬT XUÂN', 'Minh Chiến' yes; sentences, dates, links no."""
    if not text or len(text) > 40 or _NON_NAME.search(text):
        return False
    words = text.split()
    if not 1 <= len(words) <= 5:
        return False
    return all(w[0].isupper() or w.lower() in _LOWER_OK or not w[0].isalpha() for w in words) \
        and any(w[0].isupper() for w in words)


_UNIT = re.compile(r"^(.*?\S)\s*\(([^()\d]{2,90})\)\.?$")


def byline_names(text: str) -> list[str]:
    """Names in a byline line, or [] when the line is not a byline."""
    raw = text.strip()
    if len(raw) > 120 or raw.endswith((".", "?", "!", ":", "…")) and not raw.endswith(")."):
        return []
    # "Lò Thị Nga (Trung tâm Văn hoá – Thông tin huyện Quan Sơn)": the unit in brackets is
    # not a name, and its dashes must not split it; the names before it decide.
    unit = _UNIT.match(raw)
    if unit:
        raw = unit.group(1)
    if len(raw) > 80:
        return []
    names = split_authors(raw)
    return names if names and all(looks_like_name(n) for n in names) else []


def find_byline_authors(doc: HtmlElement) -> list[str]:
    """Names from the first author/byline element; a later one may extend it (co-authors
    listed in full at the bottom) but never replace it with other people's names."""
    best: list[str] = []
    for el in hinted(doc, _AUTHOR_HINT):
        if el.tag in ("meta", "link", "img", "script"):
            continue
        text = text_of(el)
        names = byline_names(text)
        if not names:
            # "Nguyên Minh - 07/03/2026 08:47": a name followed by the date.
            m = re.match(r"^([^\d|]{3,40}?)\s*[-–|,]\s*\d", text)
            names = byline_names(m.group(1)) if m else []
        if not names:
            continue
        if not best:
            best = names
        elif len(names) > len(best) and set(best) <= set(names):
            best = names
    return best


# A byline that links to the author's page ("/tac-gia/do-trung", "/author/…", rel=author).
_AUTHOR_HREF = re.compile(r"/(?:tac-?gia|author|authors|nguoi-viet|but-danh|phong-vien)"
                          r"(?:/|[-_]|\.|\?)", re.I)


def find_author_links(doc: HtmlElement) -> list[str]:
    """Names of the links to author pages, in page order (a sidebar of authors would be many
    different names: more than three is not a byline)."""
    names: list[str] = []
    for a in doc.iter("a"):
        if "author" not in (a.get("rel") or "").lower() and not _AUTHOR_HREF.search(
                a.get("href") or ""):
            continue
        text = tidy_author(text_of(a))
        if looks_like_name(text) and text not in names:
            names.append(text)
    return names if len(names) <= 3 else []


def ld_authors(pm: PageMeta, site_names: list[str]) -> list[str]:
    value = pm.ld_value("author")
    items = value if isinstance(value, list) else [value] if value else []
    names: list[str] = []
    lowered = [n.lower() for n in site_names if n]
    for item in items:
        if isinstance(item, dict):
            if str(item.get("@type", "Person")).lower() not in ("person", ""):
                continue
            name = item.get("name")
        else:
            name = item
        if not isinstance(name, str):
            continue
        name = tidy_author(unescape(re.sub(r"\s+", " ", name)))
        if name and looks_like_name(name) and not any(n in name.lower() or name.lower() in n
                                                      for n in lowered):
            names.append(name)
    return names


def find_section(doc: HtmlElement, pm: PageMeta) -> str | None:
    """Most specific breadcrumb entry, else JSON-LD breadcrumbs, else article:section."""
    for el in hinted(doc, _CRUMB_HINT):
        items = [text_of(a) for a in el.iter("a", "li", "span")
                 if el.tag != "a" and not any(True for _ in a.iter("li")) and text_of(a)]
        items = [i for i in dict.fromkeys(items)
                 if i.lower() not in ("trang chủ", "home", "trang chu") and len(i) < 60]
        if items:
            return items[-1]
    crumbs = [c for c in pm.ld_breadcrumbs if c.lower() not in ("trang chủ", "home")]
    if crumbs:
        return crumbs[-1]
    return pm.get("article:section")


def find_tags(doc: HtmlElement) -> list[str]:
    """Visible tag/keyword links ("#AAT", "Từ khóa: a, b")."""
    for el in hinted(doc, _TAG_HINT):
        if el.tag == "meta" or _NOT_TAGS.search(_attrs(el)):
            continue
        tags = [text_of(a).lstrip("#").strip(" ,;") for a in el.iter("a")]
        tags = [t for t in dict.fromkeys(tags) if t and len(t) < 80]
        if tags:
            return tags
    return []
