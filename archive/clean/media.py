"""Embedded media (video and audio players, their titles and durations) is not body text.

``extract.prune`` drops a player together with the smallest-to-largest box around it that holds
nothing but media; a short line titled "VIDEO: …" is a media title wherever it stands.
"""
from __future__ import annotations

import re

from lxml.html import HtmlElement

from archive.textnorm import clean_text

__all__ = ["PLAYERS", "media_box", "is_media_title"]

# Embedded media: the player, with the title and duration around it, is not body text.
PLAYERS = {"video", "audio", "iframe", "embed", "object"}
_MEDIA_ATTR = re.compile(r"video|audio|player|podcast|media-?embed|youtube|jwplayer|clip", re.I)
_MEDIA_TITLE = re.compile(r"^(?:video|clip|audio|podcast|phóng sự ảnh|infographic)\s*[:|–\-]\s",
                          re.I)
_DURATION = re.compile(r"(?:^|\s)\d{1,2}:\d{2}(?::\d{2})?(?:\s|$)")


def media_box(player: HtmlElement, root: HtmlElement) -> HtmlElement:
    """The largest box around ``player`` (up to 3 levels) that is only media: its text is a
    short title or duration, or its class/id/type names video or audio.  Never a box holding
    prose."""
    box, el = player, player.getparent()
    for _ in range(3):
        if el is None or el is root or el.tag in ("body", "html", "article", "main"):
            break
        text = _text(el)
        if len(text) > 200 or any(len(p.text_content() or "") >= 80 for p in el.iter("p")):
            break
        if text and not (_MEDIA_TITLE.match(text) or _DURATION.search(text)
                         or _MEDIA_ATTR.search(" ".join(el.get(n) or "" for n in ("class", "id", "type", "data-type")))):
            break
        box, el = el, el.getparent()
    return box


def _text(el: HtmlElement) -> str:
    return clean_text(re.sub(r"\s+", " ", el.text_content() or ""))


def is_media_title(text: str) -> bool:
    """'VIDEO: Cận cảnh …' (a short line): the title of an embedded clip."""
    t = text.strip()
    return len(t) <= 160 and _MEDIA_TITLE.match(t) is not None
