"""The pattern tables of entity extraction, as data (used by ``indexer.entities.extract``):
surnames, titles and roles, organisation kinds, and the cue words around a name."""
from __future__ import annotations

import re

from archive.textnorm import canonical_tones

__all__ = ["APPOINTING_WORDS", "APPOINTED_BEFORE", "UNIT_AFTER", "PLURAL_CUE", "LIST_SEP", "SUCCESSOR", "HONORIFIC_NO_SEP", "NAME_END_OK", "TITLE_START", "SURNAMES", "BARE_PUBLIC", "ETHNIC_PREFIX", "FOREIGN_AFTER", "STAFF_CUE", "ADMIN_BEFORE", "ASSEMBLY", "AGE_OPEN", "UNIT_ROLE", "DEPUTY", "MAJOR_SURNAMES", "TITLE_THEN_PERSON", "INSTITUTION_IN_RUN", "ASIDE", "DOTTED", "GAZETTEER_LEVEL", "SHORT_AFTER_ROLE", "ALWAYS", "ALWAYS_RE", "COMPANY", "FOREIGN", "HONORIFICS", "HONORIFIC_CUE", "NOT_NAME", "OTHER", "PUBLIC_ORG", "RANKS", "ROLE_LOW", "ROLE_RE", "RUN", "RUN_RE", "SEP_BEFORE", "SUSPECT_CUE", "SYLLABLE", "TITLE_END", "TOKEN", "VIET_X", "VN_ENVOY"]


# Tây Nguyên names open with a gender or clan prefix ("Y Mốt", "H' Bia Niê", "Ksor Phước"); the
# syllables after it need not be Vietnamese ones ("Niê", "Kđăm").
ETHNIC_PREFIX = frozenset(("Y", "H'", "H’", "K'", "K’", "Ksor", "Rơ", "Siu", "Nay", "Kpă", "Rah"))
# Vietnamese surnames (incl. common ethnic-minority ones).  Words that usually start an
# organisation or place ("Văn" phòng, "Công" an, "Đồng" Nai, "Kim") are left out on purpose.
SURNAMES = frozenset(canonical_tones(s) for s in """
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Đinh Lâm Mai
Trịnh Trương Cao Hà Lương Tạ Tô Tôn Chu Châu Quách Lưu Kiều Hứa Vương Thái Lại Mạc Nghiêm Diệp
Hầu Khúc Lò Lục Mã Nông Ông Phí Sầm Thân Thạch Triệu Từ Vi Âu Bạch Bế Cù Cầm Đàm Đậu Điểu
Doãn Giáp Hàn Hạ Kha Khổng Khương Lã Lạc Lầu Lỗ Lộc Lù Mẫn Mông Nhữ Nhâm Phùng Quản Sùng Giàng
Vàng Thào Tăng Thiều Tòng Trình Ung Ưng Vòng Viên Tiêu Thang Ngọ Mạnh Y Chế Cấn Chử Dư Đồ
Đường Giả Hoa Khuất Khâu Lạng Lường Mè Ma Ninh Phương Quàng Sơn Thiệu Vy Xa
Tống Lô Bàn Lữ Tào Thịnh Ôn Đổng Mạch Nhan Bành Mùa Vừ Hờ Tẩn Chảo Phàn Sình Lư
Tráng Hạng Lồ Chá Lự Khằm Chau Danh
""".split()) | ETHNIC_PREFIX

# Roles.  ALWAYS: public whatever follows.  OTHER: public only with a public organisation.
RANKS = r"(?:Đại|Thượng|Trung|Thiếu) (?:tướng|tá|úy|uý)"
ALWAYS = (r"Tổng Bí thư|Chủ tịch nước|Thủ tướng(?: Chính phủ)?|Bộ trưởng|Thứ trưởng|Bí thư"
           r"|Ủy viên|Uỷ viên|Đại biểu Quốc hội|ĐBQH|Chánh án|Cục trưởng|Vụ trưởng"
           r"|Tổng cục trưởng|Chi cục trưởng|Chánh Văn phòng|Chánh Thanh tra|Tư lệnh|Chính ủy"
           r"|Chính uỷ|Người phát ngôn|Trưởng Công an|Đồn trưởng|Chỉ huy trưởng|Trưởng thôn"
           r"|Trưởng ấp|Trưởng bản|Trưởng khu phố|Kiểm sát viên|Kiểm lâm viên|Hạt trưởng|Thanh tra viên|Thẩm phán|Điều tra viên|"
           + RANKS)
