"""A model built from files, kept pickled in the user's cache so the next process loads it.

Reading underthesea's CRFsuite model into ``crfseg``'s tables costs ~0.6-1 s of CPU, paid
by every ``vnarchive ingest`` before its workers start (a twentieth of a 1,000-article
ingest); unpickling the built tables costs ~0.15 s.  The cache key is the content of the
input files *and* of the modules that build the object, so a new underthesea model or a
change to the builder's code never reads a stale entry.  The cache is only a speed-up:
any failure to read or write it builds from the files, as without a cache.

The folder is ``$VNARCHIVE_CACHE_DIR``, else ``$XDG_CACHE_HOME/vnarchive``, else
``~/.cache/vnarchive``.  It holds pickles, so it must be as trusted as the code itself
(it is the user's own folder, written only by this module).
"""
from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "cached"]

log = logging.getLogger(__name__)


def cache_dir() -> Path:
    """Where cached models live (see the module's docstring)."""
    own = os.environ.get("VNARCHIVE_CACHE_DIR")
    if own:
        return Path(own)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "vnarchive"


def _key(name: str, inputs: Iterable[Path]) -> str:
    digest = hashlib.sha256(name.encode())
    for path in inputs:
        digest.update(b"\0" + path.name.encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:24]


def cached(name: str, inputs: Iterable[Path], build: Callable[[], Any]) -> Any:
    """``build()``, or what an earlier call with the same ``name`` and identical ``inputs``
    (data files and the builder's source files) built.  Errors of ``build`` propagate."""
    path: Path | None = None
    try:
        path = cache_dir() / f"{name}-{_key(name, inputs)}.pickle"
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        pass
    except Exception as exc:  # unreadable inputs (path None) or a damaged entry (rewritten)
        log.debug("model cache %s: %s", name, exc)
    model = build()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # written aside and renamed: a process starting meanwhile never reads half a file
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, path)
            except BaseException:
                os.unlink(tmp)
                raise
        except Exception as exc:  # a read-only home, a full disk: no cache, same model
            log.debug("model cache %s not written: %s", name, exc)
    return model
