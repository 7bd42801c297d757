"""Our query node types behave as Whoosh nodes where Whoosh answers them."""
from __future__ import annotations

from whoosh import query as Q

from indexer.search.nodes import Adjacent


def test_adjacent_is_a_phrase_to_whoosh():
    node = Adjacent("fold", ["giam", "ngheo"], boost=2.0)
    assert isinstance(node, Q.Phrase) and node.words == ["giam", "ngheo"] and node.boost == 2.0
    assert node == Adjacent("fold", ["giam", "ngheo"], boost=2.0)