OTHER = (r"Chủ tịch|Giám đốc|Trưởng ban|Trưởng phòng|Hiệu trưởng|Viện trưởng|Đội trưởng"
          r"|Chủ nhiệm|Tổng Thư ký|Trưởng đoàn|Trưởng Đoàn|Trưởng khoa|Trưởng trạm|Chủ trì"
          r"|Đại sứ|Tổng Lãnh sự|Trưởng|Đại biểu|cán bộ|chiến sĩ|công chức|viên chức|Kiểm dịch viên"
          r"|Thống đốc|Trạm trưởng")
ROLE_RE = re.compile(
    r"(?<!\w)(?:(?:nguyên|cựu|Nguyên|Cựu|Quyền|quyền) )?(?:(?:Phó|phó) )?(?:(?:Tổng|tổng) )?"
    r"(" + ALWAYS + "|" + OTHER + r")(?!\w)", re.IGNORECASE)
# Vietnam's own envoys abroad are officials; "Đại sứ Mỹ" is not.
VN_ENVOY = re.compile(r"(?:(?:nguyên|cựu) )?(?:Phó )?(?:Đại sứ|Tổng Lãnh sự)(?: đặc mệnh toàn quyền)? (?:nước )?"
                       r"(?:CHXHCN )?Việt Nam", re.IGNORECASE)
# "Bệnh viện Việt Đức", "Trung tâm ... Việt Nhật" are Vietnamese bodies, not foreign ones.
VIET_X = re.compile(r"Việt\s*[-–]?\s*(?:Nhật|Đức|Pháp|Nga|Anh|Hàn|Mỹ|Xô|Trung|Lào|Úc|Bỉ)")
# The same roles for lower-cased text, without look-behind (checked by hand): much faster
# than an IGNORECASE scan over a whole article.
ROLE_LOW = re.compile(ROLE_RE.pattern.lower().replace("(?<!\\w)", "", 1))
ALWAYS_RE = re.compile(r"^(?:" + ALWAYS + r")$", re.IGNORECASE)
PUBLIC_ORG = re.compile(
    r"(?<!\w)(?:UBND|HĐND|UBMTTQ|MTTQ|Ủy ban|Uỷ ban|ủy ban|Hội đồng nhân dân|Quốc hội|nước|Sở|sở"
    r"|Bộ|bộ|Cục|cục|Công an|công an|CA|tỉnh|huyện|xã|phường|thị trấn|thị xã|thành phố|TP|quận"
    r"|Tỉnh ủy|Tỉnh uỷ|Thành ủy|Thành uỷ|Huyện ủy|Huyện uỷ|Đảng|đảng|Ban|Phòng|Bệnh viện|BV"
    r"|Trung tâm|Trường|trường|Đại học|viện|Học viện|Viện|Tòa|Toà|TAND|VKSND|Kho bạc|BHXH"
    r"|Bảo hiểm xã hội|Thanh tra|Văn phòng|Đài|Hội|Liên đoàn|Đoàn|Mặt trận|Chính phủ|Nhà nước"
    r"|Quân khu|Quân đội|Bộ đội|Biên phòng|Cảnh sát|CSGT|Cảng vụ|BQL|Hải quan|Cục Thuế|Kiểm lâm"
    r"|Quản lý thị trường|Chính sách xã hội|NHCSXH|thôn|ấp|bản|khu phố|Đội|Trạm|Chi cục"
    r"|Tổng cục|PC\d+|Phân viện|Ủy|ủy|Trung ương|TƯ|TW|Tuyên giáo|Dân vận|Nội chính|TTGT|đội TTGT|Thanh tra giao thông)(?!\w)")
COMPANY = re.compile(
    r"(?<!\w)(?:công ty|Công ty|CTCP|Cty|cty|tập đoàn|Tập đoàn|HĐQT|Hội đồng quản trị"
    r"|hội đồng quản trị|TNHH|doanh nghiệp|Ngân hàng(?! Chính sách| Nhà nước)|ngân hàng(?! Nhà nước)|Tổng công ty"
    r"|Group|JSC|Corp|cổ phần|quỹ đầu tư|hãng|Hãng|thương hiệu|CLB|câu lạc bộ|Câu lạc bộ"
    r"|FC|Ban quản trị|ban quản trị|khách sạn|nhà hàng|Bank|Holdings|Hợp tác xã|hợp tác xã|HTX)(?!\w)")
