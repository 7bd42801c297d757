"""The site profiles' CSS selectors, compiled to XPath once."""
from __future__ import annotations

import lxml.html

from archive.clean.css import css_to_xpath, select

DOC = lxml.html.fromstring('<div class="a detail-content"><p>một</p><span><p>hai</p></span></div>'
                           '<div class="detail-contentx"><p>ba</p></div>')


def test_class_match_is_by_whole_class_name():
    assert [p.text for p in select(DOC, "div.detail-content p")] == ["một", "hai"]
    assert [p.text for p in select(DOC, "div.detail-content > p")] == ["một"]
    assert "concat(' ', normalize-space(@class), ' ')" in css_to_xpath("div.detail-content")
