"""Declarative per-site extraction rules, one TOML file per site in ``corpus/sites/``.

Only the ``[extract]`` table is read here (other tables such as ``[crawl]`` belong to other
stages and are ignored).  Every key holds one CSS selector or a list of them (first match wins,
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
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["Profile", "profile_for", "load_profiles", "SITES_DIR"]

SITES_DIR = Path(__file__).resolve().parents[1] / "corpus" / "sites"
_KEYS = ("body", "title", "sapo", "byline", "date", "captions", "drop", "tags", "section")


@dataclass(frozen=True)
class Profile:
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


@lru_cache(maxsize=4)
def load_profiles(directory: Path = SITES_DIR) -> dict[str, Profile]:
    """Read every ``<site>.toml`` once; a broken file is skipped, never fatal."""
    found: dict[str, Profile] = {}
    if not directory.is_dir():
        return found
    for path in sorted(directory.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        table = data.get("extract")
        if not isinstance(table, dict):
            continue
        site = path.stem.lower()
        kwargs = {k: _as_tuple(table.get(k)) for k in _KEYS}
        profile = Profile(site=site, aliases=_as_tuple(table.get("aliases")), **kwargs)
        found[site] = profile
        for alias in profile.aliases:
            found.setdefault(alias.lower(), profile)
    return found


def profile_for(site: str) -> Profile | None:
    """Profile for a host (``www.`` and sub-domains fall back to the registered domain)."""
    profiles = load_profiles()
    host = site.lower()
    while host:
        if host in profiles:
            return profiles[host]
        _, _, host = host.partition(".")
        if "." not in host:
            break
    return None
