"""Query node types of our own, beside Whoosh's (``whoosh.query``): built by
``indexer.search.query``, answered by ``indexer.search.evaluate``."""
from __future__ import annotations

from whoosh import query as Q

__all__ = ["Adjacent", "Within", "AtLeast", "ADJACENT", "GAPPED", "EITHER", "NEAR"]

# Allowed position steps from one syllable to the next (``Adjacent.steps``): side by side;
# across one punctuation gap (typed inside the query word too, "COVID-19"); either (between
# the words of a quoted phrase); near (at most one position between, whatever stands
# there: the ranking's proximity bonus, ``query.W_NEAR_TITLE``, an ``Adjacent`` with
# ``anything_between``).  A step of 2 is across a gap only: the position between must be
# punctuation (``indexer.schema.GAP_FIELDS``), not another word.
ADJACENT, GAPPED, EITHER = (1,), (2,), (1, 2)
NEAR = EITHER


class Adjacent(Q.Phrase):
    """Syllables in order, each ``steps[i]`` positions after the one before (default: side
    by side).  The index leaves a free position where punctuation breaks adjacency
    (``indexer.analysis.analyzer.GAP``), so side by side means nothing but spaces between.
    Candidates come from the folded pair fields and the syllables' postings; positions are
    checked on those candidates unless the pairs alone decide (two folded syllables side by
    side).  Whoosh itself (the fallback) treats it as the exact phrase.  With
    ``anything_between`` a step of 2 may skip any position, not only a gap."""

    def __init__(self, fieldname: str, words: list[str], boost: float = 1.0,
                 steps: tuple[tuple[int, ...], ...] | None = None,
                 anything_between: bool = False) -> None:
        super().__init__(fieldname, words, boost=boost)
        self.steps = tuple(steps) if steps else (ADJACENT,) * (len(words) - 1)
        self.anything_between = anything_between
        assert len(self.steps) == len(words) - 1

    @property
    def side_by_side(self) -> bool:
        return all(s == ADJACENT for s in self.steps)

    def __repr__(self) -> str:
        loose = ", anything_between=True" if self.anything_between else ""
        return f"Adjacent({self.fieldname!r}, {self.words!r}, {self.boost}, {self.steps}{loose})"


class Within(Q.Query):
    """The documents of ``required``, scored by ``scoring`` (which must match each of them).
    A query word's match set is strict (its exact or folded syllables side by side) while
    its score keeps every view's evidence, as ranking had it before the match was strict."""

    def __init__(self, required: Q.Query, scoring: Q.Query, boost: float = 1.0) -> None:
        self.required, self.scoring, self.boost = required, scoring, boost

    def __repr__(self) -> str:
        return f"Within({self.required!r}, {self.scoring!r})"


class AtLeast(Q.Query):
    """Documents matching at least ``minimum`` of ``subqueries`` (0: as many as the best
    document matches, so "most words" are the articles with the most of them); scores
    summed."""

    def __init__(self, subqueries: list[Q.Query], minimum: int, boost: float = 1.0) -> None:
        self.subqueries, self.minimum, self.boost = list(subqueries), minimum, boost

    def __repr__(self) -> str:
        return f"AtLeast({self.subqueries!r}, {self.minimum})"
