"""Bytes → text for Vietnamese news pages.

Order of trust: byte-order mark, HTTP ``Content-Type`` charset, ``<meta charset>`` in the first
bytes, then detection (strict UTF-8, else windows-1258, the legacy Vietnamese code page).
windows-1258 writes tones as combining marks, so every result is NFC-normalised.

A page that is UTF-8 except for a pasted snippet in windows-1252 (curly quotes, "é") is not a
legacy page: decoding all of it as windows-1258 would garble every Vietnamese letter, so when
nearly all non-ASCII bytes form valid UTF-8 the stray bytes alone are read as windows-1252.

A second failure mode is text that was UTF-8, got decoded as latin-1/cp1252 by some tool and
re-encoded as UTF-8 ("Lao Äá»ng" for "Lao Động").  ``repair_mojibake`` reverses that per run
of suspicious characters; ``mojibake_ratio`` measures what is left so callers can flag pages that
cannot be repaired instead of indexing garbage.

>>> decode_html("Gia\u0309m nghe\u0300o".encode("cp1258"), "text/html; charset=windows-1258").text
'Giảm nghèo'
>>> repair_mojibake("Lao \\u00c4\\u0090\\u00e1\\u00bb\\u0099ng")
'Lao Động'
"""
from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Decoded", "decode_html", "repair_mojibake", "mojibake_ratio", "charset_from_content_type"]

_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-:.]+)""", re.I)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?([a-zA-Z0-9_\-:.]+)""", re.I)

# cp1252 puts printable characters where latin-1 has C1 controls; mojibake producers use both.
_CP1252_HIGH = {bytes([b]).decode("cp1252"): b for b in range(0x80, 0xA0)
                if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}
_CONT = "\u0080-\u00bf" + re.escape("".join(_CP1252_HIGH))
# A UTF-8 lead byte seen as latin-1 followed by continuation-byte characters: a 2-byte lead
# (Â Ã Ä Å Æ ...) and one, or a 3-byte lead (á â ...) and two ("á»", "â€œ").  Real Vietnamese
# never has that, while "á”" (a letter before a curly quote) is common and must not count.
_MOJI_RUN = re.compile("[\u00c2-\u00df][" + _CONT + "]|[\u00e0-\u00ef][" + _CONT + "]{2}")
# What is left when repair was impossible: a lead character whose continuation bytes were
# replaced by "?" or U+FFFD on the way ("Ä?", "á??").
_GARBLED = re.compile(_MOJI_RUN.pattern + "|[\u00c3\u00c4\u00c5\u00c6][?\ufffd]|"
                      "[\u00e0-\u00ef][?\ufffd]{2}")
# Substrings every double-encoded Vietnamese page contains (đ → "Ä‘", ư → "Æ°", ầ → "áº§",
# ộ → "á»™"); found by C-speed substring search, so clean pages skip the regex scans.
_TELLTALES = ("\u00c4", "\u00c6", "\u00c5", "\u00e1\u00bb", "\u00e1\u00ba", "\u00c3", "\u00e2\u20ac")


def _suspect(text: str) -> bool:
    return any(t in text for t in _TELLTALES)


_RUN = re.compile("(?:[\u00c2-\u00f4][" + _CONT + "]{1,3})+")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str          # codec actually used
    source: str            # "bom" | "http" | "meta" | "detected"
    repaired: bool = False  # mojibake was found and reversed
    garbled: float = 0.0    # share of words still looking like mojibake after repair


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = name.strip().lower()
    if name in ("x-user-defined", "unicode"):
        name = "utf-8"
    try:
        found = codecs.lookup(name).name
    except LookupError:
        return None
    # Browsers treat latin-1/ascii labels as windows-1252 (WHATWG encoding spec).
    return "cp1252" if found in ("latin-1", "iso8859-1", "ascii") else found


def charset_from_content_type(content_type: str | None) -> str | None:
    if not content_type:
        return None
    m = _CT_CHARSET.search(content_type)
    return _codec(m.group(1)) if m else None


