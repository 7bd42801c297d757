"""URLs as keys: the one canonical spelling of a page's address (entry point:
``canonical_url``), used by the cleaner (an article's key) and the crawler (the frontier's key),
so that both name the same page the same way.
"""
from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

__all__ = ["canonical_url", "origin_of", "TRACKING_PARAMS", "registrable_domain",
           "accept_declared_url"]

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


@lru_cache(maxsize=1)
def _suffixes():
    # The Public Suffix List as shipped inside the package (no network at run time): one
    # general rule for every TLD (.com.vn, .gov.vn, the provincial .vn names, .co.uk, …)
    # instead of a hand-kept list that would fit only the sites we have seen.
    from publicsuffixlist import PublicSuffixList
    return PublicSuffixList(only_icann=True)


def registrable_domain(url_or_host: str) -> str | None:
    """The domain a registrant controls ("eTLD+1"): every host under it is one owner's.

    >>> registrable_domain("https://www.thtg.vn/a.html"), registrable_domain("x.y.com.vn")
    ('thtg.vn', 'y.com.vn')
    >>> registrable_domain("http://127.0.0.1:8000/"), registrable_domain("com.vn") is None
    ('127.0.0.1', True)
    """
    host = urlsplit(url_or_host).hostname if "://" in url_or_host else url_or_host
    host = (host or "").lower().rstrip(".")
    if not host:
        return None
    try:
        ipaddress.ip_address(host)
        return host  # an address is its own owner
    except ValueError:
        pass
    if "." not in host:
        return host  # "localhost" and other single-label names
    return _suffixes().privatesuffix(host)


def accept_declared_url(declared: str | None, came_from: str | None) -> tuple[str | None, str]:
    """(the declared canonical/og:url to key the page by, or None; why it was refused, or "").

    A page may name its own canonical address, but only one its own registrant controls:
    a page fetched from ``came_from`` may not claim an address on another registrable
    domain (it would replace that site's article), and only http(s) addresses are keys.
    Without ``came_from`` (a local file) the declared url is all there is, and is taken.
    """
    if not declared:
        return None, ""
    url = canonical_url(declared, base=came_from if came_from and
                        came_from.startswith(("http://", "https://")) else None)
    if url is None:
        return None, f"declared url {declared[:120]!r} is not http(s)"
    if not came_from or not came_from.startswith(("http://", "https://")):
        return url, ""
    own, claimed = registrable_domain(came_from), registrable_domain(url)
    if own is None or own != claimed:
        return None, f"declared url {url[:120]!r} is on another site than {came_from[:120]!r}"
    return url, ""
