"""Our parsed query → OpenSearch query DSL, node for node (entry point: ``to_dsl``).

The embedded engine's query tree (``indexer.search.build``: Whoosh nodes over the ``words``,
``syl``, ``fold`` views and their title twins, with boosts) is translated as it is, so that
the two engines ask the same question: ``Term`` → ``term``; ``Phrase`` and ``Adjacent`` →
``match_phrase`` (slop 0); ``And`` → ``bool.must``; ``Or`` → ``bool.should`` (scores add up, as
in ``indexer.search.evaluate``); ``AndMaybe`` → ``must`` + ``should``; ``AndNot`` →
``must`` + ``must_not``.  Only prefix clauses are built here, because their expansion needs
the index's vocabulary: a ``prefix`` query scored as the OR of its first 64 terms.

This is the one module that knows the embedded match semantics on the OpenSearch side: when
``indexer.search.query`` changes what a query means, only this module follows.
"""
from __future__ import annotations

from typing import Any

from whoosh import query as Q

from archive.textnorm import fold
from indexer.analysis.analyzer import has_diacritics, syllables
from indexer.search import (MAX_PREFIX_EXPANSION, Adjacent, Clause, ParsedQuery, clause_query,
                            word_query)

__all__ = ["to_dsl", "node_to_dsl", "MATCH_ALL"]

Dsl = dict[str, Any]
MATCH_ALL: Dsl = {"match_all": {}}
_MATCH_NONE: Dsl = {"match_none": {}}


def node_to_dsl(q: Any) -> Dsl:
    """One query node (and its children) as OpenSearch DSL, with its boost."""
    kind = type(q)
    if kind is Q.Term:
        return {"term": {q.fieldname: {"value": q.text, "boost": q.boost}}}
    if kind is Q.Phrase or kind is Adjacent:
        # the field is whitespace-analysed: the words are tokens as they are
        return {"match_phrase": {q.fieldname: {"query": " ".join(q.words), "slop": 0,
                                               "boost": q.boost}}}
    if q is Q.NullQuery or kind is type(Q.NullQuery):
        return _MATCH_NONE
    if kind is Q.Every:
        return {"match_all": {"boost": q.boost}}
    if kind is Q.And:
        return _bool(q.boost, must=[node_to_dsl(s) for s in q.subqueries])
    if kind is Q.Or:
        return _bool(q.boost, should=[node_to_dsl(s) for s in q.subqueries], minimum=1)
    if kind is Q.AndMaybe:
        return _bool(q.boost, must=[node_to_dsl(q.a)], should=[node_to_dsl(q.b)])
    if kind is Q.AndNot:
        return _bool(q.boost, must=[node_to_dsl(q.a)], must_not=[node_to_dsl(q.b)])
    raise ValueError(f"no OpenSearch translation for {kind.__name__}")


def _bool(boost: float, *, must=(), should=(), must_not=(), minimum: int | None = None) -> Dsl:
    body: Dsl = {}
    if must:
        body["must"] = list(must)
    if should:
        body["should"] = list(should)
        if minimum is not None:
            body["minimum_should_match"] = minimum
    if must_not:
        body["must_not"] = list(must_not)
    if boost != 1.0:
        body["boost"] = boost
    return {"bool": body}


def _prefix(clause: Clause) -> Dsl | None:
    """``nông*``: the head words as query words, the last syllable as a prefix of the
    exact (accented) or folded syllables, like ``indexer.search.query.clause_query``."""
    stem = syllables(clause.text)
    if not stem:
        return None
    title_only = clause.field == "title"
    head, last = stem[:-1], stem[-1]
    field = ("t_" if title_only else "") + ("syl" if has_diacritics(last) else "fold")
    value = last if has_diacritics(last) else fold(last)
    alts = {"prefix": {field: {"value": value,
                                "rewrite": f"top_terms_{MAX_PREFIX_EXPANSION}"}}}
    if not head:
        return alts
    return _bool(1.0, must=[node_to_dsl(word_query(w, title_only=title_only)) for w in head]
                 + [alts])


def _clause(clause: Clause, any_word: bool = False) -> Dsl | None:
    if clause.kind == "prefix":
        return _prefix(clause)
    q = clause_query(clause, None, any_word=any_word)
    return None if q is None else node_to_dsl(q)


def to_dsl(parsed: ParsedQuery, *, any_word: bool = False) -> Dsl | None:
    """The text part of a request, as ``indexer.search.build`` combines it: AND of groups
    (OR with ``any_word``), each group an OR of clauses, minus the negated clauses.
    None means no text constraint (browse)."""
    groups: list[Dsl] = []
    for group in parsed.groups:
        alts = [d for d in (_clause(c, any_word) for c in group) if d]
        if alts:
            groups.append(alts[0] if len(alts) == 1 else _bool(1.0, should=alts, minimum=1))
    negs = [d for d in (_clause(c) for c in parsed.negated) if d]
    if not groups and not negs:
        return None
    if not groups:
        positive = MATCH_ALL
    elif len(groups) == 1:
        positive = groups[0]
    else:
        positive = _bool(1.0, should=groups, minimum=1) if any_word else _bool(1.0, must=groups)
    if negs:
        return _bool(1.0, must=[positive], must_not=negs)
    return positive
