"""The one domain record every pipeline stage takes or returns."""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

__all__ = ["Article", "VN_TZ", "ARTICLE_TYPES", "site_of", "now_vn"]

# Vietnam has had no DST since 1975, so a fixed offset is exact and avoids a tzdata dependency.
VN_TZ = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")

# schema.org types (lower-cased) that declare a page to be one article.
ARTICLE_TYPES = frozenset({"newsarticle", "article", "blogposting", "reportagenewsarticle",
                           "analysisnewsarticle", "opinionnewsarticle", "reviewnewsarticle",
                           "backgroundnewsarticle", "liveblogposting"})


def now_vn() -> datetime:
    return datetime.now(VN_TZ).replace(microsecond=0)


def site_of(url: str) -> str:
    """Host of ``url`` without a leading ``www.``.

    >>> site_of("https://www.laodong.vn/xa-hoi/abc.html")
    'laodong.vn'
    """
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned news article.

    Text fields are NFC with the publisher's own tone-mark placement (what readers see);
    the indexer normalises tone placement for matching.  ``published`` is always
    timezone-aware when set (+07:00 when the source gave no zone).
    """

    url: str
    title: str
    paragraphs: tuple[str, ...]
    site: str = ""
    sapo: str | None = None
    captions: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    modified: datetime | None = None
    fetched: datetime | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    language: str = "vi"
    # Raw page bytes when the source was a page; kept out of equality so that a page and
    # its re-encoded copy (e.g. windows-1258) compare equal when their content does.
    raw_html: bytes | None = field(default=None, repr=False, compare=False)
    # Why the page's declared canonical/og:url was not taken as its url (another site, not
    # http(s)); "" when none was refused.  Reported by ingest, not stored with the article.
    url_note: str = field(default="", repr=False, compare=False)
    # The WARC-Record-ID of the capture this came from, when it came from a WARC file or a
    # crawl: where the capture is, not what it says, so it is kept out of equality too.
    warc_record_id: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not self.site and self.url:
            object.__setattr__(self, "site", site_of(self.url))
        for name in ("paragraphs", "captions", "authors", "tags"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))
        for name in ("published", "modified", "fetched"):
            value = getattr(self, name)
            if value is not None and value.tzinfo is None:
                object.__setattr__(self, name, value.replace(tzinfo=VN_TZ))

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def content_hash(self) -> str:
        """Hash of the visible content: equal hashes mean nothing to re-analyse."""
        h = hashlib.sha256()
        for part in (self.title, self.sapo or "", *self.paragraphs, "\x1e", *self.captions):
            h.update(part.encode("utf-8"))
            h.update(b"\x1f")
        return h.hexdigest()[:32]

    def replace(self, **changes: Any) -> "Article":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view (dates as ISO 8601, no raw HTML)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            if f.name in ("raw_html", "url_note"):
                continue
            value = getattr(self, f.name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out
