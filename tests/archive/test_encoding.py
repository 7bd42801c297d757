"""Bytes → text: declared and undeclared charsets, windows-1258, mojibake repair/flagging."""
from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

import pytest

from archive.clean.cleaner import CleanError, clean_page
from archive.encoding import decode_html, mojibake_ratio, repair_mojibake

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
HTML = SHARED / "corpus" / "html"

# Our own sentence (fictional), covering every tone mark and đ.
SENTENCE = "Đường về bản Lũng Cú mùa hoa tam giác mạch: người dân vui vẻ, khỏe mạnh, thuỷ lợi tốt."


def shared(*parts: str) -> Path:
    path = HTML.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"shared corpus missing: {path}")
    return path


def to_cp1258(text: str) -> bytes:
    """Encode like a windows-1258 editor: vowel shapes precomposed, tones as combining marks."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        while marks and unicodedata.normalize("NFC", base + marks[0]) != base + marks[0]:
            candidate = unicodedata.normalize("NFC", base + marks[0])
            try:
                candidate.encode("cp1258")
            except UnicodeEncodeError:
                break
            base, marks = candidate, marks[1:]
        out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)


def _page(body: str, head: str = "") -> str:
    return f"<html><head>{head}<title>Tin mẫu</title></head><body><p>{body}</p></body></html>"


def test_windows_1258_declared_in_meta_decodes_to_nfc() -> None:
    raw = to_cp1258(_page(SENTENCE, '<meta charset="windows-1258">'))
    decoded = decode_html(raw)
    assert decoded.encoding == "cp1258" and decoded.source == "meta"
    assert SENTENCE in decoded.text
    assert decoded.text == unicodedata.normalize("NFC", decoded.text)


def test_windows_1258_undeclared_is_detected() -> None:
    raw = to_cp1258(_page(SENTENCE))
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert SENTENCE in decode_html(raw).text


def test_http_charset_beats_meta() -> None:
    raw = to_cp1258(_page(SENTENCE, '<meta charset="utf-8">'))
    decoded = decode_html(raw, "text/html; charset=windows-1258")
    assert decoded.source == "http" and SENTENCE in decoded.text


def test_bom_wins_and_is_removed() -> None:
    raw = codecs.BOM_UTF8 + _page(SENTENCE, '<meta charset="windows-1258">').encode("utf-8")
    decoded = decode_html(raw)
    assert decoded.source == "bom" and decoded.text.startswith("<html>")
    assert SENTENCE in decoded.text


def test_decomposed_utf8_is_composed() -> None:
    raw = _page(unicodedata.normalize("NFD", SENTENCE)).encode("utf-8")
    assert SENTENCE in decode_html(raw).text


@pytest.mark.parametrize("wrong", ["latin-1", "cp1252"])
def test_mojibake_is_repaired(wrong: str) -> None:
    garbled = SENTENCE.encode("utf-8").decode(wrong, errors="ignore" if wrong == "cp1252" else
                                              "strict")
    if wrong == "cp1252":
        # cp1252 has holes (0x81, 0x8d, 0x8f, 0x90, 0x9d); producers keep those bytes as C1.
        garbled = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b)
                          for b in SENTENCE.encode("utf-8"))
    assert mojibake_ratio(garbled) > 0.3
    assert repair_mojibake(garbled) == SENTENCE
    page = decode_html(_page(garbled, '<meta charset="utf-8">').encode("utf-8"))
    assert page.repaired and page.garbled == 0.0 and SENTENCE in page.text


def test_clean_text_is_left_alone() -> None:
    text = "Giá 1.000 USD ± 5%, nhiệt độ 30°C — «trích dẫn» © Báo Mẫu"
    assert mojibake_ratio(text) == 0.0
    assert repair_mojibake(text) == text


@pytest.mark.parametrize("name", ["laodong.vn/list_mojibake.html",
                                  "tintaynguyen.com/list_mojibake.html"])
def test_shared_mojibake_pages_are_repaired(name: str) -> None:
    raw = shared(*name.split("/")).read_bytes()
    before = raw.decode("utf-8")
    after = decode_html(raw)
    assert mojibake_ratio(before) > 0.3
    assert after.repaired and after.garbled == 0.0
    title = re.search(r"<title>([^<]*)", after.text).group(1)
    assert "Ã" not in title and "á»" not in title
    assert re.search(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđĐ]", title)


def test_unrepairable_mojibake_is_flagged_not_indexed() -> None:
    garbled = SENTENCE.encode("utf-8").decode("latin-1")
    # Lose the continuation bytes that make the damage reversible.
    broken = re.sub("[\u0080-\u00bf]", "?", garbled)
    body = " ".join([broken] * 20)
    raw = (f"<html><head><title>{broken}</title></head><body><article><h1>{broken}</h1>"
           f"<p>{body}</p><p>{body}</p></article></body></html>").encode("utf-8")
    assert decode_html(raw).garbled > 0.05
    with pytest.raises(CleanError) as err:
        clean_page(raw, "https://bao-mau.vn/a.html")
    assert err.value.reason == "encoding:unrepairable"


def test_shared_1258_page_matches_utf8_text() -> None:
    utf8 = decode_html(shared("thtg.vn", "giam-ngheo-cai-lay-tan-tru.html").read_bytes())
    legacy = decode_html(shared("thtg.vn", "giam-ngheo-cai-lay-tan-tru.windows-1258.html")
                         .read_bytes())
    assert legacy.encoding == "cp1258" and utf8.encoding == "utf-8"
    title = re.compile(r"<title>([^<]*)")
    assert title.search(legacy.text).group(1) == title.search(utf8.text).group(1)


@pytest.mark.parametrize("declared", [True, False], ids=["meta-utf8", "undeclared"])
def test_stray_windows_1252_bytes_in_a_utf8_page(declared: bool) -> None:
    """A pasted snippet in windows-1252 must not turn the whole page into windows-1258."""
    snippet = " “Café” – Nguyễn Văn Mẫu".encode("cp1252", errors="ignore")
    body = f"<p>{SENTENCE}</p>".encode("utf-8") * 40 + b"<p>" + snippet + b"</p>"
    head = b'<meta charset="utf-8">' if declared else b""
    d = decode_html(b"<html><head>" + head + b"</head><body>" + body + b"</body></html>")
    assert d.encoding == "utf-8" and d.garbled == 0.0
    assert d.text.count(SENTENCE) == 40 and "“Café” – Nguy" in d.text


def test_shared_1258_page_undeclared_stays_windows_1258() -> None:
    raw = shared("thtg.vn", "giam-ngheo-cai-lay-tan-tru.windows-1258.html").read_bytes()
    stripped = re.sub(rb"<meta[^>]+charset[^>]*>", b"", raw, flags=re.I)
    assert decode_html(stripped).encoding == "cp1258"
    utf8 = shared("thtg.vn", "giam-ngheo-cai-lay-tan-tru.html").read_bytes()
    assert clean_page(stripped).paragraphs == clean_page(utf8).paragraphs
