"""Site profiles: one TOML file per site in ``corpus/sites/`` (entry points: ``profile_for``
for the cleaner's ``[extract]`` table, ``crawl_profiles`` for the crawler's ``[crawl]`` table).

In ``[extract]`` every key holds one CSS selector or a list of them (first match wins,
except ``drop`` and ``captions`` where all matches count)::

    [extract]
    body = ["div.detail-content"]          # container of the article text
    title = "h1.detail-title"
    sapo = "h2.detail-sapo"
    byline = [".author-info"]               # text split into authors
    date = ".date-time"                     # visible date line
    captions = ["figcaption"]
    drop = ["div[type=RelatedNewsBox]"]     # removed before extraction
    section = ".breadcrumb a"               # last match = most specific
    tags = ".tags a"

    [crawl]
    start_urls = ["https://thtg.vn/"]
    sitemaps = [...]; rss = [...]; allowed_hosts = [...]
    article_pattern = "regex an article url matches"; listing_pattern = "..."

Where profiles come from: the folder named by ``VNARCHIVE_SITES_DIR`` first (an installed
package has no repo beside it; operators add or override sites there), then the repo's
``corpus/sites``.  A site defined in both uses the ``VNARCHIVE_SITES_DIR`` file.
"""
from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

__all__ = ["ExtractProfile", "CrawlProfile", "profile_for", "load_profiles", "load_crawl_profiles",
           "crawl_profiles", "sites_dirs", "SITES_DIR", "SITES_ENV"]

SITES_DIR = Path(__file__).resolve().parents[1] / "corpus" / "sites"
SITES_ENV = "VNARCHIVE_SITES_DIR"
log = logging.getLogger(__name__)
_KEYS = ("body", "title", "sapo", "byline", "date", "captions", "drop", "tags", "section")


@dataclass(frozen=True)
class ExtractProfile:
    site: str
    body: tuple[str, ...] = ()
    title: tuple[str, ...] = ()
    sapo: tuple[str, ...] = ()
    byline: tuple[str, ...] = ()
    date: tuple[str, ...] = ()
    captions: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    section: tuple[str, ...] = ()
    aliases: tuple[str, ...] = field(default=())


def _as_tuple(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(v for v in value if isinstance(v, str))
    return ()


def _tables(directory: Path, name: str) -> dict[str, dict]:
    """The ``[name]`` table of every ``<site>.toml`` in ``directory``, by site; a broken file
    is logged and skipped, never fatal."""
    found: dict[str, dict] = {}
    if not Path(directory).is_dir():
        return found
    for path in sorted(Path(directory).glob("*.toml")):
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8")).get(name)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            log.warning("site profile %s unreadable: %s", path, exc)
            continue
        if isinstance(table, dict):
            found[path.stem] = table
    return found


@lru_cache(maxsize=4)
def load_profiles(directory: Path = SITES_DIR) -> dict[str, ExtractProfile]:
    """The ``[extract]`` profiles of one folder, read once."""
    found: dict[str, ExtractProfile] = {}
    for stem, table in _tables(directory, "extract").items():
        site = stem.lower()
        kwargs = {k: _as_tuple(table.get(k)) for k in _KEYS}
        profile = ExtractProfile(site=site, aliases=_as_tuple(table.get("aliases")), **kwargs)
        found[site] = profile
        for alias in profile.aliases:
            found.setdefault(alias.lower(), profile)
    return found


def sites_dirs() -> tuple[Path, ...]:
    """ExtractProfile folders in lookup order: ``$VNARCHIVE_SITES_DIR`` (if set), then the repo's."""
    env = os.environ.get(SITES_ENV, "").strip()
    dirs = [Path(env).expanduser()] if env else []
    return tuple(dict.fromkeys([*dirs, SITES_DIR]))


@lru_cache(maxsize=4)
def _merged(dirs: tuple[Path, ...]) -> dict[str, ExtractProfile]:
    merged: dict[str, ExtractProfile] = {}
    for directory in reversed(dirs):  # earlier folders override later ones
        merged.update(load_profiles(directory))
    return merged


def profile_for(site: str) -> ExtractProfile | None:
    """ExtractProfile for a host (``www.`` and sub-domains fall back to the registered domain)."""
    profiles = _merged(sites_dirs())
    host = site.lower()
    while host:
        if host in profiles:
            return profiles[host]
        _, _, host = host.partition(".")
        if "." not in host:
            break
    return None


@dataclass(frozen=True)
class CrawlProfile:
    name: str
    start_urls: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    rss: tuple[str, ...] = ()
    article_pattern: str | None = None
    listing_pattern: str | None = None
    allowed_hosts: tuple[str, ...] = ()


def load_crawl_profiles(directory: Path) -> dict[str, CrawlProfile]:
    """The ``[crawl]`` profiles of one folder (files without that table are ignored)."""
    profiles: dict[str, CrawlProfile] = {}
    for stem, table in _tables(directory, "crawl").items():
        starts = tuple(table.get("start_urls", ()))
        hosts = tuple(table.get("allowed_hosts", ())) or tuple(
            {urlsplit(u).hostname or "" for u in starts} - {""})
        profiles[stem] = CrawlProfile(
            name=stem, start_urls=starts, sitemaps=tuple(table.get("sitemaps", ())),
            rss=tuple(table.get("rss", ())), article_pattern=table.get("article_pattern"),
            listing_pattern=table.get("listing_pattern"), allowed_hosts=hosts)
    return profiles


def crawl_profiles(directory: Path | None = None) -> dict[str, CrawlProfile]:
    """``[crawl]`` profiles from ``directory`` if given, else from ``sites_dirs()`` (the
    ``$VNARCHIVE_SITES_DIR`` folder overriding the repo's)."""
    if directory is not None:
        return load_crawl_profiles(directory)
    merged: dict[str, CrawlProfile] = {}
    for d in reversed(sites_dirs()):
        merged.update(load_crawl_profiles(d))
    return merged
