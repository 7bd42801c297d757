"""crfseg.word_tokenize must give exactly underthesea's word_tokenize output, only faster."""
from __future__ import annotations

import gzip
import json
import multiprocessing
from pathlib import Path

import pytest
from underthesea import word_tokenize as underthesea_word_tokenize
from underthesea.pipeline.word_tokenize.regex_tokenize import tokenize

from tests.conftest import shared_path
from indexer.analysis import crfseg
from indexer.analysis.analyzer import normalize, segment, sentences

# Our own sentences (not from any corpus), chosen for what trips segmenters up: names,
# numbers, dates, times, capitals, Latin words, emoji, punctuation, odd spacing.
OWN = [
    "Bác sĩ bây giờ có thể thản nhiên báo tin bệnh nhân bị ung thư",
    "Sáng 3/2/2026, lúc 10:30, UBND tỉnh Quảng Ngãi tổ chức hội nghị tổng kết chương trình "
    "mục tiêu quốc gia giảm nghèo bền vững.",
    "Ông Nguyễn Văn An, Phó Chủ tịch HĐND xã Tân Phú, cho biết giá lúa tăng 1.500 đồng/kg.",
    "CHƯƠNG TRÌNH NÔNG THÔN MỚI ĐẠT KẾT QUẢ TÍCH CỰC",
    "Đội tuyển Việt Nam thắng 2-1 trước Indonesia tại AFF Cup 😀🎉",
    "Giá xăng RON95-III giảm 320 đồng, còn 21.150 đồng/lít từ 15h ngày 12-5.",
    "Email: lienhe@baomoi.vn, website https://example.vn/tin-tuc?id=123 — xem thêm!!!",
    "TP.HCM và Hà Nội ghi nhận 2147483647 lượt, -2147483649 lượt và +42 lượt truy cập.",
    "Covid-19 khiến GDP quý I/2021 chỉ tăng 4,48%; Bộ KH&ĐT dự báo quý II khả quan hơn.",
    "“Tôi rất vui,” bà Lê Thị Hoa nói. (Ảnh: T.L)",
    "iPhone 15 Pro Max được bán tại FPT Shop, Thế Giới Di Động với giá 34.990.000đ",
    "Σίσυφος và ΣΊΣΥΦΟΣ không phải từ tiếng Việt; İstanbul cũng vậy.",
    "... !!! ??? – — “ ” ( ) [ ] { }",
    "a",
    "",
    "   ",
    "10:30",
    "3/2/2026",
    "😀",
    "Machine learning and deep learning are popular in Việt Nam",
    "HÀ NỘI - SÁNG NAY MƯA TO",
]


def vietnews_sentences(limit: int) -> list[str]:
    path = shared_path("corpus", "vietnews", "vietnews_test.jsonl.gz")
    out: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            for piece in [rec["title"], rec.get("sapo") or ""] + rec["body"].split("\n"):
                out.extend(sentences(normalize(piece)))
            if len(out) >= limit:
                return out[:limit]
    return out


def test_identical_to_underthesea_on_vietnews():
    sents = vietnews_sentences(400)
    assert len(sents) == 400
    for s in sents:
        assert crfseg.word_tokenize(s) == underthesea_word_tokenize(s), s


@pytest.mark.parametrize("sentence", OWN)
def test_identical_to_underthesea_on_own_examples(sentence):
    assert crfseg.word_tokenize(sentence) == underthesea_word_tokenize(sentence)


def test_a_very_long_sentence():
    long = ", ".join(OWN[:12]) * 20
    assert len(long) > 15_000
    assert crfseg.word_tokenize(long) == underthesea_word_tokenize(long)


def test_segments_words_and_keeps_every_token():
    words = crfseg.word_tokenize("Chương trình mục tiêu quốc gia tại Long An")
    assert "Chương trình" in words and "Long An" in words
    assert " ".join(words).split() == "Chương trình mục tiêu quốc gia tại Long An".split()


def test_features_are_underthesea_cores_features():
    """The strings our exact path scores are those underthesea_core's featurizer builds."""
    import underthesea.pipeline.word_tokenize as wt
    underthesea_word_tokenize("khởi động")
    featurizer = wt.word_tokenize_model.featurizer
    model = crfseg.load_model()
    assert model is not None
    for s in OWN + vietnews_sentences(40):
        tokens = tokenize(s, use_token_normalize=True, fixed_words=[])
        theirs = featurizer.process([[[t] for t in tokens]])[0] if tokens else []
        assert [model.features(tokens, i) for i in range(len(tokens))] == theirs, s


def test_cached_fast_path_decides_like_the_exact_sums():
    model = crfseg.load_model()
    assert model is not None
    for s in OWN + vietnews_sentences(100):
        tokens = tokenize(s, use_token_normalize=True, fixed_words=[])
        assert model.tag(tokens) == model.tag(tokens, exact=True), s


def test_viterbi_ties_go_to_the_first_label_and_the_fast_path_declines_them():
    zero = [[0.0, 0.0], [0.0, 0.0]]
    assert crfseg.viterbi([0.0] * 4, [0.0] * 4, zero) == [False] * 4
    assert crfseg.fast_viterbi([0.0] * 4, zero) is None
    assert crfseg.fast_viterbi([1.0, -1.0, 1.0], zero) == [False, True, False]


def test_unreadable_model_is_refused(tmp_path: Path):
    (tmp_path / "models.bin").write_bytes(b"not a CRFsuite model" * 10)
    with pytest.raises(ValueError):
        crfseg.CRFModel(tmp_path)


def test_falls_back_to_underthesea_when_the_model_is_unreadable(monkeypatch):
    monkeypatch.setattr(crfseg, "_model", False)
    s = "Bộ Y tế khuyến cáo người dân tiêm vắc xin"
    assert crfseg.word_tokenize(s) == underthesea_word_tokenize(s)


def _child(sentence: str) -> list[str]:
    return crfseg.word_tokenize(sentence)


def test_works_in_forked_workers():
    crfseg.word_tokenize("nạp mô hình trước khi fork")
    with multiprocessing.get_context("fork").Pool(2) as pool:
        got = pool.map(_child, OWN[:6])
    assert got == [underthesea_word_tokenize(s) for s in OWN[:6]]


def test_analysis_segment_uses_it_with_unchanged_output():
    text = normalize("\n".join(OWN[:6]))
    expected = " ".join(w.replace(" ", "_") for s in sentences(text)
                        for w in underthesea_word_tokenize(s) if w.strip())
    assert segment(text) == expected


def test_use_model_switches_backend_not_output():
    """The server segments with underthesea itself (less memory); the words are the same."""
    from underthesea import word_tokenize as reference
    sentence = "Huyện Cai Lậy học tập kinh nghiệm giảm nghèo bền vững tại Long An."
    try:
        crfseg.use_model(False)
        assert crfseg.load_model() is None
        assert crfseg.word_tokenize(sentence) == reference(sentence)
    finally:
        crfseg.use_model(True)
    assert crfseg.load_model() is not None
    assert crfseg.word_tokenize(sentence) == reference(sentence)
