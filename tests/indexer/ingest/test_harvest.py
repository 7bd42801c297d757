"""``harvest``: a crawl of a real local site whose article pages are cleaned, stored and
indexed in batches while it runs."""
from __future__ import annotations

from pathlib import Path

from archive.store import Store
from archive.datadir import DataDir
from indexer.generations import open_current
from indexer.ingest.harvest import Harvest, harvest
from tests.crawlsite import CrawlSite, Site, fast_settings, profile_for


def _stored_urls(data: Path) -> set[str]:
    with Store(DataDir(data).store, readonly=True) as store:
        return {row[0] for row in store.db.execute("SELECT url FROM articles")}


def test_every_article_page_is_stored_and_indexed_in_batches(tmp_path: Path, monkeypatch):
    import indexer.ingest.harvest as module
    batches: list[int] = []
    real = module.ingest_items

    def counted(items, *args, **kwargs):
        batches.append(len(items))
        return real(items, *args, **kwargs)
    monkeypatch.setattr(module, "ingest_items", counted)
    with CrawlSite(Site(faults=False)) as site:
        settings = fast_settings(delay=0.01)
        out = harvest(["lan"], tmp_path, settings, batch=3, profiles={"lan": profile_for(site)})
    assert isinstance(out, Harvest)
    assert out.crawl.articles == sum(batches) == out.stored + out.failed
    assert all(n == 3 for n in batches[:-1]) and 1 <= batches[-1] <= 3
    assert out.stored >= 5
    with open_current(tmp_path).searcher() as s:
        assert s.doc_count() == len(_stored_urls(tmp_path)) == out.stored
    lines = out.summary().splitlines()
    assert lines[0].startswith(f"crawl: {out.crawl.fetched} fetched")
    assert f"{out.crawl.articles} article pages, {out.stored} stored" in lines[0]
    assert "left in the queue" in lines[0] and "interrupted" not in lines[0]