def _to_byte(ch: str) -> int:
    b = _CP1252_HIGH.get(ch)
    if b is not None:
        return b
    o = ord(ch)
    if o < 0x100:
        return o
    raise ValueError(ch)


def _fix_run(m: re.Match[str]) -> str:
    run = m.group(0)
    try:
        return bytes(_to_byte(c) for c in run).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return run


def repair_mojibake(text: str) -> str:
    """Undo UTF-8-read-as-latin-1/cp1252, run by run, leaving genuine text alone."""
    if not _suspect(text) or not _MOJI_RUN.search(text):
        return text
    return unicodedata.normalize("NFC", _RUN.sub(_fix_run, text))


_WORD = re.compile(r"\S+")


def mojibake_ratio(text: str) -> float:
    """Share of non-ASCII words that still contain a mojibake sequence (0.0 = clean)."""
    if not _suspect(text) or not _GARBLED.search(text):
        return 0.0
    words = [w for w in _WORD.findall(text[:200_000]) if not w.isascii()]
    if not words:
        return 0.0
    bad = sum(1 for w in words if _GARBLED.search(w))
    return bad / len(words)


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _stray_cp1252(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = err.object[err.start:err.end]
    return bad.decode("cp1252", errors="replace"), err.end


codecs.register_error("vnarchive-stray-cp1252", _stray_cp1252)

# Share of non-ASCII characters that must decode as valid UTF-8 for a page that fails strict
# UTF-8 to count as "UTF-8 with stray legacy bytes" rather than a legacy page.  A windows-1258
# page has almost no valid multi-byte sequences (its letters are followed by ASCII or by
# combining-mark bytes outside the continuation range), so the two cases are far apart.
_MOSTLY_UTF8 = 0.97


def _utf8_with_strays(raw: bytes) -> str | None:
    """Decode ``raw`` as UTF-8 reading invalid bytes as windows-1252, if it is mostly UTF-8."""
    replaced = raw.decode("utf-8", errors="replace")
    bad = replaced.count("\ufffd") - raw.count(b"\xef\xbf\xbd")
    if not bad:
        return None
    non_ascii = len(replaced) - len(replaced.encode("ascii", "ignore"))
    if (non_ascii - bad) < _MOSTLY_UTF8 * non_ascii:
        return None
    return raw.decode("utf-8", errors="vnarchive-stray-cp1252")


def _legacy_or_strays(raw: bytes) -> tuple[str, str]:
    mixed = _utf8_with_strays(raw)
    if mixed is not None:
        return mixed, "utf-8"
    return raw.decode("cp1258", errors="replace"), "cp1258"


def decode_html(raw: bytes, content_type: str | None = None) -> Decoded:
    """Decode page bytes, NFC-normalise, and repair double-encoded UTF-8 when present."""
    text: str | None = None
    codec, source = "utf-8", "detected"
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                      (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            codec, source = name, "bom"
            text = raw[len(bom):].decode(name, errors="replace")
            break
    if text is None:
        declared = charset_from_content_type(content_type)
        if declared:
            source = "http"
        else:
            m = _CHARSET_RE.search(raw[:8192])
            declared = _codec(m.group(1).decode("ascii", "replace")) if m else None
            source = "meta" if declared else "detected"
        if declared and declared.startswith("utf-16") and b"\x00" not in raw[:200]:
            declared = "utf-8"  # pages that say utf-16 but are ASCII-compatible
        if declared:
            text = _strict(raw, declared)
            codec = declared
            if text is None and declared == "utf-8":
                # Declared UTF-8 but isn't: a legacy Vietnamese page, or stray pasted bytes.
                text, codec = _legacy_or_strays(raw)
                source = source if codec == "utf-8" else "detected"
            elif text is None:
                text = raw.decode(declared, errors="replace")
        else:
            text = _strict(raw, "utf-8")
            codec = "utf-8"
            if text is None:
                text, codec = _legacy_or_strays(raw)
    text = unicodedata.normalize("NFC", text)
    repaired = False
    if mojibake_ratio(text) > 0.02:
        fixed = repair_mojibake(text)
        repaired = fixed != text
        text = fixed
    return Decoded(text, codec, source, repaired, mojibake_ratio(text))
