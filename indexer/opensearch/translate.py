"""Our query nodes → OpenSearch query DSL, node for node (entry point: ``to_dsl``).

The embedded engine's query tree (``indexer.search.query.build``: Whoosh nodes and ours
from ``indexer.search.nodes``) is translated as it is, so that both engines ask the same
question with the same match semantics:

- ``Term`` → ``term``.
- ``Adjacent`` → ``match_phrase`` (slop 0) when every step is side by side; otherwise a
  ``span_near`` built left to right: a ``GAPPED`` step puts the gap token (``GAP``) before
  the next syllable, an ``EITHER`` step the next syllable or the gap token and it.  The
  documents keep the embedded positions with the gap tokens in them
  (``indexer.opensearch.documents``), so a step across punctuation means what it means
  there; with ``anything_between`` (the proximity bonus) a ``GAPPED`` step skips any one
  position (``span_gap``) and an ``EITHER`` step is a ``span_near`` of slop 1.
- ``Within(required, scoring)`` → ``bool`` with ``required`` as a filter (the match set)
  and ``scoring`` as a ``should`` (the score).
- ``AtLeast(units, 0)`` → ``bool.should`` with ``minimum_should_match`` the most units any
  article matches, found by counting (``count``) from all of them down.
- ``And`` → ``must``; ``Or`` → ``should`` (scores add up); ``AndMaybe`` → ``must`` +
  ``should``; ``AndNot`` → ``must`` + ``must_not``; ``Every`` / ``NullQuery`` → all / none.

This is the one module that knows the embedded match semantics on the OpenSearch side:
when ``indexer.search.query`` or ``nodes`` changes what a node means, only this follows.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh import query as Q

from indexer.analysis.analyzer import GAP
from indexer.search import ADJACENT, EITHER, GAPPED, Adjacent, AtLeast, Within

__all__ = ["to_dsl", "MATCH_ALL", "MATCH_NONE"]

Dsl = dict[str, Any]
MATCH_ALL: Dsl = {"match_all": {}}
MATCH_NONE: Dsl = {"match_none": {}}


def to_dsl(q: Any, count: Callable[[Dsl], int] | None = None) -> Dsl:
    """One query node (and its children) as OpenSearch DSL, with its boost.  ``count``
    (documents matching a DSL query) is needed only for ``AtLeast``."""
    kind = type(q)
    if kind is Q.Term:
        return {"term": {q.fieldname: {"value": q.text, "boost": q.boost}}}
    if kind is Adjacent or kind is Q.Phrase:
        return _adjacent(q)
    if q is Q.NullQuery or kind is type(Q.NullQuery):
        return MATCH_NONE
    if kind is Q.Every:
        return {"match_all": {"boost": q.boost}}
    if kind is Within:
        return _bool(q.boost, filter=[to_dsl(q.required, count)],
                     should=[to_dsl(q.scoring, count)])
    if kind is AtLeast:
        return _at_least(q, count)
    if kind is Q.And:
        return _bool(q.boost, must=[to_dsl(s, count) for s in q.subqueries])
    if kind is Q.Or:
        return _bool(q.boost, should=[to_dsl(s, count) for s in q.subqueries], minimum=1)
    if kind is Q.AndMaybe:
        return _bool(q.boost, must=[to_dsl(q.a, count)], should=[to_dsl(q.b, count)])
    if kind is Q.AndNot:
        return _bool(q.boost, must=[to_dsl(q.a, count)], must_not=[to_dsl(q.b, count)])
    raise ValueError(f"no OpenSearch translation for {kind.__name__}")


def _adjacent(q: Any) -> Dsl:
    words = list(q.words)
    steps = tuple(getattr(q, "steps", ())) or (ADJACENT,) * (len(words) - 1)
    field = q.fieldname
    if all(s == ADJACENT for s in steps):
        # whitespace-analysed field: the tokens are the words as they are
        return {"match_phrase": {field: {"query": " ".join(words), "slop": 0,
                                         "boost": q.boost}}}
    loose = getattr(q, "anything_between", False)
    gap: Dsl = {"span_term": {field: GAP}}
    span: Dsl = {"span_term": {field: words[0]}}
    for word, step in zip(words[1:], steps):
        nxt = {"span_term": {field: word}}
        if step == ADJACENT:
            clauses, slop = [span, nxt], 0
        elif step == GAPPED:
            clauses, slop = [span, {"span_gap": {field: 1}} if loose else gap, nxt], 0
        elif step == EITHER and loose:
            clauses, slop = [span, nxt], 1
        elif step == EITHER:
            across = {"span_near": {"clauses": [gap, nxt], "slop": 0, "in_order": True}}
            clauses, slop = [span, {"span_or": {"clauses": [nxt, across]}}], 0
        else:
            raise ValueError(f"no OpenSearch translation for the step {step}")
        span = {"span_near": {"clauses": clauses, "slop": slop, "in_order": True}}
    span["span_near"]["boost"] = q.boost
    return span


def _at_least(q: AtLeast, count: Callable[[Dsl], int] | None) -> Dsl:
    units = [to_dsl(s, count) for s in q.subqueries]
    minimum = q.minimum
    if minimum <= 0:  # as many as the best article has
        if count is None:
            raise ValueError("AtLeast(…, 0) needs a count")
        minimum = 1
        for m in range(len(units), 0, -1):
            if count(_bool(1.0, should=units, minimum=m)) > 0:
                minimum = m
                break
    return _bool(q.boost, should=units, minimum=minimum)


def _bool(boost: float, *, must=(), should=(), must_not=(), filter=(),
          minimum: int | None = None) -> Dsl:
    body: Dsl = {}
    if must:
        body["must"] = list(must)
    if filter:
        body["filter"] = list(filter)
    if should:
        body["should"] = list(should)
        if minimum is not None:
            body["minimum_should_match"] = minimum
    if must_not:
        body["must_not"] = list(must_not)
    if boost != 1.0:
        body["boost"] = boost
    return {"bool": body}
