"""`vnarchive crawl` / `reclean` / `ingest *.warc.gz` end to end against the local test site."""
from click.testing import CliRunner

from archive.store import Store
from indexer import ArchiveSearcher, SearchRequest
from archive.datadir import DataDir
from vnarchive_cli import cli

from tests.conftest import SEED_URL
from tests.crawlsite import CrawlSite, Site


def articles(data_dir):
    with Store(DataDir(data_dir).store) as store:
        return {r.article.url: r.article for r in store.iter_all()}


def test_crawl_then_search_reclean_and_reingest_from_warc(tmp_path):
    data = tmp_path / "data"
    with CrawlSite(Site(faults=False)) as site:
        r = CliRunner().invoke(cli, ["crawl", site.url("/"), "--data-dir", str(data),
                                     "--delay", "0", "--profiles", str(tmp_path / "none"),
                                     "--contact-url", "https://example.org/test"])
    assert r.exit_code == 0, r.output
    assert "crawl:" in r.output and "archived to WARC" in r.output
    crawled = articles(data)
    # The seed page declares its thtg.vn canonical, but it was served by 127.0.0.1: a page
    # may not claim another site's address, so it keeps the url it was crawled from.
    assert SEED_URL not in crawled and len(crawled) >= 8
    seed = [u for u, a in crawled.items() if "Tân Trụ" in a.title]
    assert len(seed) == 1 and seed[0].startswith(site.url("/"))

    s = ArchiveSearcher(data)
    assert any(h["url"] == seed[0] for h in s.search(SearchRequest(q="giam ngheo"))["results"])
    s.close()

    r = CliRunner().invoke(cli, ["reclean", "--data-dir", str(data)])
    assert r.exit_code == 0, r.output
    assert f"{len(crawled)} versions re-cleaned, 0 changed" in r.output
    assert f"{len(crawled)} unchanged" in r.output

    warcs = sorted(str(p) for p in (data / "warc").glob("*.warc.gz"))
    other = tmp_path / "other"
    r = CliRunner().invoke(cli, ["ingest", *warcs, "--data-dir", str(other)])
    assert r.exit_code == 0, r.output
    again = articles(other)
    assert set(again) == set(crawled)
    assert all(again[u].replace(fetched=None) == crawled[u].replace(fetched=None)
               for u in crawled)
