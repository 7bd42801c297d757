"""Acceptance: re-ingesting or re-crawling a url keeps every distinct capture.

Real parts: pages ingested from files, a JSON Lines file, the local crawl site on
127.0.0.1, the Flask app over the resulting data dir, and the live index."""
from __future__ import annotations

import time
from pathlib import Path

from click.testing import CliRunner

from archive.datadir import DataDir
from archive.store import Store
from indexer import ingest_paths
from vnarchive_cli import cli

from tests.crawlsite import CrawlSite, Site
from tests.querying import total

URL = "https://bao-thu.example/tin/ho-tro-ho-ngheo.html"
PARAS = ["Sáng 5/3, UBND huyện Tân Trụ tổ chức hội nghị tổng kết chương trình giảm nghèo "
         "bền vững giai đoạn 2021–2025 với sự tham gia của cán bộ các xã trong huyện.",
         "Theo báo cáo, trong năm qua huyện đã hỗ trợ 100 hộ nghèo xây nhà mới, cấp thẻ bảo "
         "hiểm y tế cho người dân và mở nhiều lớp dạy nghề miễn phí cho lao động nông thôn.",
         "Ông Nguyễn Văn Hoà, Chủ tịch UBND huyện, đề nghị các xã tiếp tục rà soát hộ cận "
         "nghèo để có giải pháp hỗ trợ kịp thời trong thời gian tới."]


def page(paragraphs: list[str], title: str = "Huyện Tân Trụ hỗ trợ hộ nghèo") -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>'
            f'<link rel="canonical" href="{URL}"><meta property="og:title" content="{title}">'
            f'<meta property="article:published_time" content="2025-03-05T09:00:00+07:00">'
            f"</head><body><article><h1>{title}</h1>{body}</article></body></html>").encode()


def ingest_page(tmp: Path, data: Path, html: bytes, name: str):
    src = tmp / name
    src.write_bytes(html)
    return ingest_paths([src], data, workers=1)


def client(data: Path):
    from web import create_app
    return create_app({"DATA_DIR": str(data), "TESTING": True}).test_client()


def test_changed_reingest_keeps_both_versions_and_shows_the_diff(tmp_path):
    data = tmp_path / "data"
    assert ingest_page(tmp_path, data, page(PARAS), "v1.html").added == 1
    edited = [PARAS[0], PARAS[1].replace("100 hộ nghèo", "120 hộ nghèo"),
              PARAS[2].replace("Hoà", "Hòa") + " Hội nghị kết thúc lúc 11 giờ."]
    report = ingest_page(tmp_path, data, page(edited), "v2.html")
    assert (report.added, report.replaced, report.unchanged) == (0, 1, 0), report.to_dict()

    c = client(data)
    aid = c.get("/api/search", query_string={"q": "Tân Trụ"}).get_json()["results"][0]["id"]
    versions = c.get(f"/api/articles/{aid}/versions").get_json()["versions"]
    assert [(v["version"], v["current"]) for v in versions] == [(1, False), (2, True)]
    v1 = c.get(f"/api/articles/{aid}/versions/1").get_json()
    assert v1["paragraphs"] == PARAS and v1["title"] == "Huyện Tân Trụ hỗ trợ hộ nghèo"
    assert c.get(f"/api/articles/{aid}").get_json()["paragraphs"] == edited
    # the index holds the latest version only: one document, with the new words
    assert total(data, "120 hộ nghèo") == 1 and total(data, '"100 hộ nghèo"') == 0
    assert total(data, "") == 1

    html = c.get(f"/articles/{aid}").get_data(as_text=True)
    assert "Các phiên bản đã lưu" in html and f"/articles/{aid}/versions/1" in html
    diff = c.get(f"/articles/{aid}/diff?a=1&b=2").get_data(as_text=True)
    assert "<del>100 </del><ins>120 </ins>" in diff
    assert "<del>Hoà</del><ins>Hòa</ins>, Chủ tịch" in diff
    assert "<ins>Hội nghị kết thúc lúc 11 giờ.</ins>" in diff
    old_page = c.get(f"/articles/{aid}/versions/1").get_data(as_text=True)
    assert "phiên bản 1" in old_page and "100 hộ nghèo" in old_page
    assert c.get(f"/articles/{aid}/versions/9").status_code == 404
    assert c.get(f"/articles/{aid}/diff?a=1&b=9").status_code == 404
    raw1 = c.get(f"/articles/{aid}/versions/1/raw")
    assert raw1.status_code == 200 and b"100 h\xe1\xbb\x99 ngh\xc3\xa8o" in raw1.data
    assert "sandbox" in raw1.headers["Content-Security-Policy"]


def test_unchanged_reingest_keeps_one_version_and_updates_last_seen(tmp_path):
    data = tmp_path / "data"
    ingest_page(tmp_path, data, page(PARAS), "a.html")
    with Store(DataDir(data).store) as store:
        (before,) = store.versions(1)
    time.sleep(1.1)  # capture times have one-second resolution
    report = ingest_page(tmp_path, data, page(PARAS), "b.html")
    assert (report.added, report.replaced, report.unchanged) == (0, 0, 1), report.to_dict()
    with Store(DataDir(data).store) as store:
        (after,) = store.versions(1)
    assert after.fetched == before.fetched and after.last_seen > before.last_seen
    assert after.seen == 2
    assert total(data, "") == 1


def test_a_crawl_that_fetches_a_changed_page_adds_a_version(tmp_path):
    data = tmp_path / "data"
    args = ["--data-dir", str(data), "--delay", "0", "--profiles", str(tmp_path / "none"),
            "--contact-url", "https://example.org/test"]
    with CrawlSite(Site(faults=False)) as site:
        r = CliRunner().invoke(cli, ["crawl", site.url("/"), *args])
        assert r.exit_code == 0, r.output
        with Store(DataDir(data).store) as store:
            first = {row.article.url: row for row in store.iter_all()}
        # the site edits one article: a word in a body paragraph changes
        path, body = next((p, b) for p, b in sorted(site.site.articles.items())
                          if "giảm nghèo".encode() in b)
        site.site.articles[path] = body.replace("giảm nghèo".encode(), "xoá nghèo".encode())
        # the crawler does not revisit archived articles by itself: a new frontier does
        DataDir(data).frontier.unlink()
        r = CliRunner().invoke(cli, ["crawl", site.url("/"), *args])
        assert r.exit_code == 0, r.output
    with Store(DataDir(data).store) as store:
        assert store.count() == len(first)
        counts = {row.article.url: len(store.versions(row.id)) for row in store.iter_all()}
        changed = [u for u, n in counts.items() if n == 2]
        assert len(changed) == 1 and set(counts.values()) == {1, 2}, counts
        aid = first[changed[0]].id
        v1, v2 = store.versions(aid)
        assert v2.current and v2.warc_record_id and v2.warc_record_id.startswith("<urn:uuid:")
        assert v1.warc_record_id and v1.warc_record_id != v2.warc_record_id
        assert v2.fetched > v1.fetched
        assert "xoá nghèo" in " ".join(v2.article.paragraphs)
        assert "xoá nghèo" not in " ".join(v1.article.paragraphs)
        # every other article was seen again, unchanged
        others = [store.versions(r.id)[0] for u, r in first.items() if u != changed[0]]
        assert all(v.seen == 2 and v.last_seen > v.fetched for v in others)
    assert total(data, '"xoá nghèo"') == 1
