"""The index schema: fields of an article, and indexes written under the old module path."""
from __future__ import annotations

from whoosh.filedb.filestore import FileStorage

from indexer.schema import FACET_FIELDS, Tokens, pairs, schema


def test_schema_has_the_three_text_views_and_every_facet():
    s = schema()
    for view in ("words", "syl", "fold", "t_words", "t_syl", "t_fold"):
        assert isinstance(s[view], Tokens)
    assert set(FACET_FIELDS) <= set(s.names())


def test_pairs_join_adjacent_syllables():
    assert pairs(["giảm", "nghèo", "bền"]) == ["giảm_nghèo", "nghèo_bền"]
    assert pairs(["một"]) == []


def test_an_index_written_before_the_layout_move_still_opens(tmp_path, monkeypatch):
    """Such an index pickled its schema's field class as ``indexer.index.Tokens``."""
    from whoosh import index as whoosh_index

    monkeypatch.setattr(Tokens, "__module__", "indexer.index")  # write as the old code did
    ix = whoosh_index.create_in(str(tmp_path), schema())
    with ix.writer() as w:
        w.add_document(aid="1", syl="giảm nghèo", fold="giam ngheo")
    monkeypatch.undo()
    (toc,) = tmp_path.glob("_MAIN_*.toc")
    assert b"indexer.index" in toc.read_bytes() and b"indexer.schema" not in toc.read_bytes()
    reopened = FileStorage(str(tmp_path)).open_index()
    assert isinstance(reopened.schema["syl"], Tokens)
    with reopened.searcher() as s:
        assert s.doc_count() == 1


def test_labels_are_whole_values_of_the_article():
    from archive.article import Article
    from indexer.schema import labels
    a = Article(url="https://x.example/1", title="t", paragraphs=("p",),
                authors=("Nhật Xuân", " Nhật Xuân ", ""), section="Xã hội, đời sống",
                tags=("giảm nghèo", "x" * 300))
    assert labels(a) == {"author": ["Nhật Xuân"], "section": ["Xã hội, đời sống"],
                         "tag": ["giảm nghèo"]}


def test_new_documents_go_into_an_index_built_before_a_facet_existed(tmp_path):
    """A segment written for an older index leaves out the fields that index lacks."""
    from whoosh import index as whoosh_index
    from whoosh.fields import Schema

    from indexer.ingest.publisher import write_job
    old = schema()
    old_fields = {n: old[n] for n in old.names() if n not in ("author", "section", "tag")}
    whoosh_index.create_in(str(tmp_path), Schema(**old_fields))
    analysis = {"seg": {"title": "giảm nghèo", "paragraphs": ["giảm nghèo"], "captions": []},
                "entities": {}}
    segment, _ = write_job((str(tmp_path), [(1, None, "x.example", analysis,
                                             {"author": ["A"], "tag": ["b"]})]))
    assert segment.doc_count_all() == 1


def test_year_and_month_are_vietnams_calendar_as_the_date_filter_counts_days():
    from datetime import datetime, timedelta, timezone

    from indexer.schema import document_fields
    seg = {"title": "Tin thử", "sapo": "", "paragraphs": ["giảm nghèo"], "captions": []}
    analysis = {"seg": seg, "entities": {"provinces": [], "provinces_2025": [], "programs": [],
                                         "officials": []}}

    def year_month(published):
        doc = document_fields(1, published, "thtg.vn", analysis)
        return doc.get("year"), doc.get("month")
    late_utc = datetime(2024, 12, 31, 17, 30, tzinfo=timezone.utc)  # 00:30 on 1 Jan in Vietnam
    assert year_month(late_utc) == ("2025", "2025-01")
    assert year_month(late_utc - timedelta(hours=1)) == ("2024", "2024-12")
    assert year_month(datetime(2024, 3, 1, 0, 5, tzinfo=timezone(timedelta(hours=7)))) == ("2024", "2024-03")
    assert year_month(None) == (None, None)


def _article():
    from datetime import datetime, timedelta, timezone
    from archive.article import Article
    return Article(url="https://baomau.example/giam-ngheo", site="baomau.example",
                   title="Long An giảm nghèo bền vững",
                   sapo="Tỉnh Long An, năm 2025: giảm nghèo nhanh.",
                   paragraphs=("Năm 2025, tỉnh Long An giảm nghèo; COVID-19 đã qua.",
                               "Hợp tác xã chè Thái Nguyên xuất khẩu."),
                   published=datetime(2025, 3, 1, 8, tzinfo=timezone(timedelta(hours=7))))


def test_the_analysis_carries_the_views_the_document_is_made_of():
    from indexer.ingest.ingester import analyse
    from indexer.schema import VIEWS_FORMAT, document, has_views, indexed_views
    analysis = analyse(_article())
    assert has_views(analysis) and analysis["vf"] == VIEWS_FORMAT
    assert analysis["views"] == indexed_views(analysis["seg"])
    doc = document(1, _article(), analysis)
    for name, text in analysis["views"].items():
        assert doc[name] == text.split(), name
    assert "|" in doc["syl"] and "giam_ngheo" in doc["fpair"]


def test_cached_views_give_the_same_document_as_views_made_from_the_segmentation():
    from indexer.ingest.ingester import analyse
    from indexer.schema import document, has_views, with_views
    cached = analyse(_article())
    bare = {k: v for k, v in cached.items() if k not in ("views", "vf")}
    assert not has_views(bare) and with_views(bare) == cached
    assert document(1, _article(), bare) == document(1, _article(), cached)


def test_views_of_another_index_format_are_not_used():
    from indexer.ingest.ingester import analyse
    from indexer.schema import VIEWS_FORMAT, document, has_views, with_views
    cached = analyse(_article())
    stale = dict(cached, vf=VIEWS_FORMAT - 1,
                 views={k: "cũ" for k in cached["views"]})  # what an older format made
    assert not has_views(stale)
    assert document(1, _article(), stale) == document(1, _article(), cached)
    assert with_views(stale)["views"] == cached["views"]
