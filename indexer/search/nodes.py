"""Query node types of our own, beside Whoosh's (``whoosh.query``): built by
``indexer.search.query``, answered by ``indexer.search.evaluate``."""
from __future__ import annotations

from whoosh import query as Q

__all__ = ["Adjacent"]


class Adjacent(Q.Phrase):
    """Syllables side by side, for query words and the adjacency bonus.  Two syllables are
    answered from the folded pair and the syllables' postings alone (for exact views: the
    folded pair side by side and every exact syllable present — a pair written with other
    diacritics next to the exact syllables elsewhere is a negligible risk); longer runs are
    checked on positions like a phrase, on the pair candidates only.  Whoosh itself (the
    fallback) treats it as the exact phrase."""
