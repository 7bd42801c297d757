"""Blocks and the text flow: which elements are blocks, and when an inline one is text.

Removal works on blocks, never inside the text flow: an inline element (a keyword link, a
styled span) that shares its line with other words is part of a sentence, whatever its class
or id says, so class/id rules in ``extract.prune`` skip it.
"""
from __future__ import annotations

from lxml.html import HtmlElement

__all__ = ["BLOCK_TAGS", "INLINE_TAGS", "is_blockish", "in_text_flow"]

BLOCK_TAGS = {"p", "div", "section", "article", "blockquote", "ul", "ol", "li", "table",
               "tr", "td", "th", "tbody", "thead", "figure", "figcaption", "h1", "h2", "h3",
               "h4", "h5", "h6", "pre", "header", "main", "dl", "dt", "dd", "center", "form",
               "hr", "address", "details", "summary"}
# Phrasing elements: inside a line of text they are text, whatever their class or id.
INLINE_TAGS = {"a", "span", "strong", "em", "b", "i", "mark", "abbr", "small", "sup", "sub",
                "u", "s", "font", "time", "cite", "q", "code", "kbd", "var", "dfn", "bdi",
                "bdo", "ins", "del", "big", "tt", "strike", "nobr", "wbr", "data", "samp"}

def is_blockish(el: HtmlElement) -> bool:
    """A block-level element, or an inline one wrapping blocks (it then acts as a block)."""
    tag = el.tag
    if not isinstance(tag, str):
        return False
    if tag in BLOCK_TAGS:
        return True
    return tag in INLINE_TAGS and any(isinstance(d.tag, str) and d.tag in BLOCK_TAGS
                                       for d in el.iterdescendants())


def in_text_flow(el: HtmlElement) -> bool:
    """``el`` is an inline element sharing its line of text with other words: the run of
    inline content it sits in (up to the nearest block boundary) holds text besides its own.
    Such an element is part of a sentence, so no class/id rule may remove it."""
    if el.tag not in INLINE_TAGS or is_blockish(el):
        return False
    top, parent = el, el.getparent()
    while parent is not None and parent.tag in INLINE_TAGS:
        top, parent = parent, parent.getparent()
    if top is not el and len((top.text_content() or "").strip()) > \
            len((el.text_content() or "").strip()):
        return True
    if parent is None:
        return False
    kids = list(parent)
    i = kids.index(top)
    pieces = [top.tail or ""]
    j = i
    while True:
        if j == 0:
            pieces.append(parent.text or "")
            break
        prev = kids[j - 1]
        pieces.append(prev.tail or "")
        if is_blockish(prev):
            break
        if isinstance(prev.tag, str):
            pieces.append(prev.text_content() or "")
        j -= 1
    for nxt in kids[i + 1:]:
        if is_blockish(nxt):
            break
        if isinstance(nxt.tag, str):
            pieces.append(nxt.text_content() or "")
        pieces.append(nxt.tail or "")
    return any(p.strip() for p in pieces)
