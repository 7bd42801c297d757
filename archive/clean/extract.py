"""Generic main-content extraction: prune chrome, score containers, walk blocks in order.

Works on an lxml tree (much faster than BeautifulSoup for 250 KB pages).  The method:
1. ``prune`` drops non-content tags, hidden elements and boxes whose class/id/type say they are
   chrome (related news, comments, share bars, ads, menus...).
2. ``find_root`` scores every paragraph-like element by its non-link text and credits its
   parent fully and grandparent half (Readability's idea); the best container wins.
3. ``walk`` emits paragraphs, subheadings, quotes and list items in reading order, puts image
   captions aside, and skips link-dense blocks and Vietnamese boilerplate boxes
   ("Tin liên quan", "Xem thêm", "Bình luận" ...).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from lxml.html import HtmlElement

from archive.clean.inline import BLOCK_TAGS, in_text_flow, is_blockish
from archive.clean.media import PLAYERS, is_media_title, media_box
from archive.textnorm import clean_text

__all__ = ["Blocks", "prune", "find_root", "walk", "is_boilerplate", "link_density"]

_JUNK_TAGS = {"script", "style", "noscript", "template", "svg", "iframe", "object", "embed",
              "button", "input", "select", "textarea", "link", "meta", "video", "audio",
              "canvas", "map", "nav", "footer", "aside", "head", "label", "dialog"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
_LEAFISH = {"p", "h2", "h3", "h4", "h5", "h6", "li", "pre", "dd", "dt", "address"}

# Class/id/type words that mark page chrome, matched inside one attribute token so that
# "box-relate-news" and "RelatedNewsBox" both hit while "detail-content" does not.  Strong
# words always mean chrome; weak ones ("sidebar", "share", "menu") also show up on wrappers
# of the real article, so those boxes survive when they hold prose.
_STRONG = re.compile(
    r"relate|lienquan|lien-quan|comment|binhluan|binh-luan|newsletter|subscribe|recommend|"
    r"most-?read|xemnhieu|xem-nhieu|tinkhac|tin-khac|same-?cat|popup|modal|cookie|breadcrumb|"
    r"advert|quangcao|banner|footer|readmore|read-more|see-?more|"
    r"(?:^|[-_\s])(?:ads?|adv|notebox|hot-?news|box-?news|list-?news|news-?list|author-?bio)"
    r"(?:$|[-_\d\s])", re.I)
_WEAK = re.compile(
    r"sharing|share|social|sidebar|toolbar|login|register|rating|vote|weather|topbar|top-bar|"
    r"navbar|menu|(?:^|[-_\s])(?:nav|tags?|keywords?|print|widget|sticky|player|audio|tts)"
    r"(?:$|[-_\d\s])|(?:^|\s)(?:hidden|hide|d-none|sr-only|zalo|fb|facebook)(?:$|\s)", re.I)
_ANY = re.compile(_STRONG.pattern + "|" + _WEAK.pattern, re.I)
_CONTENT_HINT = re.compile(r"content|article|detail|body|main|post|entry|story|text|news-?body",
                           re.I)
_CAPTION_HINT = re.compile(r"caption|chu-?thich|desc|note|expnoedit|image-?title|photo-?title",
                           re.I)
# Words that name a caption on their own; "desc"/"note" also name notice boxes, editor's notes
# and summaries, so outside a figure they count only next to an image.
_CAPTION_STRONG = re.compile(r"caption|chu-?thich|expnoedit|image-?title|photo-?title", re.I)
_HIDING_CLASS = re.compile(r"(?:^|\s)(?:hidden|hide|d-none|sr-only|invisible)(?:$|\s)", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# Box headings and prompts that are never article text (matched on the whole block, folded).
_BOILER_EXACT = re.compile(
    r"^(?:tin liên quan|tin cùng chuyên mục|cùng chuyên mục|tin mới|tin mới nhất|tin nổi bật|"
    r"xem thêm|đọc thêm|tham khảo thêm|có thể bạn quan tâm|bạn có thể quan tâm|bài liên quan|"
    r"bài viết liên quan|tin khác|đọc nhiều|xem nhiều|bình luận|ý kiến|ý kiến bạn đọc|"
    r"chia sẻ|chia sẻ bài viết|copy link|sao chép liên kết|link bài gốc|lấy link|"
    r"tin đọc nhiều|video|ảnh|theo dõi|nổi bật|mới nhất|quảng cáo|advertisement|"
    r"chủ đề|từ khóa|từ khoá|tags?|gửi bình luận|viết bình luận|xem tất cả bình luận|"
    r"trở lại|trở lên trên|in bài|gửi bài|tải app|tặng sao)\s*[:>»]*$", re.I)
_BOILER_START = re.compile(
    r"^(?:tin liên quan\s*:|xem thêm\s*:|đọc thêm\s*:|>>\s*xem|xem thêm về\s*:|"
    r"hãy là người đầu tiên|để lại một bình luận|bình luận \(\d+\)|email của bạn sẽ không|"
    r"ý kiến của bạn sẽ được|hiện chưa có bình luận|bạn đang đọc|mời quý độc giả|"
    r"theo dõi .{0,40} trên (?:google news|zalo|facebook|youtube)|"
    r"đăng ký (?:nhận|ngay)|tải ứng dụng|bấm theo dõi|nguồn\s*:\s*https?://|"
    r"chúng tôi sử dụng cookie|copyright|©|bản quyền thuộc|đang tải|loading\.\.\.|"
    r"trình duyệt của bạn không hỗ trợ|your browser does not support)", re.I)
_DATE_ONLY = re.compile(r"^(?:(?:thứ\s*\w+|chủ nhật)\s*,?\s*)?\d{1,2}[/\-]\d{1,2}[/\-]\d{4}"
                        r"[\s,|\-–]*(?:\d{1,2}:\d{2}(?::\d{2})?)?\s*(?:\(?GMT\s*[+-]\s*\d+\)?)?$",
                        re.I)


_ATTRS = ("class", "id", "type", "data-type", "data-role", "role", "itemprop",
          "data-marked-zoneid")


def _attr_string(el: HtmlElement) -> str:
    # One space-joined string so each pattern runs once per element (speed).
    attrib = el.attrib
    if not attrib:
        return ""
    return " ".join(attrib[n] for n in _ATTRS if n in attrib)


@lru_cache(maxsize=16384)
def _chrome_kind(words: str) -> int:
    """0: not chrome, 1: chrome, 2: chrome unless the box holds prose.  Cached because
    pages repeat the same class strings hundreds of times."""
    if not words or not _ANY.search(words):
        return 0
    if _STRONG.search(words):
        return 1
    if not _WEAK.search(words) or _CONTENT_HINT.search(words):
        return 0
    return 2


def _is_chrome(el: HtmlElement) -> bool:
    kind = _chrome_kind(_attr_string(el))
    if kind != 2:
        return bool(kind)
    prose = 0
    for p in el.iter("p"):
        if len(p.text_content() or "") >= 80:
            prose += 1
            if prose >= 3:
                return False
    return True


def _is_hidden(el: HtmlElement) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true" and el.tag != "figure":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def prune(root: HtmlElement, extra_drop: list[HtmlElement] | None = None) -> None:
    """Remove non-content elements in place (keeps the tail text of removed nodes)."""
    doomed: list[HtmlElement] = list(extra_drop or ())
    for el in root.iter():
        tag = el.tag
        if not isinstance(tag, str):
            doomed.append(el)  # comments, processing instructions
            continue
        if tag in PLAYERS:
            doomed.append(media_box(el, root))
        elif tag in _JUNK_TAGS or _is_hidden(el):
            doomed.append(el)
        elif tag not in ("html", "body") and _is_chrome(el) and (
                not in_text_flow(el) or _HIDING_CLASS.search(el.get("class") or "")):
            # Class/id rules remove blocks only: a keyword link inside a sentence stays
            # (words a hiding class keeps off the screen were never published text).
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            el.drop_tree()


def _text(el: HtmlElement) -> str:
    return clean_text(re.sub(r"\s+", " ", el.text_content() or ""))


def link_density(el: HtmlElement, text_len: int | None = None) -> float:
    total = text_len if text_len is not None else len(_text(el))
    if not total:
        return 0.0
    linked = sum(len((a.text_content() or "").strip()) for a in el.iter("a"))
    return min(1.0, linked / total)


def is_boilerplate(text: str) -> bool:
    t = text.strip().lower()
    return bool(_BOILER_EXACT.match(t) or _BOILER_START.match(t) or _DATE_ONLY.match(t)
                or is_media_title(t))


def _has_block_child(el: HtmlElement) -> bool:
    return any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS for c in el)


def find_root(body: HtmlElement) -> HtmlElement | None:
    """The container holding most non-link paragraph text (parent + ½ grandparent)."""
    scores: dict[HtmlElement, float] = {}
    for el in body.iter("p", "div", "td", "pre", "blockquote", "li", "h2", "h3", "span"):
        tag = el.tag
        if tag in ("div", "td", "li", "span") and _has_block_child(el):
            continue
        if tag == "span" and el.getparent() is not None and el.getparent().tag == "p":
            continue
        text = _text(el)
        n = len(text)
        if n < 25:
            continue
        ld = link_density(el, n)
        if ld > 0.5:
            continue
        # Sentences matter more than length alone: commas and full stops are prose signals.
        value = n * (1 - ld) + 40 * min(text.count(",") + text.count("."), 6)
        parent = el.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + value
        grand = parent.getparent()
        if grand is not None:
            scores[grand] = scores.get(grand, 0.0) + value / 2
    if not scores:
        return None
    for el in list(scores):
        if _CONTENT_HINT.search(_attr_string(el)):
            scores[el] *= 1.15
    return max(scores.items(), key=lambda kv: kv[1])[0]


@dataclass
class Blocks:
    paragraphs: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # "p" | "h" | "q" | "li"


def _caption_of(el: HtmlElement) -> str:
    for cap in el.iter("figcaption"):
        t = _text(cap)
        if t:
            return t
    for sub in el.iter():
        if sub is el or not isinstance(sub.tag, str):
            continue
        if _CAPTION_HINT.search(_attr_string(sub)) and not sub.xpath(".//img"):
            t = _text(sub)
            if t:
                return t
    # Image tables (<table><tr><td><img></td></tr><tr><td>caption</td></tr></table>).
    parts = [_text(td) for td in el.iter("td", "th") if not td.xpath(".//img")
             and not _has_block_child(td)]
    return " ".join(p for p in parts if p)


def _is_caption_box(el: HtmlElement) -> bool:
    """A caption-classed block outside <figure>: a strong caption word, or a weak one
    ("desc", "note") on a box right after an image."""
    attrs = _attr_string(el)
    if not attrs or not _CAPTION_HINT.search(attrs) or _has_block_child(el) \
            or len(_text(el)) >= 400:
        return False
    if _CAPTION_STRONG.search(attrs):
        return True
    prev = el.getprevious()
    while prev is not None and not isinstance(prev.tag, str):
        prev = prev.getprevious()
    return prev is not None and (prev.tag in ("img", "picture")
                                 or next(prev.iter("img"), None) is not None)


def _is_layout_table(table: HtmlElement) -> bool:
    """A table that lays text out beside pictures, not a picture with its caption: some row
    holds an image cell and a text cell side by side, or a cell holds paragraphs.  (A
    caption sits in its own row under or over the image.)"""
    for tr in table.iter("tr"):
        tds = [td for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
        with_img = [td for td in tds if next(td.iter("img"), None) is not None]
        text_only = [td for td in tds if td not in with_img and _text(td)]
        if with_img and text_only:
            return True
        if any(len(_text(p)) >= 80 for td in tds for p in td.iter("p")):
            return True
    return False


def _inline_runs(el: HtmlElement) -> list[str]:
    """Text of ``el`` split at <br> pairs (some CMSs separate paragraphs with <br><br>)."""
    pieces: list[str] = []
    buf: list[str] = [el.text or ""]
    brs = 0
    for child in el:
        if child.tag == "br":
            brs += 1
            if brs >= 1:
                pieces.append("".join(buf))
                buf = []
            buf.append(child.tail or "")
            continue
        brs = 0
        buf.append(child.text_content() or "")
        buf.append(child.tail or "")
    pieces.append("".join(buf))
    return [t for t in (clean_text(re.sub(r"[ \t\r\n]+", " ", p)) for p in pieces) if t]


def walk(root: HtmlElement, out: Blocks | None = None) -> Blocks:
    out = out if out is not None else Blocks()
    _walk(root, out, True)
    return out


def _emit(out: Blocks, text: str, kind: str) -> None:
    if text:
        out.paragraphs.append(text)
        out.kinds.append(kind)


def _walk(el: HtmlElement, out: Blocks, is_root: bool = False) -> None:
    tag = el.tag
    if not isinstance(tag, str):
        return
    if tag == "figure" or (tag == "table" and el.xpath(".//img") and not _is_layout_table(el)) or \
            (tag in ("div", "p") and el.xpath("./img|./a/img|./picture|./*/picture")
             and len(_text(el)) < 400 and el.xpath(".//figcaption|.//*[contains(@class,'ption')]")):
        cap = _caption_of(el)
        if cap and not is_boilerplate(cap) and link_density(el) < 0.5:
            out.captions.append(cap)
        return
    if tag == "figcaption" or (tag != "p" and _is_caption_box(el)):
        cap = _text(el)
        if cap:
            out.captions.append(cap)
        return
    if tag == "table":
        for tr in el.iter("tr"):
            tds = [td for td in tr if isinstance(td.tag, str) and td.tag in ("td", "th")]
            if any(_has_block_child(td) for td in tds):
                # A layout row (cells holding paragraphs, a photo beside its step): each cell
                # is a column of blocks, read in order; its lines never run together.
                for td in tds:
                    _walk(td, out)
                continue
            cells = [_text(td) for td in tds]
            row = " | ".join(c for c in cells if c)
            if row and link_density(tr, len(row)) < 0.5 and not is_boilerplate(row):
                _emit(out, row, "p")
        return
    block_kids = _has_block_child(el)
    if not block_kids or tag in _LEAFISH and not any(
            isinstance(c.tag, str) and c.tag in ("p", "div", "ul", "ol", "table", "figure",
                                                   "blockquote", "section") for c in el):
        kind = "h" if tag in _HEADINGS else "q" if tag == "blockquote" else \
            "li" if tag == "li" else "p"
        # A <br> ends a line: an ingredient list in one <p> is one line per ingredient.
        runs = [_text(el)] if tag == "li" or tag in _HEADINGS else _inline_runs(el)
        text_len = sum(len(r) for r in runs)
        if not text_len:
            return
        if link_density(el, text_len) > 0.5:
            return
        for run in runs:
            if not is_boilerplate(run):
                _emit(out, run, kind)
        return
    # Container: a boilerplate heading as its first text child marks a whole box as chrome.
    first = None if is_root else next((c for c in el if isinstance(c.tag, str) and _text(c)), None)
    if first is not None and len(el) > 1 and not _has_block_child(first):
        ft = _text(first)
        if len(ft) < 40 and _BOILER_EXACT.match(ft.lower()):
            return
    # Loose text and inline children between blocks form lines, as a browser lays them out
    # (anonymous block boxes): a sentence with a link in it stays one sentence.
    run: list[str | HtmlElement] = [el.text or ""]
    for child in el:
        if isinstance(child.tag, str) and (is_blockish(child) or _is_caption_box(child)):
            _flush_run(run, out)
            _walk(child, out)
            run = [child.tail or ""]
        else:
            run.extend((child, child.tail or ""))
    _flush_run(run, out)


def _flush_run(run: list[str | HtmlElement], out: Blocks) -> None:
    """Emit a run of loose text and inline elements as lines (split at <br>), unless it is
    mostly links (a row of related headlines between paragraphs)."""
    lines: list[str] = []
    buf: list[str] = []
    linked = 0
    for piece in run:
        if isinstance(piece, str):
            buf.append(piece)
        elif piece.tag == "br":
            lines.append("".join(buf))
            buf = []
        elif isinstance(piece.tag, str):
            text = piece.text_content() or ""
            buf.append(text)
            linked += len(text.strip()) if piece.tag == "a" else sum(
                len((a.text_content() or "").strip()) for a in piece.iter("a"))
    lines.append("".join(buf))
    texts = [t for t in (clean_text(re.sub(r"\s+", " ", line)) for line in lines) if t]
    total = sum(len(t) for t in texts)
    if not total or linked / total > 0.5:
        return
    for text in texts:
        if len(text) > 1 and not is_boilerplate(text):
            _emit(out, text, "p")
