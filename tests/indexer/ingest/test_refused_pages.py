"""A page the cleaner refuses is kept, so that `reclean` can recover it (issue 15)."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.datadir import DataDir
from archive.store import Store
from indexer import ingest_paths
from vnarchive_cli import cli

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
LISTING = SHARED / "html" / "dantri.com.vn" / "list.html"
SOHA = SHARED / "unseen" / "html" / "soha.vn" / "soha_2012_can_lo_lo.html"
SOHA_URL = "http://soha.vn/giai-tri/can-lo-lo-la-loi-voi-khan-tam-20121225102525545.htm"


def _need(path: Path) -> Path:
    if not path.is_file():
        pytest.fail(f"shared corpus missing: {path}")
    return path


def test_ingest_keeps_the_bytes_of_a_refused_page(tmp_path: Path) -> None:
    data = tmp_path / "data"
    report = ingest_paths([_need(LISTING)], data, workers=1)
    assert report.failed == 1 and report.added == 0
    with Store(DataDir(data).store) as store:
        kept = list(store.refused_pages())
        reason = store.db.execute("SELECT reason FROM failures").fetchone()[0]
    assert reason == "not-article:listing"
    assert [(src, raw) for src, _, raw in kept] == [(str(LISTING), LISTING.read_bytes())]
    # Refused again by `reclean`, the page is still kept once, never piled up.
    for _ in range(2):
        r = CliRunner().invoke(cli, ["reclean", "--data-dir", str(data)])
        assert r.exit_code == 0, r.output
    with Store(DataDir(data).store) as store:
        assert len(list(store.refused_pages())) == 1


def test_reclean_recovers_a_page_an_older_cleaner_refused(tmp_path: Path) -> None:
    # An archive made by the cleaner before issue 15 refused this article as a listing.
    data = tmp_path / "data"
    with Store(DataDir(data).store) as store:
        store.record_failure(str(SOHA), "not-article:listing", "page is a list of article links",
                             url=SOHA_URL, raw_html=_need(SOHA).read_bytes())
        store.commit()
    r = CliRunner().invoke(cli, ["reclean", "--data-dir", str(data)])
    assert r.exit_code == 0, r.output
    with Store(DataDir(data).store) as store:
        urls = [s.article.url for s in store.iter_all()]
    assert urls == [SOHA_URL]
