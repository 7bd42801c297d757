"""Photo captions set as plain text: the italic line right under a picture.

Older CMSs and text pasted from Word carry no caption markup: the caption is the first line of
text after an ``<img>`` (after a ``<br>``, or in the next block), set wholly in italics.  That
convention is what a reader sees as a caption, so such a line is lifted out of the body into
the captions before the body is read.
"""
from __future__ import annotations

import re

from lxml.html import HtmlElement

from archive.clean.inline import is_blockish
from archive.textnorm import clean_text

__all__ = ["lift_photo_captions"]

_ITALIC_STYLE = re.compile(r"font-style\s*:\s*italic", re.I)
# Longer than this, an italic block after a picture is a passage (an editor's note), not a caption.
_MAX_CAPTION = 400


def _italic(el: HtmlElement) -> bool:
    return el.tag in ("i", "em") or bool(_ITALIC_STYLE.search(el.get("style") or ""))


def _ends_line(el: HtmlElement) -> bool:
    """Nothing but whitespace follows ``el`` before a line break, a picture or a block edge."""
    node = el
    while node is not None:
        if (node.tail or "").strip():
            return False
        sib = node.getnext()
        while sib is not None:
            if not isinstance(sib.tag, str):
                sib = sib.getnext()
                continue
            if sib.tag in ("br", "img") or is_blockish(sib):
                return True
            if (sib.text_content() or "").strip() or (sib.tail or "").strip():
                return False
            sib = sib.getnext()
        node = node.getparent()
        if node is None or is_blockish(node):
            return True
    return True


def _in_italics(el: HtmlElement | None) -> HtmlElement | None:
    """The nearest italic element from ``el`` up to (and including) its block."""
    while el is not None:
        if _italic(el):
            return el
        if is_blockish(el):
            return None
        el = el.getparent()
    return None


def _norm(text: str) -> str:
    return clean_text(re.sub(r"\s+", " ", text or ""))


_RIGHT = re.compile(r"text-align\s*:\s*right", re.I)


def _under(img: HtmlElement, el: HtmlElement) -> bool:
    """``el`` sits right under the picture: in the picture's block or the block after it,
    and not set right (where a signature goes)."""
    img_block = _block_of(img)
    block = el if is_blockish(el) else _block_of(el)
    if block is None or img_block is None:
        return False
    if _RIGHT.search(block.get("style") or "") or (block.get("align") or "").lower() == "right":
        return False
    nxt = img_block.getnext()
    while nxt is not None and not isinstance(nxt.tag, str):
        nxt = nxt.getnext()
    return block is img_block or block is nxt or img_block in list(block.iterancestors())


def _lift_after(img: HtmlElement, root: HtmlElement) -> str | None:
    """Remove and return the italic line that is the first text after ``img``."""
    found = img.xpath("following::text()[normalize-space()][1]")
    if not found or found[0].getparent() is None:
        return None
    text, owner = found[0], found[0].getparent()
    if not _under(img, owner if not text.is_tail else owner.getparent()):
        return None
    if text.is_tail:
        # A bare line inside an italic run that also holds the picture ("<img><br>caption").
        nxt = owner.getnext()
        line_ends = nxt is None or nxt.tag in ("br", "img") or is_blockish(nxt)
        parent = owner.getparent()
        caption = _norm(str(text))
        if line_ends and parent is not None and _in_italics(parent) is not None \
                and 0 < len(caption) <= _MAX_CAPTION and root in list(owner.iterancestors()):
            owner.tail = ""
            return caption
        return None
    el = _in_italics(owner)
    if el is None or el is root or next(el.iter("img"), None) is not None \
            or root not in list(el.iterancestors()):
        return None
    caption = _norm(el.text_content())
    if not caption or len(caption) > _MAX_CAPTION or not caption.startswith(_norm(str(text))[:20]) \
            or not _ends_line(el):
        return None
    el.drop_tree()
    return caption


def _block_of(el: HtmlElement) -> HtmlElement | None:
    el = el.getparent()
    while el is not None and not is_blockish(el):
        el = el.getparent()
    return el


def _wholly_italic(block: HtmlElement) -> bool:
    """Every word of ``block`` sits inside italics (and it holds no picture)."""
    if next(block.iter("img"), None) is not None or any(is_blockish(d) for d in block.iterdescendants()):
        return False
    if _italic(block):
        return True
    if (block.text or "").strip():
        return False
    return all(_italic(c) and not (c.tail or "").strip() for c in block if isinstance(c.tag, str))


def lift_photo_captions(root: HtmlElement) -> list[str]:
    """Remove the italic caption lines under pictures in ``root``; return their texts.  A
    wholly italic short block right after the picture's block is a caption too."""
    out: list[str] = []
    for img in list(root.iter("img")):
        if img.getparent() is None or next(img.iterancestors("figure"), None) is not None:
            continue
        cap = _lift_after(img, root)
        if cap is None:
            continue
        out.append(cap)
        block = _block_of(img)
        nxt = block.getnext() if block is not None and block is not root else None
        while nxt is not None and isinstance(nxt.tag, str) and _wholly_italic(nxt):
            text = _norm(nxt.text_content())
            if not text or len(text) > _MAX_CAPTION:
                break
            out.append(text)
            following = nxt.getnext()
            nxt.drop_tree()
            nxt = following
    return out
