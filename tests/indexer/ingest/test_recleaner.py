"""reclean re-derives every version from its raw page, rewrites only what changed, re-indexes
changed current versions and reports them; the captures themselves stay as they were."""
from __future__ import annotations

import json

from archive.datadir import DataDir
from archive.store import Store
from indexer import ingest_paths
from indexer.ingest.recleaner import reclean
from tests.querying import total

URL = "https://bao-thu.example/tin/tranh-chap.html"
P1 = ("Tòa án nhân dân tỉnh đã xét xử vụ tranh chấp hợp đồng tín dụng giữa ngân hàng và "
      "doanh nghiệp, với sự tham gia của đại diện các bên liên quan và luật sư.")
P2 = ("Sau phiên xử, hai bên đã thống nhất phương án trả nợ trong thời hạn ba năm, bắt đầu "
      "từ quý hai năm nay theo lịch đã được tòa án phê duyệt.")


def page(extra: str) -> bytes:
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>Xử vụ tranh chấp</title>'
            f'<link rel="canonical" href="{URL}"></head><body><article><h1>Xử vụ tranh chấp</h1>'
            f"<p>{P1}</p><p>{P2} {extra}</p></article></body></html>").encode()


def test_reclean_restores_words_an_older_cleaner_dropped(tmp_path):
    data = tmp_path / "data"
    for i, extra in enumerate(["", "Bản án có hiệu lực ngay."]):
        (tmp_path / f"v{i}.html").write_bytes(page(extra))
        ingest_paths([tmp_path / f"v{i}.html"], data, workers=1)
    records = tmp_path / "note.jsonl"  # a JSON record has no page: nothing to re-derive
    records.write_text(json.dumps({"url": "https://bao-thu.example/tin/khac", "title": "Khác",
                                   "body": "Một đoạn tin khác."}, ensure_ascii=False) + "\n")
    ingest_paths([records], data, workers=1)
    # What an older cleaner stored: "tranh chấp" cut out of the sentence (issue 15, §1).
    with Store(DataDir(data).store) as store:
        aid = store.id_for_url(URL)
        for v in store.versions(aid):
            damaged = v.article.replace(paragraphs=(P1.replace("tranh chấp ", ""),
                                                    *v.article.paragraphs[1:]))
            store.rewrite_version(aid, v.n, damaged)
        store.commit()
        before = [(v.n, v.fetched, v.last_seen, v.seen) for v in store.versions(aid)]
    from indexer import reindex
    reindex(data, workers=1)
    assert total(data, '"vụ tranh chấp hợp đồng"') == 0

    report = reclean(data, workers=1)
    assert report.versions == 2 and report.without_raw == 1 and report.failed == 0
    assert sorted(report.changed) == [(aid, 1, URL), (aid, 2, URL)]
    assert report.reindexed == 1 and report.unchanged == 0
    with Store(DataDir(data).store) as store:
        found = store.versions(aid)
        assert [(v.n, v.fetched, v.last_seen, v.seen) for v in found] == before
        assert all(v.article.paragraphs[0] == P1 for v in found)
        assert store.get(aid).article.paragraphs[0] == P1
    assert total(data, '"vụ tranh chấp hợp đồng"') == 1 and total(data, "") == 2

    again = reclean(data, workers=1)
    assert again.changed == [] and again.unchanged == 2


def test_the_summary_names_the_changed_versions_and_the_failures():
    from indexer.ingest.recleaner import RecleanReport
    r = RecleanReport(versions=30, unchanged=4, reindexed=20, without_raw=2, refused=3, recovered=1,
                      seconds=1.25, changed=[(i, 1, f"https://thtg.vn/bai-{i}") for i in range(25)])
    r.fail("not-article:short", "bài 99: too short")
    lines = r.summary().splitlines()
    assert lines[0] == ("reclean: 30 versions re-cleaned, 25 changed (20 current, re-indexed), "
                        "4 unchanged, 1 failed, 2 without a raw page; 1 of 3 refused pages now "
                        "stored in 1.2 s")
    assert lines[1] == "  changed: article 0 version 1 https://thtg.vn/bai-0"
    assert lines[21] == "  ... and 5 more"
    assert lines[22] == "failures by reason (those versions are kept as they were): not-article:short: 1"
    assert lines[23] == "  - bài 99: too short"
