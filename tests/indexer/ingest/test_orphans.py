"""``die_with_parent``: a forked worker dies when the process that forked it is killed."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

# The middle process forks a worker that calls die_with_parent, prints the worker's pid and
# sleeps; the test SIGKILLs the middle process, which can run no clean-up of its own.
MIDDLE = r"""
import os, sys, time
from indexer.ingest.orphans import die_with_parent
parent = os.getpid()
pid = os.fork()
if pid == 0:
    die_with_parent(int(sys.argv[1]) if len(sys.argv) > 1 else parent)
    time.sleep(120)
    os._exit(0)
print(pid, flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _gone_within(pid: int, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_the_worker_dies_when_its_parent_is_killed():
    middle = subprocess.Popen([sys.executable, "-c", MIDDLE], stdout=subprocess.PIPE, text=True)
    worker = int(middle.stdout.readline())
    try:
        time.sleep(0.3)  # let the worker run die_with_parent
        assert _alive(worker)
        os.kill(middle.pid, signal.SIGKILL)
        middle.wait(10)
        assert _gone_within(worker, 10), "the worker outlived its parent"
    finally:
        if _alive(worker):
            os.kill(worker, signal.SIGKILL)


def test_a_worker_whose_parent_is_already_gone_exits_at_once():
    # A pid that is not the worker's parent reads as "the parent died before prctl ran".
    middle = subprocess.Popen([sys.executable, "-c", MIDDLE, "1"], stdout=subprocess.PIPE, text=True)
    worker = int(middle.stdout.readline())
    try:
        assert _gone_within(worker, 10)
    finally:
        middle.kill()
        middle.wait(10)
