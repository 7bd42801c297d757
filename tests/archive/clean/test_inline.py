"""Removal works on blocks, never inside the text flow (issue 15).

Many Vietnamese CMSs link keywords inside sentences with classes that look like boilerplate
(``<a class="relate-link">tranh chấp</a>``).  For every shared gold page (dev and unseen) we
wrap seeded random words of its body paragraphs in such inline elements; the extracted
paragraphs must not change by one word.
"""
from __future__ import annotations

import json
import random
import re
import unicodedata
from pathlib import Path

import lxml.html
import pytest

from archive.clean.cleaner import clean_page
from archive.encoding import decode_html

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT.parent / "shared" / "corpus"
CORPORA = [(CORPUS / "gold", CORPUS / "html"), (CORPUS / "unseen" / "gold", CORPUS / "unseen" / "html")]

# Class strings every boilerplate rule would love to remove.
WRAPPERS = [("a", {"class": "relate-link tag keyword cms-relate box-news", "href": "/x"}),
            ("span", {"class": "share ads"})]


def _pages() -> list[tuple[Path, dict]]:
    pages = []
    for gold_dir, html_dir in CORPORA:
        if not gold_dir.is_dir():
            pytest.fail(f"shared corpus missing: {gold_dir}")
        for path in sorted(gold_dir.glob("*/*.json")):
            html_path = html_dir / path.parent.name / (path.stem + ".html")
            if not html_path.is_file():
                pytest.fail(f"shared corpus missing: {html_path}")
            pages.append((html_path, json.loads(path.read_text(encoding="utf-8"))))
    assert len(pages) >= 15, "expected the 12 dev and 3 unseen gold pages"
    return pages


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


_WORD = re.compile(r"\w{2,}")


def _wrap_one(el, where: str, rng: random.Random) -> bool:
    """Wrap one random word of ``el.text`` (where == "text") or ``el.tail`` in a
    boilerplate-classed inline element; False when there is no word."""
    text = getattr(el, where) or ""
    words = list(_WORD.finditer(text))
    if not words:
        return False
    m = rng.choice(words)
    tag, attrs = rng.choice(WRAPPERS)
    new = lxml.html.Element(tag, attrs)
    new.text, new.tail = m.group(), text[m.end():]
    setattr(el, where, text[:m.start()])
    if where == "text":
        el.insert(0, new)
    else:
        el.addnext(new)
        el.tail = text[:m.start()]  # addnext must not move the tail: the words before stay
    return True


def wrap_body_words(page: bytes, paragraphs: list[str], seed: int) -> tuple[bytes, int]:
    """The page with random words inside its body paragraphs wrapped; and how many."""
    doc = lxml.html.document_fromstring(decode_html(page).text)
    keys = [_norm(p) for p in paragraphs]
    rng = random.Random(seed)
    slots = []  # (element, "text" | "tail") of text nodes that belong to a body paragraph
    for el in doc.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "title"):
            continue
        for where in ("text", "tail"):
            text = getattr(el, where)
            if text and len(text.strip()) >= 12 and any(_norm(text) in k for k in keys):
                slots.append((el, where))
    wrapped = 0
    for i, (el, where) in enumerate(slots):
        last_chance = i == len(slots) - 1 and not wrapped
        if (rng.random() < 0.7 or last_chance) and _wrap_one(el, where, rng):
            wrapped += 1
    return lxml.html.tostring(doc, encoding="utf-8"), wrapped


@pytest.mark.parametrize("use_profiles", [True, False], ids=["profiles", "generic"])
def test_boilerplate_classed_inline_words_stay_in_every_gold_paragraph(use_profiles: bool) -> None:
    problems = []
    for html_path, gold in _pages():
        raw = html_path.read_bytes()
        before = clean_page(raw, gold["url"], use_profiles=use_profiles)
        for seed in (1, 2):
            page, wrapped = wrap_body_words(raw, gold["paragraphs"], seed)
            assert wrapped >= 1, f"{html_path.name}: no word could be wrapped"
            after = clean_page(page, gold["url"], use_profiles=use_profiles)
            if [_norm(p) for p in after.paragraphs] != [_norm(p) for p in before.paragraphs]:
                lost = [p for p in before.paragraphs if p not in after.paragraphs][:2]
                problems.append(f"{html_path.parent.name}/{html_path.name} seed {seed} "
                                f"({wrapped} wrapped): {lost}")
    assert not problems, "\n".join(problems)


def _article_of(sentence: str, url: str):
    """An article of four paragraphs, each the sentence then "Đoạn i."."""
    body = "".join(f"<p>{sentence} Đoạn {i}.</p>" for i in range(4))
    return clean_page(f"<html><head><title>Tranh chấp tín dụng</title></head><body><article>"
                      f"<h1>Tranh chấp tín dụng</h1>{body}</article></body></html>", url)


def test_keyword_link_inside_a_sentence_is_text() -> None:
    sentence = ("Tòa án đã thụ lý vụ <a class=\"relate-link\" href=\"/t\">tranh chấp</a> hợp "
                "đồng tín dụng giữa hai bên, với sự tham dự của Phó <span class=\"share ads\">"
                "Chủ tịch</span> tỉnh, cùng lãnh đạo các sở ngành liên quan.")
    a = _article_of(sentence, "https://bao-mau.vn/a.html")
    assert a.paragraphs[0].startswith("Tòa án đã thụ lý vụ tranh chấp hợp đồng tín dụng")
    assert "của Phó Chủ tịch tỉnh, cùng" in a.paragraphs[0]


def test_loose_text_with_an_inline_link_between_blocks_is_one_line() -> None:
    para = ("Theo báo cáo của sở, năm nay tỉnh đã hoàn thành kế hoạch giảm nghèo, vượt chỉ tiêu "
            "được giao và hỗ trợ hàng nghìn hộ dân có sinh kế ổn định.")
    page = ("<html><head><title>Giảm nghèo ở Mẫu Sơn</title></head><body><div class=\"content\">"
            "<h1>Giảm nghèo ở Mẫu Sơn</h1>Năm nay, vụ <a class=\"cms-relate\" href=\"/k\">tranh "
            "chấp</a> đất đai giữa hai xã đã được hòa giải xong."
            + "".join(f"<p>{para} Đoạn {i}.</p>" for i in range(3)) +
            "</div></body></html>")
    a = clean_page(page, "https://bao-mau.vn/b.html")
    assert a.paragraphs[0] == "Năm nay, vụ tranh chấp đất đai giữa hai xã đã được hòa giải xong."


def test_words_a_hiding_class_keeps_off_screen_are_not_text() -> None:
    sentence = ("Tòa án đã thụ lý vụ tranh chấp <span class=\"sr-only\">(liên kết ngoài)</span>"
                "hợp đồng tín dụng giữa hai bên, với sự tham dự của lãnh đạo các sở ngành.")
    a = _article_of(sentence, "https://bao-mau.vn/h.html")
    assert a.paragraphs[0].startswith("Tòa án đã thụ lý vụ tranh chấp hợp đồng tín dụng")
