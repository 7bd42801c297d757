"""Facet entities of an article: provinces (then and after the 2025 merger), officials, programmes.

Pure patterns + gazetteer (no NER model: ``underthesea.ner`` costs ~25 ms a paragraph and the
whole extraction must stay within a few milliseconds an article).

Officials are people named together with a public position, in the shapes Vietnamese news
uses: "bà Võ Thị Búp – Phó Chủ tịch UBND thị xã Cai Lậy", "Chủ tịch UBND tỉnh Long An Nguyễn
Văn Út", "ông Trí, Phó Chủ tịch ..." (linked to the full name given earlier), "đồng chí ...".
Company staff, foreigners and people named as suspects or victims are left out.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from archive.article import Article
from archive.textnorm import canonical_tones, fold, nfc
from indexer.gazetteer import (canonical_province, find_provinces, gazetteer, place_names,
                               province_2025)

__all__ = ["Official", "Entities", "extract_entities", "canonical_province", "province_2025",
           "find_programs", "find_officials"]

PROGRAMS_FILE = Path(__file__).resolve().parents[1] / "corpus" / "gazetteer" / "programs.toml"


@dataclass(frozen=True, slots=True)
class Official:
    name: str                   # full name, NFC, e.g. "Võ Thị Búp"
    titles: tuple[str, ...]     # e.g. ("Phó Chủ tịch UBND thị xã Cai Lậy",)
    organisation: str | None = None


@dataclass(frozen=True, slots=True)
class Entities:
    provinces: tuple[str, ...]          # 63-list short names, as the article named them
    provinces_2025: tuple[str, ...]     # merged (34-list) provinces
    officials: tuple[Official, ...]
    programs: tuple[str, ...]           # canonical programme labels

    def to_dict(self) -> dict[str, Any]:
        return {
            "provinces": list(self.provinces),
            "provinces_2025": list(self.provinces_2025),
            "officials": [{"name": o.name, "titles": list(o.titles),
                           "organisation": o.organisation} for o in self.officials],
            "programs": list(self.programs),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Entities":
        return cls(
            provinces=tuple(d.get("provinces", ())),
            provinces_2025=tuple(d.get("provinces_2025", ())),
            officials=tuple(Official(o["name"], tuple(o.get("titles", ())), o.get("organisation"))
                            for o in d.get("officials", ())),
            programs=tuple(d.get("programs", ())),
        )


# Vietnamese surnames (incl. common ethnic-minority ones).  Words that usually start an
# organisation or place ("Văn" phòng, "Công" an, "Đồng" Nai, "Kim") are left out on purpose.
SURNAMES = frozenset(canonical_tones(s) for s in """
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Đinh Lâm Mai
Trịnh Trương Cao Hà Lương Tạ Tô Tôn Chu Châu Quách Lưu Kiều Hứa Vương Thái Lại Mạc Nghiêm Diệp
Hầu Khúc Lò Lục Mã Nông Ông Phí Sầm Thân Thạch Triệu Từ Vi Âu Bạch Bế Cù Cầm Đàm Đậu Điểu
Doãn Giáp Hàn Hạ Kha Khổng Khương Lã Lạc Lầu Lỗ Lộc Lù Mẫn Mông Nhữ Nhâm Phùng Quản Sùng Giàng
Vàng Thào Tăng Thiều Tòng Trình Ung Ưng Vòng Viên Tiêu Thang Ngọ Mạnh Y Chế Cấn Chử Dư Đồ
Đường Giả Hoa Khuất Khâu Lạng Lường Mè Ma Ninh Phương Quàng Sơn Thiệu Vy Xa
Tống Lô Bàn Lữ Tào Thịnh Ôn Đổng Mạch Nhan Bành
""".split())

# Roles.  ALWAYS: public whatever follows.  OTHER: public only with a public organisation.
_RANKS = r"(?:Đại|Thượng|Trung|Thiếu) (?:tướng|tá|úy|uý)"
_ALWAYS = (r"Tổng Bí thư|Chủ tịch nước|Thủ tướng(?: Chính phủ)?|Bộ trưởng|Thứ trưởng|Bí thư"
           r"|Ủy viên|Uỷ viên|Đại biểu Quốc hội|ĐBQH|Chánh án|Cục trưởng|Vụ trưởng"
           r"|Tổng cục trưởng|Chi cục trưởng|Chánh Văn phòng|Chánh Thanh tra|Tư lệnh|Chính ủy"
           r"|Chính uỷ|Người phát ngôn|Trưởng Công an|Đồn trưởng|Chỉ huy trưởng|Trưởng thôn"
           r"|Trưởng ấp|Trưởng bản|Trưởng khu phố|Kiểm sát viên|Thẩm phán|Điều tra viên|"
           + _RANKS)
_OTHER = (r"Chủ tịch|Giám đốc|Trưởng ban|Trưởng phòng|Hiệu trưởng|Viện trưởng|Đội trưởng"
          r"|Chủ nhiệm|Tổng Thư ký|Trưởng đoàn|Trưởng Đoàn|Trưởng khoa|Trưởng trạm|Chủ trì"
          r"|Đại sứ|Tổng Lãnh sự|Trưởng")
_ROLE_RE = re.compile(
    r"(?<!\w)(?:(?:nguyên|cựu|Nguyên|Cựu|Quyền|quyền) )?(?:(?:Phó|phó) )?(?:(?:Tổng|tổng) )?"
    r"(" + _ALWAYS + "|" + _OTHER + r")(?!\w)", re.IGNORECASE)
# Vietnam's own envoys abroad are officials; "Đại sứ Mỹ" is not.
_VN_ENVOY = re.compile(r"(?:Phó )?(?:Đại sứ|Tổng Lãnh sự)(?: đặc mệnh toàn quyền)? (?:nước )?"
                       r"(?:CHXHCN )?Việt Nam", re.IGNORECASE)
# "Bệnh viện Việt Đức", "Trung tâm ... Việt Nhật" are Vietnamese bodies, not foreign ones.
_VIET_X = re.compile(r"Việt\s*[-–]?\s*(?:Nhật|Đức|Pháp|Nga|Anh|Hàn|Mỹ|Xô|Trung|Lào|Úc|Bỉ)")
# The same roles for lower-cased text, without look-behind (checked by hand): much faster
# than an IGNORECASE scan over a whole article.
_ROLE_LOW = re.compile(_ROLE_RE.pattern.lower().replace("(?<!\\w)", "", 1))
_ALWAYS_RE = re.compile(r"^(?:" + _ALWAYS + r")$", re.IGNORECASE)
_PUBLIC_ORG = re.compile(
    r"(?<!\w)(?:UBND|HĐND|UBMTTQ|MTTQ|Ủy ban|Uỷ ban|ủy ban|Hội đồng nhân dân|Quốc hội|nước|Sở|sở"
    r"|Bộ|bộ|Cục|cục|Công an|công an|CA|tỉnh|huyện|xã|phường|thị trấn|thị xã|thành phố|TP|quận"
    r"|Tỉnh ủy|Tỉnh uỷ|Thành ủy|Thành uỷ|Huyện ủy|Huyện uỷ|Đảng|đảng|Ban|Phòng|Bệnh viện|BV"
    r"|Trung tâm|Trường|trường|Đại học|Học viện|Viện|Tòa|Toà|TAND|VKSND|Kho bạc|BHXH"
    r"|Bảo hiểm xã hội|Thanh tra|Văn phòng|Đài|Hội|Liên đoàn|Đoàn|Mặt trận|Chính phủ|Nhà nước"
    r"|Quân khu|Quân đội|Bộ đội|Biên phòng|Cảnh sát|CSGT|Cảng vụ|BQL|Hải quan|Cục Thuế|Kiểm lâm"
    r"|Quản lý thị trường|Chính sách xã hội|NHCSXH|thôn|ấp|bản|khu phố|Đội|Trạm|Chi cục"
    r"|Tổng cục|PC\d+|Phân viện|Ủy|ủy)(?!\w)")
_COMPANY = re.compile(
    r"(?<!\w)(?:công ty|Công ty|CTCP|Cty|cty|tập đoàn|Tập đoàn|HĐQT|Hội đồng quản trị"
    r"|hội đồng quản trị|TNHH|doanh nghiệp|Ngân hàng(?! Chính sách)|ngân hàng|Tổng công ty"
    r"|Group|JSC|Corp|cổ phần|quỹ đầu tư|hãng|Hãng|thương hiệu|CLB|câu lạc bộ|Câu lạc bộ"
    r"|FC|khách sạn|nhà hàng|Bank|Holdings|Hợp tác xã|hợp tác xã|HTX)(?!\w)")
_FOREIGN = re.compile(
    r"(?<!\w)(?:Mỹ|Hoa Kỳ|Trung Quốc|Nga|Pháp|Anh|Đức|Nhật|Nhật Bản|Hàn Quốc|Triều Tiên|Lào"
    r"|Campuchia|Thái Lan|Singapore|Malaysia|Indonesia|Philippines|Ấn Độ|Úc|Australia|Canada"
    r"|Israel|Iran|Ukraine|EU|Liên hợp quốc|LHQ|Myanmar|Cuba|Đài Loan|Hồng Kông|Hong Kong|WHO"
    r"|IMF|ASEAN|NATO|Italy|Tây Ban Nha|Brazil|Venezuela|Syria|Iraq|Thổ Nhĩ Kỳ|Ai Cập"
    r"|Saudi|New Zealand|Hà Lan|Bỉ|Thụy Điển|Mông Cổ|Bắc Kinh|Washington|Moscow|Tokyo|Seoul"
    r"|Paris|London|Bình Nhưỡng|Thái Bình Dương|Quốc vụ viện)(?!\w)")
# The title phrase ends at punctuation (abbreviations in brackets such as "(LĐTB&XH)" stay),
# at a verb or connective that starts the rest of the sentence, or at the next person.
_TITLE_END = re.compile(
    r"[,;:“”\"?!…]|\((?![A-ZĐ&0-9.\- ]+\))|(?<![A-ZĐ&0-9.])\)|(?<![A-ZĐ])\.(?:\s|$)"
    r"|\s(?:cho biết|cho rằng|nói|nhấn mạnh|khẳng định|đã|đang|sẽ"
    r"|làm|phát biểu|chia sẻ|thông tin|yêu cầu|đề nghị|trao|tặng|kiểm tra|tiếp|dự|cùng|thăm"
    r"|trả lời|báo cáo|ký|được|bị|là|có|không|vừa|tại|khi|trong|với|để|thì|mà|này|nêu"
    r"|đánh giá|lưu ý|giải thích|ghi nhận|chủ trì|đến|dẫn|mong|kêu gọi|thừa nhận|xác nhận"
    r"|cũng|lại|vẫn|hướng dẫn|đồng thời|ông|bà|trực tiếp|hoặc|nhận|gửi|đọc|công bố|bày tỏ|hỏi"
    r"|tham dự|họp|chúc|động viên|phân tích|đề xuất|trình bày|lên|ra|và các|và đại diện"
    r"|cùng các|kiêm nhiệm|từng|hiện|vào|từ|ngày|sáng|chiều|tối|năm|lúc|thời|người)(?!\w)")
_SEP_BEFORE = re.compile(
    r"(?:^|[^\w])((?:\w+\s+){0,5}\w+)\s*(?:[–—-]|,|\()\s*"
    r"(?:nguyên |cựu |hiện là |là |đương kim )?$")
# A name right after these is a place or an institution named after a person ("phường Bạch
# Đằng", "Trường tiểu học Nguyễn Thị Minh Khai"), not the official.
_ADMIN_BEFORE = re.compile(
    r"(?<!\w)(?:tỉnh|huyện|quận|thị xã|thành phố|phường|xã|thị trấn|thôn|ấp|bản|TP\.?|TX\.?"
    r"|đường|phố|Phường|Xã|Quận|Huyện|Tỉnh|Trường|trường|tiểu học|THCS|THPT|mầm non|Tiểu học"
    r"|Bệnh viện|bệnh viện|Bảo tàng|bảo tàng|Đại học|đại học|Học viện|Quỹ|Giải|cầu|Cầu"
    r"|Khu|khu|Nhà văn hóa|Lăng|lăng|tư tưởng|Cụm|cụm|Chi đội|Liên đội|Đội|Cao đẳng|BV"
    r"|giải thưởng|học bổng|Cúp|Huân chương|Hội đồng giải thưởng|Nhà hát|Sân vận động) $",
    re.IGNORECASE)
_NOT_NAME = frozenset(canonical_tones(w) for w in (
    "Sở Bộ Ban Phòng Cục Tỉnh Huyện Quận Phường Đảng Ủy Uỷ Hội Viện Bệnh Tổng Chủ Phó "
    "Trưởng Giám Bí Thủ Người Tại Theo Ngày Sáng Chiều Tối Khi Sau Với Các Những Ông Bà Tòa "
    "Toà Thôn Ấp UBND HĐND Cty Nhà Đài Báo Đội Trạm Kho").split())
_TOKEN = re.compile(r"\w+")


def _letters(upper: bool) -> str:
    return "".join(c for c in map(chr, range(0x41, 0x1EFA))
                   if c.isalpha() and (c.isupper() if upper else c.islower()) and c.isascii()
                   or (ord(c) >= 0xC0 and c.isalpha() and (c.isupper() if upper else c.islower())))


_U, _L = _letters(True), _letters(False)
# A run of capitalised words ("Long An Nguyễn Văn Út"); words in capitals ("UBND") end it.
_RUN = f"[{_U}][{_L}]*(?: [{_U}][{_L}]*)*(?![\\w])"
_RUN_RE = re.compile(r"(?<![\w])" + _RUN)
# Cues are found in the lower-cased text (same offsets), the name in the original.
_HONORIFIC_CUE = re.compile(r"(ông|bà|đồng chí) ")
_SUSPECT_CUE = re.compile(
    r"(?:bị can|bị cáo|đối tượng|nghi phạm|nghi can|bị hại|nạn nhân|phạm nhân|tử tù|truy nã"
    r"|thi thể|tên|kẻ|bắt giữ|bắt tạm giam|khởi tố|tạm giữ) (?:(?:ông|bà|anh|chị) )?")
_HONORIFICS = frozenset(("Ông", "Bà", "Anh", "Chị", "Đồng", "Cô", "Chú", "Bác", "Em"))


_SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
                       r"[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")


def _vietnamese(tok: str) -> bool:
    """Plausible Vietnamese syllable ("Nguyễn", "Khăm"), not "Jean", "Prayut", "Kunan"."""
    return bool(_SYLLABLE.fullmatch(fold(tok).lower()))


def _word_before(text: str, i: int) -> bool:
    return i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")


def _is_name_token(tok: str) -> bool:
    return tok[0].isupper() and (len(tok) == 1 or tok[1:].islower()) and tok.isalpha()


def _cap_runs(text: str) -> Iterable[tuple[list[str], int]]:
    """Runs of capitalised words with their start offsets."""
    for m in _RUN_RE.finditer(text):
        yield m.group().split(" "), m.start()


def _split_name(run: list[str]) -> tuple[int, list[str]] | None:
    """Find the person name at the end of a run such as "Long An Nguyễn Văn Út"."""
    places = place_names()
    i = 0
    while i < len(run) - 2 and run[i] in _HONORIFICS:   # "Ông Lò Đức Liêm" opening a sentence
        i += 1
    while i < len(run):
        for k in (4, 3, 2, 1):
            if " ".join(run[i:i + k]) in places:
                i += k
                break
        else:
            break
    for j in range(i, len(run)):
        tail = run[j:]
        if run[j] in SURNAMES and 2 <= len(tail) <= 4:
            if (" ".join(tail) in places or any(t in _NOT_NAME for t in tail[1:])
                    or not all(map(_vietnamese, tail)) or _FOREIGN.fullmatch(" ".join(tail))
                    or (j >= 2 and run[j - 2:j + 1] == ["Thái", "Bình", "Dương"])):
                return None
            return j, tail
    return None


def _title_phrase(text: str, start: int) -> str:
    m = _TITLE_END.search(text, start)
    end = m.start() if m else len(text)
    if text.startswith(" tại ", end) and _VN_ENVOY.match(text, start):
        m = _TITLE_END.search(text, end + 5)      # "Đại sứ Việt Nam tại Ai Cập Trần Thành Công"
        end = m.start() if m else len(text)
    nxt = _ROLE_RE.search(text, _ROLE_RE.match(text, start).end(), end)  # type: ignore[union-attr]
    if nxt and text[start:nxt.start()].rstrip().endswith((" và", ",")):
        end = nxt.start()
    return text[start:end].strip(" –—-").strip()


def _name_in_title(title: str) -> tuple[str, str] | None:
    """"TITLE [ORG] NAME": the first capitalised run in the phrase that ends in a name."""
    for run, rstart in _cap_runs(title):
        split = _split_name(run)
        if split and split[0] == 0 and _ADMIN_BEFORE.search(title, 0, rstart):
            continue
        if split:
            j, tail = split
            offs = rstart + sum(len(t) + 1 for t in run[:j])
            return " ".join(tail), title[:offs].strip(" ,–—-")
    return None


def _is_public(title: str) -> bool:
    m = _ROLE_RE.match(title)
    if m and _VN_ENVOY.match(title):
        return True
    if not m or _FOREIGN.search(_VIET_X.sub("", title)):
        return False
    org = title[m.end():]
    if _COMPANY.search(org):
        return False
    return bool(_ALWAYS_RE.match(m.group(1)) or _PUBLIC_ORG.search(org))


def _public_context(before: str) -> bool:
    """Text before a bare role ("Phó chủ tịch NAME") names a public body, not a company."""
    return bool(_PUBLIC_ORG.search(before) and not _COMPANY.search(before)
                and not _FOREIGN.search(_VIET_X.sub("", before)))


def find_officials(units: list[str]) -> tuple[Official, ...]:
    """Officials in canonical-tone text units, in order of first mention."""
    titles: dict[str, list[str]] = {}
    short: list[tuple[str, str]] = []        # (one-word name, title) to link afterwards
    comrades: list[str] = []
    suspects: set[str] = set()
    people: list[str] = []                   # full names after ông/bà, for short mentions
    by_context: set[str] = set()             # bare role + name in a public-body context

    def add(name: str, title: str | None) -> None:
        lst = titles.setdefault(name, [])
        if title and title not in lst:
            lst.append(title)

    for text in units:
        low = text.lower()
        if len(low) != len(text):      # offsets must agree; never seen with Vietnamese text
            low = text
        for m in _SUSPECT_CUE.finditer(low):
            run = _RUN_RE.match(text, m.end())
            split = _split_name(run.group().split(" ")) if run else None
            if split and split[0] == 0 and not _word_before(low, m.start()):
                suspects.add(" ".join(split[1]))
        for m in _HONORIFIC_CUE.finditer(low):
            run = _RUN_RE.match(text, m.end())
            split = _split_name(run.group().split(" ")) if run else None
            if split and split[0] == 0 and not _word_before(low, m.start()):
                people.append(" ".join(split[1]))
                if m.group(1) == "đồng chí":
                    comrades.append(" ".join(split[1]))
        for m in _ROLE_LOW.finditer(low):
            if _word_before(low, m.start()):
                continue
            s = m.start()
            title = _title_phrase(text, s)
            named = _name_in_title(title)
            sep = None if named else _SEP_BEFORE.search(text, max(0, s - 60), s)
            if sep:   # "bà NAME – TITLE", "NAME, TITLE", "ông Trí, TITLE"
                words = sep.group(1).split()
                k = len(words)
                while k > 0 and _is_name_token(words[k - 1]):
                    k -= 1
                cap = words[k:]
                honorific = k > 0 and words[k - 1] in ("ông", "bà")
                if len(cap) == 2 and cap[0] in ("Ông", "Bà"):    # "Ông Lực, Bí thư ..."
                    cap, honorific = cap[1:], True
                split = _split_name(cap) if len(cap) >= 2 else None
                if split and _ADMIN_BEFORE.search(" ".join(words[:k]) + " "):
                    split = None          # "Bệnh viện Bạch Mai, ..." names a place
                if split and split[0] + len(split[1]) == len(cap):
                    add(" ".join(split[1]), title)
                    continue
                if len(cap) == 1 and honorific:
                    short.append((cap[0], title))
                    continue
            # "TITLE [ORG] NAME": the first capitalised run in the phrase that ends in a name
            if named:
                name, role_only = named
                add(name, role_only)
                if _ROLE_RE.fullmatch(role_only) and _public_context(text[max(0, s - 150):s]):
                    by_context.add(name)   # "UBND tỉnh ... cho biết, Phó chủ tịch NAME"
    for name, title in short:
        full = [p for p in dict.fromkeys(people + list(titles)) if p.split()[-1] == name]
        if len(full) == 1:
            add(full[0], title)
    for name in comrades:
        add(name, None)
    out = []
    for name, ts in titles.items():
        public = [t for t in ts if _is_public(t)]
        if name in suspects or not (public or name in comrades or name in by_context):
            continue
        if any(_FOREIGN.search(_VIET_X.sub("", t)) and not _VN_ENVOY.match(t) for t in ts):
            continue   # described elsewhere as a foreign country's official
        kept = tuple(t for t in ts if not any(o != t and o.startswith(t) for o in ts)
                     and (_is_public(t) or not _COMPANY.search(t)))
        first = public[0] if public else None
        role = _ROLE_RE.match(first) if first else None
        org = None
        if first and role:
            # "Trưởng Phòng LĐTB&XH" names its organisation inside the role itself
            inner = re.match(r"(?:Trưởng|Chánh|Đồn|Chỉ huy) (?=\w)", role.group(1), re.I)
            org = first[role.start(1) + inner.end() if inner else role.end():].strip() or None
        out.append(Official(nfc(name), tuple(nfc(t) for t in kept), nfc(org) if org else None))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Program:
    label: str
    aliases: tuple[str, ...]         # lower-case literals, matched on word boundaries
    keywords: tuple[str, ...]        # one must occur before the patterns are tried (speed)
    rx: re.Pattern[str] | None
    cased: re.Pattern[str] | None


@lru_cache(maxsize=1)
def _program_matchers() -> tuple[_Program, ...]:
    data = tomllib.loads(PROGRAMS_FILE.read_text("utf-8"))
    out = []
    for p in data["program"]:
        aliases = tuple(canonical_tones(a).lower() for a in p.get("aliases", []))
        patterns = [canonical_tones(x) for x in p.get("patterns", [])]
        cased = [r"(?<!\w)" + re.escape(c) + r"(?!\w)" for c in p.get("cased", [])]
        keywords = tuple(canonical_tones(k).lower() for k in p.get("keywords", []))
        out.append(_Program(p["label"], aliases, keywords,
                            re.compile("|".join(patterns)) if patterns else None,
                            re.compile("|".join(cased)) if cased else None))
    return tuple(out)


def _has_word(text: str, phrase: str) -> bool:
    i = text.find(phrase)
    while i >= 0:
        j = i + len(phrase)
        if not _word_before(text, i) and not (j < len(text) and (text[j].isalnum()
                                                                   or text[j] == "_")):
            return True
        i = text.find(phrase, i + 1)
    return False


def find_programs(text: str) -> tuple[str, ...]:
    """Programme labels mentioned in canonical-tone ``text``.

    >>> find_programs("xây dựng nông thôn mới và sản phẩm OCOP; tỷ lệ hộ nghèo giảm")
    ('Nông thôn mới', 'OCOP')
    """
    lower = text.lower()
    found = []
    for p in _program_matchers():
        if (any(_has_word(lower, a) for a in p.aliases)
                or (p.cased and p.cased.search(text))
                or (p.rx and any(k in lower for k in p.keywords) and p.rx.search(lower))):
            found.append(p.label)
    return tuple(found)


def _provinces(units: list[str]) -> tuple[str, ...]:
    hits: list[tuple[int, int, str]] = []
    for u, text in enumerate(units):
        hits.extend((u, pos, p) for p, pos in find_provinces(text, SURNAMES))
    hits.sort()
    sure = {p for _, _, p in hits if not p.startswith("?")}
    out: list[str] = []
    for _, _, p in hits:
        if p.startswith("?"):   # a district name shared by several provinces
            cands = [c for c in p[1:].split("|") if c in sure]
            p = cands[0] if len(cands) == 1 else ""
        if p and p not in out:
            out.append(p)
    return tuple(out)


def extract_entities(article: Article) -> Entities:
    """Provinces, officials and programmes of ``article`` (title, sapo, body, captions)."""
    units = [canonical_tones(nfc(t)) for t in
             (article.title, article.sapo or "", *article.paragraphs, *article.captions) if t]
    provinces = _provinces(units)
    g = gazetteer()
    p2025 = tuple(dict.fromkeys(g.short_2025[p] for p in provinces))
    return Entities(provinces, p2025, find_officials(units), find_programs("\n".join(units)))