FOREIGN = re.compile(
    r"(?<!\w)(?:Mỹ(?! (?:thuật|phẩm|nghệ|[A-ZĐ]))|Hoa Kỳ|Trung Quốc|Nga(?! [A-ZĐ])|Pháp(?! (?:luật|lý|chế|quyền|lệnh|nhân|y|[A-ZĐ]))|Anh(?! [A-ZĐ])|Đức(?! [A-ZĐ])|Nhật|Nhật Bản|Hàn Quốc|Triều Tiên|Lào"
    r"|Campuchia|Thái Lan|Singapore|Malaysia|Indonesia|Philippines|Ấn Độ|Úc|Australia|Canada"
    r"|Israel|Iran|Ukraine|EU|Liên hợp quốc|LHQ|Myanmar|Cuba|Đài Loan|Hồng Kông|Hong Kong|WHO"
    r"|IMF|ASEAN|NATO|Italy|Tây Ban Nha|Brazil|Venezuela|Syria|Iraq|Thổ Nhĩ Kỳ|Ai Cập"
    r"|Saudi|New Zealand|Hà Lan|Bỉ|Thụy Điển|Mông Cổ|Bắc Kinh|Washington|Moscow|Tokyo|Seoul"
    r"|Paris|London|Bình Nhưỡng|Thái Bình Dương|Quốc vụ viện|Interpol|Thượng Hải|Quảng Tây"
    r"|Vân Nam|Tứ Xuyên|Phúc Kiến|Tân Cương|Tây Tạng|Trùng Khánh)(?!\w)")
# The title phrase ends at punctuation (abbreviations in brackets such as "(LĐTB&XH)" stay),
# at a verb or connective that starts the rest of the sentence, or at the next person.
TITLE_END = re.compile(
    r"[,;:“”\"?!…]|\((?![A-ZĐ&0-9.\- ]+\))|(?<![A-ZĐ&0-9.])\)|(?<![A-ZĐ])\.(?:\s|$)"
    r"|\s(?:cho biết|cho rằng|cho hay|thông báo|nhận định|chỉ đạo|phản ánh|lý giải|tiết lộ"
    r"|tâm sự|kể|trao đổi|nhận xét|cảnh báo|khuyến cáo|nhắc|quyết định|bác bỏ|giới thiệu"
    r"|khai|gồm|nói|nhấn mạnh|khẳng định|đã|đang|sẽ"
    r"|làm|phát biểu|chia sẻ|thông tin|yêu cầu|đề nghị|trao|tặng|kiểm tra|tiếp|dự|cùng|thăm"
    r"|trả lời|báo cáo|ký|được|bị|là|có|không|vừa|tại|khi|trong|với|để|thì|mà|này|nêu"
    r"|đánh giá|lưu ý|giải thích|ghi nhận|chủ trì|đến|dẫn|mong|kêu gọi|thừa nhận|xác nhận"
    r"|cũng|lại|vẫn|hướng dẫn|đồng thời|ông|bà|trực tiếp|hoặc|nhận|gửi|đọc|công bố|bày tỏ|hỏi"
    r"|tham dự|họp|chúc|động viên|phân tích|đề xuất|trình bày|lên|ra|và các|và đại diện"
    r"|cùng các|kiêm nhiệm|từng|hiện|vào|từ|ngày|sáng|chiều|tối|năm|lúc|thời|người|thay)(?!\w)")
SEP_BEFORE = re.compile(
    r"(?:^|[^\w'’])((?:\w+['’]?\s+){0,5}\w+)\s*(?:[–—-]|,|\()\s*"
    r"(?:nguyên |cựu |hiện là |là |đương kim |(?:lúc|khi|thời điểm) (?:này|đó|ấy) là )?$")
# A name right after these is a place or an institution named after a person ("phường Bạch
# Đằng", "Trường tiểu học Nguyễn Thị Minh Khai"), not the official.
ADMIN_BEFORE = re.compile(
    r"(?<!\w)(tỉnh|huyện|quận|thị xã|thành phố|phường|xã|thị trấn|thôn|ấp|bản|TP\.?|TX\.?"
    r"|đường|phố|Phường|Xã|Quận|Huyện|Tỉnh|Trường|trường|tiểu học|THCS|THPT|mầm non|Tiểu học"
    r"|Bệnh viện|bệnh viện|Bảo tàng|bảo tàng|Đại học|đại học|Học viện|Quỹ|Giải|cầu|Cầu"
    r"|Khu|khu|Nhà văn hóa|Lăng|lăng|tư tưởng|Cụm|cụm|Chi đội|Liên đội|Đội|Cao đẳng|BV"
    r"|giải thưởng|học bổng|Cúp|Huân chương|Hội đồng giải thưởng|Nhà hát|Sân vận động) $",
    re.IGNORECASE)
