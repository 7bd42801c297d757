"""Worker processes die with the process that forked them (entry point: ``die_with_parent``).

A ``kill -9`` of ``vnarchive ingest`` or ``reindex`` cannot run any clean-up, and pool
workers would go on writing segment files for seconds into a generation nobody will
publish.  Linux's ``PR_SET_PDEATHSIG`` has the kernel kill them with their parent."""
from __future__ import annotations

import ctypes
import os
import signal
import sys

__all__ = ["die_with_parent"]

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Call first thing in a forked worker; ``parent`` is the forking process's pid."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: workers end when they next read
            pass
    if os.getppid() != parent:  # the parent died before the line above ran
        os._exit(1)
