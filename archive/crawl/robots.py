"""robots.txt as RFC 9309 reads it: ``*`` and ``$`` wildcards, longest match wins.

``urllib.robotparser`` takes the first matching rule and knows no wildcards, which
disagrees with how news sites write their files (``Disallow: /*?utm_``), so this small
parser is ours.

>>> r = Robots.parse("User-agent: *\\nDisallow: /\\n\\nUser-agent: vnarchive\\nDisallow: /noi-bo/\\nAllow: /noi-bo/cong-khai", "vnarchive")
>>> r.allowed("/tin-tuc/a.html"), r.allowed("/noi-bo/x"), r.allowed("/noi-bo/cong-khai/y")
(True, False, True)
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

__all__ = ["Robots", "agent_token"]


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups are matched against: "vnarchive/0.1 (+…)" → "vnarchive"."""
    return user_agent.split("/", 1)[0].split()[0].strip().lower() if user_agent.strip() else "*"


def _pattern(path: str) -> re.Pattern[str]:
    anchored = path.endswith("$")
    body = path[:-1] if anchored else path
    regex = ".*".join(re.escape(_norm(part)) for part in body.split("*"))
    return re.compile(regex + ("$" if anchored else ""))


def _norm(path: str) -> str:
    # Compare percent-decoded forms so "/tin-t%E1%BB%A9c" and "/tin-tức" match alike.
    return unquote(path)


@dataclass
class Robots:
    rules: list[tuple[int, bool, re.Pattern[str]]] = field(default_factory=list)  # (len, allow, pattern)
    crawl_delay: float | None = None
    sitemaps: list[str] = field(default_factory=list)
    disallow_all: bool = False

    @classmethod
    def allow_all(cls) -> "Robots":
        return cls()

    @classmethod
    def deny_all(cls) -> "Robots":
        return cls(disallow_all=True)

    @classmethod
    def parse(cls, text: str, user_agent: str) -> "Robots":
        token = agent_token(user_agent)
        groups: list[tuple[list[str], list[tuple[str, str]]]] = []
        sitemaps: list[str] = []
        agents: list[str] = []
        lines: list[tuple[str, str]] = []
        last_was_agent = False
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if ":" not in line:
                continue
            key, value = (s.strip() for s in line.split(":", 1))
            key = key.lower()
            if key == "sitemap":
                if value:
                    sitemaps.append(value)
                continue
            if key == "user-agent":
                if not last_was_agent:
                    agents, lines = [], []
                    groups.append((agents, lines))
                agents.append(value.lower())
                last_was_agent = True
                continue
            last_was_agent = False
            if groups and key in ("allow", "disallow", "crawl-delay"):
                lines.append((key, value))
        # Our group is every group naming our token (merged), else every "*" group.
        chosen = [g for g in groups if any(a != "*" and agent_token(a) == token for a in g[0])]
        if not chosen:
            chosen = [g for g in groups if "*" in g[0]]
        robots = cls(sitemaps=sitemaps)
        for _, group_lines in chosen:
            for key, value in group_lines:
                if key == "crawl-delay":
                    try:
                        robots.crawl_delay = max(robots.crawl_delay or 0.0, float(value))
                    except ValueError:
                        pass
                elif value:  # an empty Disallow allows everything: no rule
                    robots.rules.append((len(value), key == "allow", _pattern(value)))
        return robots

    def allowed(self, url_or_path: str) -> bool:
        if self.disallow_all:
            return False
        parts = urlsplit(url_or_path)
        path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
        if path == "/robots.txt":
            return True
        path = _norm(path)
        best: tuple[int, bool] | None = None
        for length, allow, pattern in self.rules:
            if pattern.match(path) and (best is None or length > best[0]
                                        or (length == best[0] and allow)):
                best = (length, allow)
        return True if best is None else best[1]
