"""A stored row's entities are read without decoding the rest of its analysis, and always
equal the whole analysis's."""
from __future__ import annotations

import json
import zlib

import pytest

from archive.article import Article
from archive.stored import StoredArticle, decode_analysis, encode_analysis, read_member

ENTITIES = {"provinces": ["Tiền Giang"], "programs": ["giảm nghèo bền vững"],
            "officials": [{"name": "Nguyễn Văn Vĩnh", "titles": ["Phó Chủ tịch UBND tỉnh"]}]}
# an analysis as large as a long article's: the segmented text and its views
ANALYSIS = {"v": 1, "ev": 12, "seg": ["Đoàn công_tác tỉnh Tiền_Giang học_tập"] * 3000,
            "entities": ENTITIES, "views": {"fold": "doan cong tac " * 4000}, "vf": 1.5}


def test_entities_are_written_first_and_read_alone():
    blob = encode_analysis(ANALYSIS)
    assert decode_analysis(blob) == ANALYSIS
    assert next(iter(json.loads(zlib.decompress(blob)))) == "entities"
    assert read_member(blob, "entities") == ENTITIES
    assert read_member(blob, "vf") == 1.5  # the last member, a number at the very end
    assert read_member(blob, "missing", {}) == {}


@pytest.mark.parametrize("order", [("v", "ev", "seg", "entities", "views", "vf"),
                                   ("seg", "views", "vf", "entities")])
def test_rows_written_before_the_reorder_read_the_same(order):
    # a blob of an older writer: entities after the large members, chunk boundaries inside
    # Vietnamese letters (several bytes each in UTF-8)
    blob = zlib.compress(json.dumps({k: ANALYSIS[k] for k in order},
                                    ensure_ascii=False, indent=1).encode(), 6)
    assert read_member(blob, "entities") == ENTITIES
    assert read_member(blob, "v") == (1 if "v" in order else None)


@pytest.mark.parametrize("text", ['[1, 2]', '{"entities": ', '{"a" 1}', '"x"'])
def test_damaged_or_odd_blobs_answer_as_the_whole_decode_does(text):
    blob = zlib.compress(text.encode())
    try:
        expected = json.loads(text)
        expected = expected.get("entities") if isinstance(expected, dict) else AttributeError
    except ValueError:
        expected = ValueError
    if expected in (ValueError, AttributeError):
        with pytest.raises(expected):
            read_member(blob, "entities")
    else:
        assert read_member(blob, "entities") == expected


def test_a_row_decodes_its_analysis_only_when_asked():
    blob = encode_analysis(ANALYSIS)
    row = StoredArticle(7, Article(url="https://thtg.vn/a", site="thtg.vn", title="Giảm nghèo",
                                    paragraphs=("Đoàn công tác học tập.",)),
                        None, None, blob)
    assert row._analysis is None
    assert row.entities == ENTITIES and row._analysis is None
    assert row.analysis == ANALYSIS and row.entities == ENTITIES
    assert StoredArticle(8, row.article, None, None).entities == {}


def test_the_layout_tells_rows_written_before_entities_came_first():
    assert StoredArticle(1, None, None, None, encode_analysis(ANALYSIS)).laid_out
    old = zlib.compress(json.dumps(ANALYSIS, ensure_ascii=False).encode())
    assert not StoredArticle(1, None, None, None, old).laid_out
    assert StoredArticle(1, None, None, None).laid_out  # nothing stored: nothing to redo
