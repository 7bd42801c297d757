"""A small CSS-selector → XPath translator for site profiles (no cssselect dependency).

Supports what profiles need: ``tag``, ``.class``, ``#id``, ``[attr]``, ``[attr=value]``,
``[attr*=value]``, ``[attr^=value]``, descendant (space) and child (``>``) combinators, and
comma-separated groups.

>>> css_to_xpath("div.detail-content > p, #main")
"descendant-or-self::div[contains(concat(' ', normalize-space(@class), ' '), ' detail-content ')]/p | descendant-or-self::*[@id='main']"
"""
from __future__ import annotations

import re
from functools import lru_cache

from lxml import etree

__all__ = ["css_to_xpath", "select"]

_TOKEN = re.compile(r"""\s*(>)\s*|(\s+)|([a-zA-Z][\w-]*|\*)|\.([\w-]+)|#([\w-]+)|"""
                    r"""\[\s*([\w:-]+)\s*(?:([*^$~]?=)\s*["']?([^"'\]]*)["']?)?\s*\]""")


def _quote(value: str) -> str:
    return f"'{value}'" if "'" not in value else f'"{value}"'


def _one(selector: str) -> str:
    steps: list[str] = []
    tag, preds, axis = "", [], "descendant-or-self::"
    pos = 0
    selector = selector.strip()

    def flush() -> None:
        nonlocal tag, preds
        if tag or preds:
            steps.append(axis + (tag or "*") + "".join(f"[{p}]" for p in preds))
        tag, preds = "", []

    while pos < len(selector):
        m = _TOKEN.match(selector, pos)
        if not m or m.end() == pos:
            raise ValueError(f"unsupported selector: {selector!r}")
        pos = m.end()
        child, space, name, cls, ident, attr, op, val = m.groups()
        if child or space:
            flush()
            axis = "/" if child else "//"
            continue
        if name:
            tag = name
        elif cls:
            preds.append(f"contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')")
        elif ident:
            preds.append(f"@id={_quote(ident)}")
        elif attr:
            if not op:
                preds.append(f"@{attr}")
            elif op == "=":
                preds.append(f"@{attr}={_quote(val)}")
            elif op == "*=":
                preds.append(f"contains(@{attr}, {_quote(val)})")
            elif op == "^=":
                preds.append(f"starts-with(@{attr}, {_quote(val)})")
            elif op == "~=":
                preds.append(f"contains(concat(' ', normalize-space(@{attr}), ' '), ' {val} ')")
            else:
                raise ValueError(f"unsupported operator {op!r} in {selector!r}")
    flush()
    # The first step searches from the context node; later ones follow their combinators.
    return "".join(steps)


def css_to_xpath(selector: str) -> str:
    return " | ".join(_one(part) for part in selector.split(",") if part.strip())


@lru_cache(maxsize=512)
def _compiled(selector: str) -> etree.XPath:
    return etree.XPath(css_to_xpath(selector))


def select(root: etree._Element, selector: str) -> list[etree._Element]:
    """Elements under (or equal to) ``root`` matching ``selector``, in document order."""
    try:
        found = _compiled(selector)(root)
    except (ValueError, etree.XPathError):
        return []
    return [el for el in found if isinstance(el, etree._Element)]
