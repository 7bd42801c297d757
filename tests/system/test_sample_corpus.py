"""The fictional demo archive in corpus/sample: well-formed pages that agree with expected.json.

The gazetteer checks read ../shared/corpus/gazetteer and fail when it is missing.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
from lxml import etree

from archive.textnorm import canonical_tones, clean_text

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "corpus" / "sample"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
GAZ = SHARED / "corpus" / "gazetteer"
NOTICE = "Bài mẫu – nội dung hư cấu phục vụ trình diễn vnarchive"
REFORM = datetime.fromisoformat("2025-07-01T00:00:00+07:00")
WEEKDAYS = ["thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

EXPECTED: list[dict] = json.loads((SAMPLE / "expected.json").read_text("utf-8"))
PAGES = sorted(p.relative_to(SAMPLE).as_posix() for p in SAMPLE.rglob("*.html"))
BY_FILE = {r["file"]: r for r in EXPECTED}


def _doc(rec: dict) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring((SAMPLE / rec["file"]).read_bytes())


def _meta(doc: lxml.html.HtmlElement, key: str) -> list[str]:
    return [m.get("content") for m in doc.xpath(f'//meta[@property="{key}" or @name="{key}"]')]


def _body_text(doc: lxml.html.HtmlElement) -> str:
    return clean_text(doc.body.text_content())


def _article_text(rec: dict) -> str:
    parts = [rec["title"], rec["sapo"] or "", *rec["paragraphs"], *rec["captions"]]
    return canonical_tones("\n".join(parts))


@pytest.fixture(scope="module")
def gazetteer() -> dict:
    assert GAZ.is_dir(), f"shared gazetteer missing: {GAZ}"
    g63 = json.loads((GAZ / "provinces_63_pre_2025-07-01.json").read_text("utf-8"))
    g34 = json.loads((GAZ / "provinces_34_from_2025-07-01.json").read_text("utf-8"))
    mapping = json.loads((GAZ / "province_mapping_63_to_34.json").read_text("utf-8"))
    short = {p["name"]: p["short"] for p in g63 + g34}
    to2025 = {short[o["name"]]: short[e["new_name"]] for e in mapping for o in e["old"]}
    districts = {p["short"]: {canonical_tones(d["name"]).lower() for d in p["districts"]} for p in g63}
    return {"63": {p["short"] for p in g63}, "34": {p["short"] for p in g34},
            "to2025": to2025, "districts": districts}


# ------------------------------------------------------------------ inventory

def test_size_and_expected_lists_every_file() -> None:
    assert 20 <= len(PAGES) <= 40
    assert sorted(BY_FILE) == PAGES
    assert len(BY_FILE) == len(EXPECTED)


def test_at_least_three_layouts_and_hosts_are_fictional() -> None:
    layouts = Counter(r["layout"] for r in EXPECTED)
    assert len(layouts) >= 3 and min(layouts.values()) >= 5
    for r in EXPECTED:
        assert r["site"].endswith(".example")
        assert r["file"].split("/")[0] == r["site"] == urlsplit(r["url"]).hostname


@pytest.mark.parametrize("name", PAGES)
def test_every_link_stays_on_example_hosts(name: str) -> None:
    raw = (SAMPLE / name).read_text("utf-8")
    hosts = {urlsplit(u).hostname for u in re.findall(r'(?:href|src)="(https?://[^"]+)"', raw)}
    assert hosts and all(h.endswith(".example") for h in hosts), hosts


# ------------------------------------------------------------------ well-formedness

class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
        else:
            self.errors.append(f"</{tag}> at {self.getpos()} inside {self.stack[-3:]}")


@pytest.mark.parametrize("name", PAGES)
def test_page_is_well_formed(name: str) -> None:
    raw = (SAMPLE / name).read_bytes()
    parser = etree.HTMLParser(recover=False)
    etree.fromstring(raw, parser)
    assert not list(parser.error_log)
    bal = _Balance()
    bal.feed(raw.decode("utf-8"))
    bal.close()
    assert not bal.errors and not bal.stack, (bal.errors[:3], bal.stack)
    doc = lxml.html.document_fromstring(raw)
    assert doc.get("lang") == "vi"
    assert doc.xpath('//head/meta[@charset="utf-8"]')


# ------------------------------------------------------------------ page vs expected.json

@pytest.mark.parametrize("name", PAGES)
def test_head_matches_expected(name: str) -> None:
    rec, doc = BY_FILE[name], _doc(BY_FILE[name])
    title = clean_text(doc.findtext(".//title"))
    assert title.startswith(rec["title"]) and len(title) > len(rec["title"]) + 3  # site suffix
    assert [link.get("href") for link in doc.xpath('//link[@rel="canonical"]')] == [rec["url"]]
    desc = _meta(doc, "description")
    assert len(desc) == 1 and desc[0].startswith("(Bài mẫu)")
    datetime.fromisoformat(rec["published"])
    assert rec["published"].endswith("+07:00")


@pytest.mark.parametrize("name", PAGES)
def test_notice_and_boilerplate_present(name: str) -> None:
    doc = _doc(BY_FILE[name])
    text = _body_text(doc)
    assert NOTICE in text
    for marker in ("Tin liên quan", "Bình luận", "Hãy là người đầu tiên gửi bình luận.", "Chia sẻ:"):
        assert marker in text, marker
    assert doc.xpath("//nav|//*[contains(@class,'menu')]")
    assert doc.xpath("//footer|//*[@id='footer']")


@pytest.mark.parametrize("name", PAGES)
def test_body_paragraphs_and_captions(name: str) -> None:
    rec, doc = BY_FILE[name], _doc(BY_FILE[name])
    assert 4 <= len(rec["paragraphs"]) <= 8
    page_paras = [clean_text(p.text_content()) for p in doc.iter("p")]
    for para in rec["paragraphs"]:
        assert para in page_paras, para[:60]
    figures = doc.xpath("//figure")
    assert 1 <= len(figures) <= 3
    caps = [clean_text(f.find(".//figcaption").text_content()) for f in figures]
    assert caps == rec["captions"]
    if rec["sapo"] is not None:
        assert rec["sapo"] in _body_text(doc)
    for author in rec["authors"]:
        assert author in _body_text(doc)


def test_two_layouts_carry_open_graph_and_one_does_not() -> None:
    with_og = set()
    for rec in EXPECTED:
        doc = _doc(rec)
        published = _meta(doc, "article:published_time")
        if published:
            with_og.add(rec["layout"])
            assert published == [rec["published"]]
            assert _meta(doc, "og:title") == [rec["title"]]
            assert _meta(doc, "og:url") == [rec["url"]]
        else:
            assert not _meta(doc, "og:title")
    assert len(with_og) == 2


def test_json_ld_agrees_with_expected() -> None:
    seen = 0
    for rec in EXPECTED:
        doc = _doc(rec)
        for script in doc.xpath('//script[@type="application/ld+json"]'):
            data = json.loads(script.text)
            if data.get("@type") != "NewsArticle":
                continue
            seen += 1
            assert data["headline"] == rec["title"]
            assert data["datePublished"] == rec["published"]
            assert [a["name"] for a in data["author"]] == rec["authors"]
    assert seen >= 5


def test_visible_date_lines_agree_with_expected() -> None:
    """Pages without metadata show 'Thứ Năm, 14/3/2024, 09:15 (GMT+7)': weekday and time must fit."""
    rx = re.compile(r"(Thứ \w+|Chủ \w+), (\d{1,2})/(\d{1,2})/(\d{4}),? -? ?(\d{2}):(\d{2}) \(GMT\+7\)", re.I)
    checked = 0
    for rec in EXPECTED:
        doc = _doc(rec)
        if _meta(doc, "article:published_time"):
            continue
        m = rx.search(_body_text(doc))
        assert m, rec["file"]
        wd, d, mo, y, hh, mm = m.groups()
        when = datetime(int(y), int(mo), int(d), int(hh), int(mm))
        assert when.isoformat(timespec="seconds") + "+07:00" == rec["published"]
        assert WEEKDAYS[when.weekday()] == wd.lower()
        checked += 1
    assert checked >= 5


# ------------------------------------------------------------------ facets

def test_facets_are_varied() -> None:
    provinces = {p for r in EXPECTED for p in r["subject_provinces"]}
    programmes = Counter(p for r in EXPECTED for p in r["programmes"])
    officials = Counter(o["name"] for r in EXPECTED for o in r["officials"])
    years = {r["published"][:4] for r in EXPECTED}
    assert len(provinces) >= 8
    assert len(programmes) >= 6 and all(n >= 3 for n in programmes.values())
    assert len(officials) >= 10 and all(2 <= n <= 4 for n in officials.values()), officials
    assert {"2019", "2026"} <= years and len(years) >= 6
    for word in ("giảm nghèo", "nông thôn mới", "ocop", "chuyển đổi số"):
        hits = [r for r in EXPECTED if word in _article_text(r).lower()]
        assert len(hits) >= 3 and len({r["site"] for r in hits}) >= 2, word


def test_programme_labels_are_the_curated_ones() -> None:
    import tomllib
    data = tomllib.loads((ROOT / "corpus" / "gazetteer" / "programs.toml").read_text("utf-8"))
    labels = {p["label"] for p in data["program"]}
    assert {p for r in EXPECTED for p in r["programmes"]} <= labels


def test_officials_are_in_the_text() -> None:
    for rec in EXPECTED:
        text = _article_text(rec)
        for o in rec["officials"]:
            assert o["name"] in text, (rec["file"], o["name"])
            assert o.get("title_as_written", o["title"]) in text, (rec["file"], o)
            if "short" in o:
                assert canonical_tones(o["short"]).lower() in text.lower(), (rec["file"], o)


def test_provinces_follow_the_2025_reform(gazetteer: dict) -> None:
    for rec in EXPECTED:
        text = _article_text(rec)
        after = datetime.fromisoformat(rec["published"]) >= REFORM
        assert set(rec["provinces"]) <= gazetteer["63"] | gazetteer["34"]
        assert set(rec["subject_provinces"]) <= set(rec["provinces"])
        mapped = {gazetteer["to2025"].get(p, p) for p in rec["provinces"]}
        assert mapped == set(rec["provinces_2025"]), rec["file"]
        if after:
            assert set(rec["subject_provinces"]) <= gazetteer["34"], rec["file"]
            assert not rec["districts"]
            assert not re.search(r"\b(huyện|thị xã|quận) [A-ZĐ]", text), rec["file"]
        else:
            assert set(rec["subject_provinces"]) <= gazetteer["63"], rec["file"]
            known = set().union(*(gazetteer["districts"][p] for p in rec["provinces"] if p in gazetteer["districts"]))
            for d in rec["districts"]:
                assert d.lower() in known, (rec["file"], d)
                assert re.sub(r"^(huyện|thị xã|thành phố|quận) ", "", d) in text, (rec["file"], d)
    assert any(datetime.fromisoformat(r["published"]) >= REFORM for r in EXPECTED)
    assert any(r["districts"] for r in EXPECTED)


# ------------------------------------------------------------------ text traps

def test_text_traps_are_present_and_flagged() -> None:
    old = re.compile(r"(?<![qQ])[oO][àáảãạ](?!\w)|(?<![qQ])[uU][ỳýỷỹỵ](?!\w)")
    styles = set()
    for rec in EXPECTED:
        raw = (SAMPLE / rec["file"]).read_text("utf-8")
        assert (unicodedata.normalize("NFC", raw) != raw) == rec["has_nfd"], rec["file"]
        assert ("&nbsp;" in raw) == rec["has_nbsp"], rec["file"]
        text = "\n".join([rec["title"], *rec["paragraphs"]])
        if old.search(text):
            assert rec["tone_style"] == "old", rec["file"]
        assert canonical_tones(text) == text or rec["tone_style"] == "old"
        styles.add(rec["tone_style"])
    assert styles == {"old", "new"}
    assert sum(r["has_nfd"] for r in EXPECTED) >= 1 and sum(r["has_nbsp"] for r in EXPECTED) >= 1
