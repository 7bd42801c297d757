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

Where profiles come from: the folder named by ``VNARCHIVE_SITES_DIR`` first (an installed
package has no repo beside it; operators add or override sites there), then the repo's
``corpus/sites``.  A site defined in both uses the ``VNARCHIVE_SITES_DIR`` file.
"""
from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["Profile", "profile_for", "load_profiles", "sites_dirs", "SITES_DIR", "SITES_ENV"]

SITES_DIR = Path(__file__).resolve().parents[1] / "corpus" / "sites"
SITES_ENV = "VNARCHIVE_SITES_DIR"
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


def sites_dirs() -> tuple[Path, ...]:
    """Profile folders in lookup order: ``$VNARCHIVE_SITES_DIR`` (if set), then the repo's."""
    env = os.environ.get(SITES_ENV, "").strip()
    dirs = [Path(env).expanduser()] if env else []
    return tuple(dict.fromkeys([*dirs, SITES_DIR]))


@lru_cache(maxsize=4)
def _merged(dirs: tuple[Path, ...]) -> dict[str, Profile]:
    merged: dict[str, Profile] = {}
    for directory in reversed(dirs):  # earlier folders override later ones
        merged.update(load_profiles(directory))
    return merged


def profile_for(site: str) -> Profile | None:
    """Profile for a host (``www.`` and sub-domains fall back to the registered domain)."""
    profiles = _merged(sites_dirs())
    host = site.lower()
    while host:
        if host in profiles:
            return profiles[host]
        _, _, host = host.partition(".")
        if "." not in host:
            break
    return None
