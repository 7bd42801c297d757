"""Reading hostile inputs: every bad item is that item's Failure, with bounded memory,
and the items around it still come through (issue 20, points 2, 5 and 8)."""
from __future__ import annotations

import gzip
import json
import os

import pytest

from archive.sources import (FIELD_LIMITS, Failure, Limits, RawItem, RecordError,
                             article_from_record, iter_raw, to_article)
from tests.hostile import (article_html, deep_json, good_record, gzip_bomb, write_gzip_zeros,
                     write_warc)


def split(items):
    got = list(items)
    return ([i for i in got if isinstance(i, RawItem)], [f for f in got if isinstance(f, Failure)])


def test_deeply_nested_json_line_is_one_failure_and_the_run_goes_on(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_bytes(good_record(1).encode() + b"\n" + deep_json(100_000)
                     + good_record(2).encode() + b"\n")
    items, failures = split(iter_raw([path]))
    assert len(items) == 2
    assert [(f.source.rsplit(":", 1)[1], f.reason) for f in failures] == [("2", "bad-json")]
    assert "nested too deeply" in failures[0].message


def test_unpaired_surrogate_is_a_bad_field_not_a_store_crash():
    rec = json.loads('{"url": "https://a.example/1", "title": "x\\ud800", "body": "Một hai"}')
    with pytest.raises(RecordError, match="surrogate") as err:
        article_from_record(rec, "f:1")
    assert err.value.reason == "bad-field"
    rec = {"url": "https://a.example/1", "body": "Một", "authors": ["A\udc80"]}
    with pytest.raises(RecordError, match="surrogate"):
        article_from_record(rec, "f:1")


def test_a_line_over_the_limit_is_skipped_in_bounded_reads(tmp_path):
    path = tmp_path / "long.jsonl"
    long = json.dumps({"url": "https://a.example/x", "body": "x" * 3000}).encode()
    path.write_bytes(good_record(1).encode() + b"\n" + long + b"\n" + good_record(2).encode())
    items, failures = split(iter_raw([path], Limits(max_line_bytes=2048)))
    assert len(items) == 2 and [f.reason for f in failures] == ["too-large"]
    assert failures[0].source.endswith(":2") and "--max-line-mb" in failures[0].message


def test_gigabytes_without_a_newline_are_one_failure(tmp_path):
    path = write_gzip_zeros(tmp_path / "zeros.jsonl.gz", 64 << 20)
    items, failures = split(iter_raw([path], Limits(max_line_bytes=1 << 20)))
    assert items == [] and [f.reason for f in failures] == ["too-large"]


def test_page_over_the_limit_is_refused_before_cleaning(tmp_path):
    page = tmp_path / "big.html"
    page.write_bytes(article_html("Bài rất dài", extra_paragraphs=200))
    items, failures = split(iter_raw([page], Limits(max_page_bytes=10_000)))
    assert items == [] and failures[0].reason == "too-large"
    items, failures = split(iter_raw([page]))
    assert len(items) == 1 and failures == []


def test_truncated_warc_record_is_a_failure_not_a_partial_page(tmp_path):
    pages = [(f"https://thtg.vn/bai-{i}", article_html(f"Bài {i}")) for i in range(3)]
    path = write_warc(tmp_path / "cut.warc", pages, truncate_by=500)
    items, failures = split(iter_raw([path]))
    assert [i.url for i in items] == ["https://thtg.vn/bai-0", "https://thtg.vn/bai-1"]
    assert [i.payload for i in items] == [pages[0][1], pages[1][1]]
    assert [f.reason for f in failures] == ["truncated"]
    assert "bytes missing" in failures[0].message


def test_warc_record_inflating_past_the_limit_is_too_large(tmp_path):
    bomb = gzip_bomb(64 << 20)
    path = write_warc(tmp_path / "bomb.warc", [("https://thtg.vn/bom", bomb),
                                                ("https://thtg.vn/ok", gzip.compress(
                                                    article_html("Bài thường")))],
                      content_encoding="gzip")
    items, failures = split(iter_raw([path], Limits(max_page_bytes=1 << 20)))
    assert [f.reason for f in failures] == ["too-large"]
    assert [i.url for i in items] == ["https://thtg.vn/ok"]


def test_garbage_warc_is_reported(tmp_path):
    path = tmp_path / "garbage.warc"
    path.write_bytes(os.urandom(4096))
    items, failures = split(iter_raw([path]))
    assert items == [] and [f.reason for f in failures] == ["unreadable"]
    gz = tmp_path / "garbage.warc.gz"
    gz.write_bytes(b"\x1f\x8b\x08\x00" + os.urandom(4096))
    items, failures = split(iter_raw([gz]))
    assert items == [] and [f.reason for f in failures] == ["unreadable"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a folder whatever its mode")
def test_unreadable_folder_is_reported(tmp_path):
    locked = tmp_path / "in" / "locked"
    locked.mkdir(parents=True)
    (locked / "a.html").write_bytes(article_html("A"))
    locked.chmod(0)
    try:
        items, failures = split(iter_raw([tmp_path / "in"]))
    finally:
        locked.chmod(0o755)
    assert items == [] and [f.reason for f in failures] == ["unreadable"]


def test_non_utf8_file_names_are_shown_escaped(tmp_path):
    name = os.fsdecode(b"bad-\xff.html")
    (tmp_path / name).write_bytes(b"")
    items, _ = split(iter_raw([tmp_path]))
    assert [i.source for i in items] == [str(tmp_path / "bad-\\xff.html")]
    items[0].source.encode("utf-8")  # storable and printable


def test_oversized_fields_are_refused_not_cut():
    rec = {"url": "https://a.example/1", "title": "T" * (FIELD_LIMITS["title"] + 1),
           "body": "Một hai ba"}
    with pytest.raises(RecordError, match="title is") as err:
        to_article(RawItem("f:1", "json", rec))
    assert err.value.reason == "field-too-long"


@pytest.mark.parametrize("published", ["0001-01-01", "9999-12-31T00:00:00"])
def test_implausible_dates_are_refused(published):
    rec = {"url": "https://a.example/1", "body": "Một hai", "published": published}
    with pytest.raises(RecordError, match="plausible"):
        article_from_record(rec, "f:1")


def test_article_text_over_the_cap_is_refused_before_segmentation():
    rec = {"url": "https://a.example/1", "title": "Dài",
           "body": ("Một câu rất dài. " * 1000 + "\n") * (FIELD_LIMITS["text"] // 17000 + 1)}
    with pytest.raises(RecordError, match="text is") as err:
        to_article(RawItem("f:1", "json", rec))
    assert err.value.reason == "field-too-long"