NOT_NAME = frozenset(canonical_tones(w) for w in (
    "Sở Bộ Ban Phòng Cục Tỉnh Huyện Quận Phường Đảng Ủy Uỷ Hội Viện Bệnh Tổng Chủ Phó "
    "Trưởng Giám Bí Thủ Người Tại Theo Ngày Sáng Chiều Tối Khi Sau Với Các Những Ông Bà Tòa "
    "Toà Thôn Ấp UBND HĐND Cty Nhà Đài Báo Đội Trạm Kho").split())
TOKEN = re.compile(r"\w+")
# NOT_NAME words that are also given names, so may close a name of three words or more.
NAME_END_OK = frozenset(canonical_tones(w) for w in "Viện Hội Đài Đảng Ban Phòng Đội Kho Trạm".split())
# Capitalised words that open a title: a run "Lê Văn Khoa Chánh" is the name then the title.
TITLE_START = frozenset(canonical_tones(w) for w in
                        "Chánh Phó Chủ Giám Bí Thủ Trưởng Tổng Bộ Cục Vụ Thiếu Thứ".split())


def _letters(upper: bool) -> str:
    return "".join(c for c in map(chr, range(0x41, 0x1EFA))
                   if c.isalpha() and (c.isupper() if upper else c.islower()) and c.isascii()
                   or (ord(c) >= 0xC0 and c.isalpha() and (c.isupper() if upper else c.islower())))


_U, _L = _letters(True), _letters(False)
# A run of capitalised words ("Long An Nguyễn Văn Út"); words in capitals ("UBND") end it.
_TOK = f"[{_U}][{_L}]*(?:['’][{_U}]?[{_L}]*)?"
RUN = f"{_TOK}(?: {_TOK})*(?![\\w])"
RUN_RE = re.compile(r"(?<![\w])" + RUN)
# Cues are found in the lower-cased text (same offsets), the name in the original.
HONORIFIC_CUE = re.compile(r"(ông|bà|đồng chí) ")
SUSPECT_CUE = re.compile(
    r"(?:bị can|bị cáo|đối tượng|nghi phạm|nghi can|bị hại|nạn nhân|phạm nhân|tử tù|truy nã"
    r"|thi thể|tên|kẻ|bắt giữ|bắt tạm giam|khởi tố|tạm giữ) (?:(?:ông|bà|anh|chị) )?")
# "Ông Lê Văn Khoa Chánh văn phòng ...": a title straight after "ông/bà NAME", no comma.
HONORIFIC_NO_SEP = re.compile(r"(?:^|[^\w'’])((?:ông|bà|Ông|Bà) (?:\w+['’]?\s){1,3}\w+)\s$")
# "ông NAME được bầu giữ chức TITLE", "ông NAME là TITLE": appointed to, or holding, the title.
APPOINTED_BEFORE = re.compile(
    r"(?:^|[^\w'’])((?:\w+['’]?\s+){0,5}?\w+)\s(?:được (?:bầu|bổ nhiệm|phân công|điều động|cử)"
    r"(?: làm| giữ chức(?: vụ)?| giữ| vào chức(?: vụ)?| chức)?|giữ chức(?: vụ)?"
    r"|đảm (?:nhận|nhiệm)(?: chức(?: vụ)?)?|là)\s$")
# The last words APPOINTED_BEFORE can end with (a cheap test before the regex).
APPOINTING_WORDS = frozenset("là làm giữ chức vụ bầu nhiệm nhận công động cử".split())
# "Đại biểu NAME" written with a capital is a deputy (National Assembly or People's Council).
BARE_PUBLIC = re.compile(r"(?:Đại biểu|ĐB)(?: HĐND| Quốc hội)?")
# An open aside giving the age first: "ông NAME (46 tuổi, chủ tịch UBND xã ...)".
AGE_OPEN = re.compile(r"\(\s*(?:(?:SN\s*)?\d+\s*tuổi|SN\s*\d{4})\s*[,;]\s*$")
# Roles that carry their unit's kind ("Trưởng phòng Tài nguyên"): public when the sentence
# around names a public body and no company.
UNIT_ROLE = re.compile(r"(?:Phó )?(?:Trưởng|Phó) (?:phòng|ban|khoa|trạm)|Đội trưởng|Phó phòng|cán bộ"
                       r"|chiến sĩ", re.IGNORECASE)
