"""The archived page as a visitor sees it: the stored bytes with our banner in front.

The page itself is untrusted and stays inert: the response carries ``RAW_CSP`` (a CSP
sandbox without scripts, same origin, forms or automatic features such as meta refresh,
and nothing loaded from anywhere), so no script, handler, refresh or form of the page can
run or navigate.  The banner is written in ASCII with character references, so it reads
the same whatever encoding the archived page declares, and styled inline with
``!important`` so the page's own style sheets cannot hide it.
"""
from __future__ import annotations

import html
import re
from datetime import datetime

__all__ = ["with_banner", "BANNER_ID"]

BANNER_ID = "vnarchive-banner"
_BODY = re.compile(rb"<body\b[^>]*>", re.I)
_DOCTYPE = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?<!doctype[^>]*>", re.I)
_STYLE = ("all:initial !important; display:block !important; position:relative !important; "
          "z-index:2147483647 !important; margin:0 !important; padding:8px 12px !important; "
          "background:#fff8d6 !important; color:#222 !important; "
          "border-bottom:2px solid #c9a400 !important; font:14px/1.4 sans-serif !important;")
_LINK = "color:#0645ad !important; text-decoration:underline !important; font:inherit !important;"


def _ascii(text: str) -> str:
    return html.escape(text, quote=True).encode("ascii", "xmlcharrefreplace").decode("ascii")


def _banner(captured: datetime | None, url: str, back: str, version: int | None) -> bytes:
    when = captured.strftime("%H:%M %d/%m/%Y (UTC%z)") if captured else "không rõ"
    which = f"phiên bản {version}, " if version else ""
    link = (f'<a style="{_LINK}" href="{_ascii(url)}" rel="noopener noreferrer nofollow">'
            f"{_ascii(url)}</a>") if url.lower().startswith(("http://", "https://")) \
        else _ascii(url)
    text = (f'<div id="{BANNER_ID}" role="note" style="{_STYLE}">'
            f"{_ascii('Bản lưu trữ')} ({_ascii(which)}{_ascii('lưu lúc')} {_ascii(when)}) "
            f"{_ascii('của')} {link}. {_ascii('Trang được hiển thị cách ly: không mã nào chạy.')} "
            f'<a style="{_LINK}" href="{_ascii(back)}" target="_top">'
            f"{_ascii('‹ Về trang bài viết trong kho')}</a></div>")
    return text.encode("ascii")


def with_banner(raw: bytes, *, captured: datetime | None, url: str, back: str,
                version: int | None = None) -> bytes:
    """``raw`` with the banner right after its ``<body>`` tag (or its doctype, or at the
    very start when it has neither); the archived bytes are otherwise untouched."""
    banner = _banner(captured, url, back, version)
    for pattern in (_BODY, _DOCTYPE):
        m = pattern.search(raw)
        if m:
            return raw[:m.end()] + banner + raw[m.end():]
    return banner + raw
