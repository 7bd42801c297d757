"""Versions: every distinct capture of a url is kept; the same text again is "seen again"."""
import sqlite3
from datetime import datetime, timedelta

from archive.article import VN_TZ, Article
from archive.store import Store

T0 = datetime(2025, 3, 1, 8, 0, tzinfo=VN_TZ)


def capture(body: str, at: datetime, **kw) -> Article:
    return Article(url="https://tin.example/bai-1", title=kw.pop("title", "Tỉnh hỗ trợ hộ nghèo"),
                   paragraphs=(body,), fetched=at, **kw)


def test_changed_text_is_a_new_version_and_becomes_current(tmp_path):
    with Store(tmp_path / "archive.sqlite3") as store:
        first = store.save_capture(capture("Tỉnh hỗ trợ 100 hộ nghèo.", T0, raw_html=b"<p>1</p>"))
        second = store.save_capture(capture("Tỉnh hỗ trợ 120 hộ nghèo.", T0 + timedelta(days=1),
                                            raw_html=b"<p>2</p>", warc_record_id="<urn:uuid:x>"))
        store.commit()
        assert (first.n, first.new, second.n, second.new, second.current) == (1, True, 2, True, True)
        assert first.article_id == second.article_id and store.count() == 1
        versions = store.versions(first.article_id)
        assert [v.n for v in versions] == [1, 2]
        assert [v.current for v in versions] == [False, True]
        assert versions[0].article.paragraphs == ("Tỉnh hỗ trợ 100 hộ nghèo.",)
        assert versions[1].warc_record_id == "<urn:uuid:x>"
        # the articles row (what the index is built from) is the latest version
        assert store.get(first.article_id).article.paragraphs == ("Tỉnh hỗ trợ 120 hộ nghèo.",)
        assert store.raw_html(first.article_id, 1) == b"<p>1</p>"
        assert store.raw_html(first.article_id) == b"<p>2</p>"


def test_same_text_again_only_updates_last_seen(tmp_path):
    with Store(tmp_path / "archive.sqlite3") as store:
        store.save_capture(capture("Nội dung.", T0))
        again = store.save_capture(capture("Nội dung.", T0 + timedelta(hours=5)))
        store.commit()
        assert (again.n, again.new, again.current) == (1, False, True)
        (v,) = store.versions(again.article_id)
        assert v.fetched == T0 and v.last_seen == T0 + timedelta(hours=5) and v.seen == 2


def test_a_late_older_capture_is_kept_but_does_not_replace_the_current(tmp_path):
    with Store(tmp_path / "archive.sqlite3") as store:
        store.save_capture(capture("Bản mới.", T0 + timedelta(days=2)))
        old = store.save_capture(capture("Bản cũ.", T0))
        store.commit()
        assert (old.n, old.new, old.current) == (2, True, False)
        assert [v.article.paragraphs[0] for v in store.versions(old.article_id)] == \
            ["Bản cũ.", "Bản mới."]
        assert store.get(old.article_id).article.paragraphs == ("Bản mới.",)


def test_edit_then_revert_is_three_versions(tmp_path):
    with Store(tmp_path / "archive.sqlite3") as store:
        for i, body in enumerate(["A a.", "B b.", "A a."]):
            store.save_capture(capture(body, T0 + timedelta(hours=i)))
        store.commit()
        assert [v.article.paragraphs[0] for v in store.versions(1)] == ["A a.", "B b.", "A a."]


def test_version_json_has_every_article_field(tmp_path):
    with Store(tmp_path / "archive.sqlite3") as store:
        a = capture("Nội dung.", T0, sapo="Sapo", authors=("Hữu Nghị",), tags=("x",),
                    section="Xã hội", captions=("Ảnh",))
        cap = store.save_capture(a)
        data = store.version(cap.article_id, 1).to_dict()
        for name in Article.__dataclass_fields__:
            if name not in ("raw_html", "url_note"):  # not part of what was published
                assert name in data, name
        assert data["sapo"] == "Sapo" and data["authors"] == ["Hữu Nghị"]
        assert data["version"] == 1 and data["last_seen"] == T0.isoformat()


def _downgrade(path):
    """Make the file what a store from before versions was: raw pages in the articles row,
    no versions table, user_version 0."""
    db = sqlite3.connect(path)
    for aid, raw in db.execute("SELECT article_id, raw_html FROM versions").fetchall():
        db.execute("UPDATE articles SET raw_html=? WHERE id=?", (raw, aid))
    db.execute("DROP TABLE versions")
    db.execute("PRAGMA user_version=0")
    db.commit()
    db.close()


def test_an_existing_store_gains_versions_without_loss(tmp_path):
    path = tmp_path / "archive.sqlite3"
    with Store(path) as store:
        for i in range(3):
            store.save(Article(url=f"https://tin.example/{i}", title=f"Bài {i}",
                               paragraphs=(f"Đoạn {i}.",), fetched=T0, raw_html=b"<p>%d</p>" % i))
        store.commit()
        before = {r.id: r.article for r in store.iter_all()}
    _downgrade(path)
    with Store(path, readonly=True) as old:  # a reader of the old file sees version 1
        assert [v.n for v in old.versions(1)] == [1] and old.raw_html(1) == b"<p>0</p>"
    with Store(path) as store:  # opening it for writing migrates it
        assert {r.id: r.article for r in store.iter_all()} == before
        for aid, article in before.items():
            (v,) = store.versions(aid)
            assert v.article == article and v.fetched == T0
            assert store.raw_html(aid) == b"<p>%d</p>" % (aid - 1)
        assert store.db.execute("SELECT count(*) FROM articles WHERE raw_html IS NOT NULL"
                                ).fetchone()[0] == 0  # the page moved, it is not kept twice
        cap = store.save_capture(Article(url="https://tin.example/0", title="Bài 0",
                                         paragraphs=("Đoạn sửa.",), fetched=T0 + timedelta(1)))
        store.commit()
        assert (cap.n, cap.new) == (2, True)
    with Store(path) as store:  # a second open does not migrate again
        assert len(store.versions(1)) == 2