# "TITLE, ông NAME": the title phrase stops at the comma, the person follows it.
TITLE_THEN_PERSON = re.compile(r"\s*(?:,|là|:)\s*(?:ông|bà|đồng chí) (?=[A-ZĐ])")
# "đại biểu NAME (Bình Thuận)": a deputy named with the delegation's province.
ASSEMBLY = re.compile(r"Quốc hội|ĐBQH|HĐND|Hội đồng nhân dân")
DEPUTY = re.compile(r"(?:đại biểu|ĐB)$", re.IGNORECASE)
# The surnames common enough that a four-word run "Sơn Trương Văn An" starts at them.
MAJOR_SURNAMES = frozenset(canonical_tones(s) for s in
                           "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Ngô Trương Hồ Đinh Dương".split())
# "cán bộ, chiến sĩ Công an huyện X gồm A, B và C": a unit's staff listed by name.
STAFF_CUE = re.compile(
    r"(?<!\w)(?:cán bộ|chiến sĩ|cảnh sát|công an viên|kiểm lâm viên|bộ đội)(?!\w)"
    r"([^.;:!?()]{0,90}?)\s(?:gồm(?: có)?|là|gồm các đồng chí)\s*:?\s*")
# "kiểm dịch viên NAME (Chi cục Chăn nuôi và thú y Đồng Nai)": the unit in brackets after a name.
UNIT_AFTER = re.compile(r"\s*\(([^()]{3,80})\)")
# "các ông A, B, nguyên Phó chủ tịch ...": several people given one title.
PLURAL_CUE = re.compile(r"(?<!\w)(?:[Cc]ác|[Hh]ai|[Bb]a|[Bb]ốn|[Nn]ăm) (?:ông|bà|đồng chí|bị cáo|bị can) (?=[A-ZĐ])")
LIST_SEP = re.compile(r"\s*(?:,|và|;)\s*(?:ông |bà )?")
# "..., thay (thế) ông NAME nghỉ hưu": the office's former holder, named after the office.
SUCCESSOR = re.compile(r"(?<!\w)thay (?:thế )?(?:cho )?(?:ông|bà|đồng chí) (?=[A-ZĐ])")
# "tỉnh Hà Nam, Trung Quốc": a province name followed by a foreign country is that country's.
FOREIGN_AFTER = re.compile(r"\s*(?:,\s*|\(\s*)(?:Trung Quốc|Lào|Campuchia|Hàn Quốc|Nhật Bản|Thái Lan"
                           r"|Mỹ|Đài Loan|Myanmar|Indonesia|Philippines|Malaysia)(?!\w)")
# An aside between a name and its title: "ông Trần Văn Bảy (48 tuổi), Phó chủ tịch ...".
ASIDE = re.compile(r"\s*\([^()]{1,40}\)(?=\s*[,–—-])")
# The admin levels the gazetteer lists every name of (see ``officials._names_a_place``).
GAZETTEER_LEVEL = re.compile(r"tỉnh|huyện|quận|thị xã|thành phố|TP\.?|TX\.?", re.IGNORECASE)
# Capitalised words that make the name after them a place's or an institution's.
INSTITUTION_IN_RUN = frozenset(("Trường", "Phường", "Xã", "Đường", "Phố", "Cầu", "Lăng", "Giải",
                                "Quỹ", "Cúp", "Viện", "Chùa", "Đền"))
# A capitalised word glued to a dot and more letters is a brand or domain ("Co.op", "Co. op").
DOTTED = re.compile(r"\. ?[a-zđ]")
# "Phó Chủ tịch Búp": a role followed by one name syllable, linked to the full name later.
SHORT_AFTER_ROLE = re.compile(r".*\s([A-ZĐ][a-zà-ỹđ]+)$", re.DOTALL)
HONORIFICS = frozenset(("Ông", "Bà", "Anh", "Chị", "Đồng", "Cô", "Chú", "Bác", "Em"))


SYLLABLE = re.compile(r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
                       r"[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?")
