"""``--engine opensearch`` on the CLI: the same answer from a real node, a one-line error
when the cluster cannot be reached."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from vnarchive_cli import cli

pytestmark = pytest.mark.opensearch


def _run(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env or {}, catch_exceptions=False)


def test_search_on_opensearch_gives_the_embedded_answer(archive_dir, opensearch_engine,
                                                        opensearch_node):
    q = ["search", "giảm nghèo", "--data-dir", str(archive_dir), "--json", "--limit", "100"]
    embedded = json.loads(_run(*q).output)
    remote = _run(*q, env={"VNARCHIVE_ENGINE": "opensearch",
                           "VNARCHIVE_OPENSEARCH_URL": opensearch_node.url})
    assert remote.exit_code == 0, remote.output
    got = json.loads(remote.output)
    assert got["total"] == embedded["total"] and got["facets"] == embedded["facets"]
    assert {r["id"] for r in got["results"]} == {r["id"] for r in embedded["results"]}


def test_an_unreachable_cluster_is_one_line_and_exit_1(archive_dir):
    res = _run("search", "giảm nghèo", "--data-dir", str(archive_dir), "--engine",
               "opensearch", "--opensearch-url", "http://127.0.0.1:9")
    assert res.exit_code == 1
    assert "unreachable" in res.output and "Traceback" not in res.output
    res = _run("reindex", "--data-dir", str(archive_dir), "--engine", "opensearch",
               "--opensearch-url", "http://127.0.0.1:9")
    assert res.exit_code == 1 and "unreachable" in res.output
