import sqlite3
from datetime import datetime

from archive.article import VN_TZ, Article
from archive.store import Store


def make(url="https://a.vn/1", body=("Đoạn một.",), **kw):
    return Article(url=url, title=kw.pop("title", "Tiêu đề"), paragraphs=body,
                   published=datetime(2024, 1, 2, 3, 4, tzinfo=VN_TZ), **kw)


def test_save_and_read_back_every_field(tmp_path):
    with Store(tmp_path / "archive.sqlite3") as store:
        a = make(sapo="Sapo", captions=("Ảnh 1",), authors=("Hữu Nghị",), tags=("x",),
                 section="Xã hội", raw_html=b"<html>\xc3\xa1</html>")
        aid = store.save(a, analysis={"v": 1})
        store.commit()
        got = store.get(aid)
        assert got.article.fetched is not None  # stamped when the source gave no time
        assert got.article == a.replace(fetched=got.article.fetched)
        assert got.analysis == {"v": 1}
        assert got.article.published.utcoffset().total_seconds() == 7 * 3600
        assert store.raw_html(aid) == b"<html>\xc3\xa1</html>"


def test_same_url_replaces_and_keeps_id(tmp_path):
    with Store(tmp_path / "archive.sqlite3") as store:
        first = store.save(make(raw_html=b"<p>1</p>"))
        second = store.save(make(body=("Đoạn mới.",)))
        store.commit()
        assert first == second and store.count() == 1
        assert store.get(first).article.paragraphs == ("Đoạn mới.",)
        # a JSON re-ingest of a page keeps the archived raw page
        assert store.raw_html(first) == b"<p>1</p>"


def test_cached_analysis_only_for_unchanged_text(tmp_path):
    with Store(tmp_path / "archive.sqlite3") as store:
        a = make()
        store.save(a, analysis={"seg": "x"})
        store.commit()
        assert store.cached_analysis(a.url, a.content_hash) == {"seg": "x"}
        assert store.cached_analysis(a.url, make(body=("khác",)).content_hash) is None


def test_wal_mode_and_readonly_reader(tmp_path):
    path = tmp_path / "archive.sqlite3"
    with Store(path) as store:
        store.save(make())
        store.commit()
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with Store(path, readonly=True) as reader:
            assert reader.count() == 1
            try:
                reader.save(make(url="https://a.vn/2"))
            except sqlite3.OperationalError as exc:
                assert "readonly" in str(exc)
            else:
                raise AssertionError("read-only store accepted a write")


def test_iter_all_and_stats(tmp_path):
    with Store(tmp_path / "archive.sqlite3") as store:
        for i in range(7):
            store.save(make(url=f"https://a.vn/{i}"))
        store.record_failure("x.html", "not-article:listing", "x.html: listing page")
        store.commit()
        assert [r.article.url for r in store.iter_all(batch=3)] == \
            [f"https://a.vn/{i}" for i in range(7)]
        stats = store.stats()
        assert stats["articles"] == 7 and stats["sites"] == 1 and stats["failures"] == 1
