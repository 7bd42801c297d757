"""Word-level diff of article versions, on Vietnamese text."""
import unicodedata

from archive.textdiff import article_diff, paragraph_diff, word_diff, words


def sides(segments):
    old = "".join(t for op, t in segments if op != "+")
    new = "".join(t for op, t in segments if op != "-")
    return old, new


def test_a_changed_figure_marks_one_word():
    d = word_diff("UBND tỉnh hỗ trợ 100 hộ nghèo.", "UBND tỉnh hỗ trợ 120 hộ nghèo.")
    assert d == [("=", "UBND tỉnh hỗ trợ "), ("-", "100 "), ("+", "120 "), ("=", "hộ nghèo.")]


def test_a_tone_mark_change_is_one_word_and_sides_rebuild_both_texts():
    old, new = "Ông Nguyễn Văn Hoà phát biểu.", "Ông Nguyễn Văn Hòa phát biểu tại hội nghị."
    d = word_diff(old, new)
    assert ("-", "Hoà ") in d and ("+", "Hòa ") in d
    assert ("+", "tại hội nghị") in d
    rebuilt_old, rebuilt_new = sides(d)
    assert rebuilt_new == new and rebuilt_old.replace(" ", "") == old.replace(" ", "")


def test_decomposed_input_equals_composed():
    nfd = unicodedata.normalize("NFD", "Giảm nghèo bền vững")
    assert word_diff(nfd, "Giảm nghèo bền vững") == [("=", "Giảm nghèo bền vững")]
    assert words("Thủ tướng, 2024") == ["Thủ ", "tướng", ", ", "2024"]


def test_frequent_words_are_not_treated_as_junk():
    # difflib's autojunk would ignore "và" in a long text and misalign the rest
    base = " ".join(["cán bộ và người dân"] * 60)
    d = word_diff(base + " đồng lòng", base + " nhất trí")
    assert d == [("=", base + " "), ("-", "đồng lòng"), ("+", "nhất trí")]


def test_paragraphs_aligned_edits_inside_deletions_and_insertions_whole():
    old = ["Sáng 5/3, tỉnh tổ chức hội nghị.", "Ông A phát biểu chỉ đạo.", "Đoạn bị gỡ bỏ hoàn toàn."]
    new = ["Sáng 5/3, tỉnh tổ chức hội nghị.", "Ông B phát biểu chỉ đạo.",
           "Một đoạn mới được thêm vào cuối bài."]
    d = paragraph_diff(old, new)
    assert d[0] == [("=", old[0])]
    assert ("-", "A ") in d[1] and ("+", "B ") in d[1]
    assert [("-", old[2])] in d and [("+", new[2])] in d


def test_article_diff_covers_headline_sapo_paragraphs():
    a = {"title": "Hỗ trợ người dân vùng lũ", "sapo": None, "paragraphs": ["Một.", "Hai."]}
    b = {"title": "Hỗ trợ khẩn cấp người dân vùng lũ", "sapo": "Tóm tắt mới.",
         "paragraphs": ["Một.", "Hai."]}
    d = article_diff(a, b)
    assert d["changed"] and ("+", "khẩn cấp ") in d["title"]
    assert d["sapo"] == [("+", "Tóm tắt mới.")]
    assert all(p[0][0] == "=" for p in d["paragraphs"])
    assert article_diff(a, a)["changed"] is False
