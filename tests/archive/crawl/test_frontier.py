"""The crawl queue in SQLite: priorities, politeness keys, recovery, revisits, robots cache."""
from __future__ import annotations

import pytest

from archive.crawl.frontier import Frontier, politeness_key


@pytest.fixture()
def frontier(tmp_path):
    f = Frontier(tmp_path / "crawl.sqlite3")
    yield f
    f.close()


def test_politeness_key_ignores_scheme_and_www():
    assert politeness_key("https://www.Bao.vn/a") == politeness_key("http://bao.vn/b") == "bao.vn"
    assert politeness_key("https://tin.bao.vn/") == "tin.bao.vn"


def test_a_url_is_queued_once_and_feeds_come_before_listings(frontier):
    assert frontier.add("https://bao.vn/chuyen-muc", "listing")
    assert frontier.add("https://bao.vn/rss", "feed")
    assert not frontier.add("https://bao.vn/rss", "feed")
    assert frontier.next_for_host("bao.vn", now=1e12)["url"] == "https://bao.vn/rss"
    assert frontier.queued_count() == 2 and frontier.hosts_with_work() == {"bao.vn": 0}


def test_rows_left_in_flight_by_a_killed_run_are_queued_again(frontier):
    frontier.add("https://bao.vn/a.htm", "article")
    row = frontier.get("https://bao.vn/a.htm")
    frontier.mark_inflight(row["id"])
    assert frontier.counts() == {"inflight": 1}
    assert frontier.recover() == 1 and frontier.counts() == {"queued": 1}
    assert frontier.get("https://bao.vn/a.htm")["attempts"] == 1


def test_a_failed_transaction_leaves_nothing(frontier):
    frontier.add("https://bao.vn/a.htm", "article")
    row = frontier.get("https://bao.vn/a.htm")
    with pytest.raises(RuntimeError):
        with frontier.tx():
            frontier.update(row["id"], state="done")
            raise RuntimeError("killed between the two writes")
    assert frontier.get("https://bao.vn/a.htm")["state"] == "queued"


def test_listings_are_revisited_articles_are_not(frontier):
    for url, kind in (("https://bao.vn/", "seed"), ("https://bao.vn/a.htm", "article")):
        frontier.add(url, kind)
        with frontier.tx():
            frontier.update(frontier.get(url)["id"], state="done", fetched_at=100.0)
    assert frontier.requeue_for_revisit(("seed", "listing"), older_than=200.0) == 1
    assert frontier.get("https://bao.vn/")["state"] == "queued"
    assert frontier.get("https://bao.vn/a.htm")["state"] == "done"


def test_failed_rows_can_be_retried_and_robots_are_cached(frontier):
    frontier.add("https://bao.vn/a.htm", "article")
    with frontier.tx():
        frontier.update(frontier.get("https://bao.vn/a.htm")["id"], state="failed", reason="http_500")
        frontier.log_failure("https://bao.vn/a.htm", "http_500", 1)
    assert frontier.requeue_failed() == 1
    frontier.save_robots("https://bao.vn", "User-agent: *\nDisallow:", 200)
    assert frontier.robots("https://bao.vn")["status"] == 200


def test_open_warc_files_are_remembered_with_their_committed_size(frontier):
    with frontier.tx():
        frontier.warc_size("a.warc.gz", 1234)
        frontier.warc_size("b.warc.gz", 99, closed=True)
    assert frontier.open_warc_files() == [("a.warc.gz", 1234)]
