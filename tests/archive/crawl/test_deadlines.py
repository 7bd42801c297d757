"""A server that trickles cannot hold a request past its deadline, nor the crawl past
Ctrl-C (issue 20, point 3).  Real sockets on 127.0.0.1."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hostile import TrickleServer

ROOT = Path(__file__).resolve().parents[3]

from archive.crawl.fetch import FetchError, fetch  # noqa: E402

AGENT = "vnarchive/0.1 (+https://example.org/vnarchive-test)"


def test_headers_sent_one_byte_at_a_time_hit_the_total_deadline():
    with TrickleServer(interval=0.1) as server:
        started = time.monotonic()
        with pytest.raises(FetchError) as err:
            # each byte comes well inside the socket timeout: only a total deadline ends it
            fetch(server.url(), user_agent=AGENT, timeout=1.0, max_bytes=1 << 20,
                  deadline=1.5)
        took = time.monotonic() - started
    assert err.value.reason == "timeout"
    assert took < 3.0, f"request held {took:.1f}s past a 1.5 s deadline"


def test_ctrl_c_ends_a_crawl_within_two_seconds(tmp_path):
    with TrickleServer(interval=0.5, max_seconds=60) as server:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "vnarchive_cli.py"), "crawl", server.url("/"),
             "--data-dir", str(tmp_path / "data"), "--delay", "0", "--max-pages", "5"],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True)
        try:
            deadline = time.monotonic() + 30
            while server.connections == 0:  # robots.txt is being trickled to it
                assert proc.poll() is None, proc.communicate()
                assert time.monotonic() < deadline, "crawl never connected"
                time.sleep(0.05)
            time.sleep(1.0)
            sent = time.monotonic()
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=15)
            took = time.monotonic() - sent
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
    assert took < 2.0, f"Ctrl-C took {took:.1f}s to end the crawl"
    assert "Traceback" not in err
    assert "interrupted" in out
