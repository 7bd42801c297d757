"""Shared fixtures.  Slow work (underthesea segmentation of a small archive) is done once
per session; tests that need ../shared fail loudly when it is missing instead of skipping."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED_PAGE = SHARED / "corpus" / "html" / "thtg.vn" / "giam-ngheo-cai-lay-tan-tru.html"
SEED_1258 = SHARED / "corpus" / "html" / "thtg.vn" / "giam-ngheo-cai-lay-tan-tru.windows-1258.html"
SEED_URL = ("https://thtg.vn/lanh-dao-huyen-tan-tru-tinh-long-an-hoc-tap-kinh-nghiem-chuong-"
            "trinh-giam-ngheo-ben-vung-tai-thi-xa-cai-lay/")
SAMPLE = ROOT / "corpus" / "sample"


def shared_path(*parts: str) -> Path:
    """A path under ../shared; a missing one is a test failure, never a skip."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(f"test data missing: {path} (the read-only ../shared folder is required)",
                    pytrace=False)
    return path


@pytest.fixture(scope="session")
def shared() -> Path:
    return shared_path()


@pytest.fixture(scope="session")
def archive_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir with the seed page, a few real shared pages, a JSON Lines file of our own
    and the demo sample corpus, ingested once for the whole session.  Read-only for tests."""
    from indexer import ingest_paths

    html = shared_path("corpus", "html")
    data = tmp_path_factory.mktemp("archive")
    inputs = [SEED_PAGE, html / "vnexpress.net", html / "tuoitre.vn", html / "nld.com.vn",
              html / "baochinhphu.vn", ROOT / "tests" / "data" / "records.jsonl"]
    if SAMPLE.is_dir():
        inputs.append(SAMPLE)
    report = ingest_paths(inputs, data, workers=2)
    assert report.stored >= 8, report.to_dict()
    return data


@pytest.fixture(scope="session")
def searcher(archive_dir: Path):
    from indexer import ArchiveSearcher
    s = ArchiveSearcher(archive_dir)
    yield s
    s.close()


@pytest.fixture(scope="session")
def app(archive_dir: Path):
    from web import create_app
    return create_app({"DATA_DIR": str(archive_dir), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def fresh_dir(tmp_path: Path) -> Path:
    """An empty data dir for tests that write."""
    return tmp_path / "data"


@pytest.fixture()
def copy_of_archive(archive_dir: Path, tmp_path: Path) -> Path:
    """A private copy of the session archive for tests that modify it."""
    target = tmp_path / "copy"
    shutil.copytree(archive_dir, target, ignore=shutil.ignore_patterns("write.lock"))
    return target



@pytest.fixture(scope="session")
def opensearch_node(tmp_path_factory: pytest.TempPathFactory):
    """One real single-node OpenSearch on 127.0.0.1 for the whole session (fetched from
    Maven Central on first use and cached, see ``tests/opensearch_node.py``).  A node that
    cannot start is a test failure, never a skip."""
    from tests import opensearch_node as osnode
    try:
        dist = osnode.ensure_distribution()
        node = osnode.start_node(dist, tmp_path_factory.mktemp("opensearch"), "single",
                                 heap="512m", timeout=300)
    except osnode.OpenSearchError as exc:
        pytest.fail(f"cannot start a real OpenSearch node: {exc}", pytrace=False)
    yield node
    node.stop(remove_data=True)


@pytest.fixture(scope="session")
def opensearch_engine(opensearch_node, archive_dir: Path):
    """The OpenSearch engine over the session archive, indexed with ``reindex_opensearch``
    (the alias ``vnarchive`` on the session node)."""
    from indexer.opensearch import OpenSearchEngine, connect, reindex_opensearch
    client = connect(opensearch_node.url)
    report = reindex_opensearch(archive_dir, client)
    assert report.failures == [] and report.indexed >= 8, report
    engine = OpenSearchEngine(archive_dir, opensearch_node.url, client=client)
    yield engine
    engine.close()

def pytest_report_header(config):
    return f"shared data: {SHARED} ({'present' if SHARED.exists() else 'MISSING'})" + \
        (" [CI]" if os.environ.get("CI") else "")
