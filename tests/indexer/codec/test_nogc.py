"""The cyclic collector pauses inside ``no_gc`` and comes back as it was."""
from __future__ import annotations

import gc

import pytest

from indexer.codec.nogc import no_gc


def test_paused_inside_restored_after_even_on_error():
    assert gc.isenabled()
    with pytest.raises(ValueError):
        with no_gc():
            assert not gc.isenabled()
            raise ValueError
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled():
    gc.disable()
    try:
        with no_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
