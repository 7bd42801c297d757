"""Undated articles: counted on the page ("Không rõ ngày"), last in both date orders, and
said to be left out when a date filter is set."""
from __future__ import annotations

import json

import pytest

from indexer import ArchiveSearcher, SearchRequest


@pytest.fixture(scope="module")
def undated_dir(tmp_path_factory):
    from indexer import ingest_paths
    folder = tmp_path_factory.mktemp("undated")
    records = folder / "mixed.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for i in range(6):
            record = {"url": f"https://khong-ro-ngay.example/bai-{i}",
                      "title": f"Hợp tác xã nông nghiệp số {i}",
                      "body": f"Hợp tác xã số {i} ở Long An mở rộng sản xuất lúa."}
            if i % 2 == 0:  # half of them dated, in different months
                record["published"] = f"2024-0{i + 1}-15"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    data = folder / "data"
    assert ingest_paths([records], data, workers=1).stored == 6
    return data


@pytest.fixture(scope="module")
def undated_client(undated_dir):
    from web import create_app
    return create_app({"DATA_DIR": str(undated_dir), "TESTING": True}).test_client()


def test_page_counts_undated_articles(undated_client):
    html = undated_client.get("/?q=hợp+tác+xã").get_data(as_text=True)
    assert "Không rõ ngày: <strong>3</strong> bài" in html  # under the timeline
    assert "Không rõ ngày: 3 bài" in html  # in the year facet
    html = undated_client.get("/?q=hợp+tác+xã&sort=newest").get_data(as_text=True)
    assert "xếp cuối, theo thứ tự nhập kho" in html


def test_date_filter_says_it_leaves_undated_out(undated_client):
    html = undated_client.get("/?q=hợp+tác+xã&from=2024-01-01").get_data(as_text=True)
    assert "<strong>3</strong> kết quả" in html
    assert "Bộ lọc ngày đã loại 3 bài không rõ ngày đăng." in html
    html = undated_client.get("/?q=hợp+tác+xã").get_data(as_text=True)
    assert "Bộ lọc ngày đã loại" not in html


def test_newest_and_oldest_differ_undated_last_in_both(undated_dir):
    s = ArchiveSearcher(undated_dir)
    try:
        newest = s.search(SearchRequest(sort="newest"))["results"]
        oldest = s.search(SearchRequest(sort="oldest"))["results"]
    finally:
        s.close()
    assert [h["published"] is None for h in newest] == [False] * 3 + [True] * 3
    assert [h["published"] is None for h in oldest] == [False] * 3 + [True] * 3
    assert [h["id"] for h in newest[3:]] == [h["id"] for h in oldest[3:]][::-1]
    assert [h["published"] for h in newest[:3]] == sorted(
        (h["published"] for h in newest[:3]), reverse=True)
