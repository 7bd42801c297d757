"""URLs as keys: the one canonical spelling of a page's address (entry point:
``canonical_url``), used by the cleaner (an article's key) and the crawler (the frontier's key),
so that both name the same page the same way.
"""
from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["canonical_url", "origin_of", "TRACKING_PARAMS"]

# Query parameters that only say where a reader came from; the page is the same without them.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w*|itm_\w*|vn_source|vn_medium|vn_campaign|fbclid|gclid|dclid|gbraid|wbraid|msclkid|"
    r"mc_cid|mc_eid|_ga|igshid|zarsrc|gidzl|ref|ref_src|cmpid|icid|spm)$", re.I)
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")


def canonical_url(url: str, base: str | None = None) -> str | None:
    """One spelling per page: fragment and tracking parameters gone, host lower-cased,
    default port dropped, dot segments resolved, query sorted, unicode percent-encoded.
    None if it is not an http(s) URL.

    >>> canonical_url("HTTPS://Tuoitre.VN:443/thời-sự.htm?utm_source=fb&b=2&a=1#binh-luan")
    'https://tuoitre.vn/th%E1%BB%9Di-s%E1%BB%B1.htm?a=1&b=2'
    >>> canonical_url("javascript:alert(1)") is None
    True
    """
    try:
        url = urljoin(base, url.strip()) if base else url.strip()
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        scheme = parts.scheme.lower()
        host = parts.hostname.encode("idna").decode("ascii").lower().rstrip(".")
        port = parts.port
    except (ValueError, UnicodeError):
        return None
    netloc = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
    path = _dot_segments(parts.path or "/")
    path = _ESCAPE.sub(lambda m: m.group(0).upper(), quote(path, safe=_SAFE_PATH))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not TRACKING_PARAMS.match(k)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def _dot_segments(path: str) -> str:
    out: list[str] = []
    for seg in path.split("/"):
        if seg == "..":
            if len(out) > 1:
                out.pop()
        elif seg != ".":
            out.append(seg)
    joined = "/".join(out)
    if path.endswith(("/.", "/..")):
        joined += "/"
    return joined if joined.startswith("/") else "/" + joined


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
