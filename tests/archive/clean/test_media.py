"""Embedded media titles are not body text."""
from __future__ import annotations

from archive.clean.media import is_media_title


def test_media_titles_are_recognised_and_prose_is_not():
    assert is_media_title("VIDEO: Lũ quét ở Yên Bái")
    assert not is_media_title("Tỉnh đẩy mạnh giảm nghèo bền vững trong năm 2024.")
