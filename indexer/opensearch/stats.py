"""The archive's own statistics, read from the cluster, for the query segmenter (entry
point: ``ClusterStats``).

``indexer.search.segmentation`` splits typed syllables into words with the ``words``
field's counts, the syllables' total frequencies and how many documents hold two exact
syllables side by side; the embedded engine reads them from its index reader.  Here the
same figures come from OpenSearch, so both engines cut a query into the same words:

- occurrences of a term (``ttf``) and a field's total (``sum_ttf``): ``_termvectors`` of an
  artificial document holding the terms asked, with term and field statistics (exact with
  one primary shard, the default; per shard otherwise);
- folded word counts (``fwords``, every spelling of a folded word summed) and the folded
  pairs' occurrences (``fpair``) and documents (``fpair_docs``): the same term totals from
  the companion stats index (``indexer.opensearch.mapping.stats_alias``), where each
  document holds a run of articles' counts as term frequencies;
- the number of distinct words, and the syllable pairs written hyphenated inside a word:
  recorded in the index's ``_meta`` by the build and by each feed after an ingest
  (``indexer.opensearch.lifecycle.record_vocabulary``);
- documents with two syllables side by side: a ``match_phrase`` count;
- a prefix's terms in term order: the ``_validate`` rewrite of a ``prefix`` query;
- for did-you-mean, the folded syllables some article holds (the ``fold`` field's document
  frequencies) and a folded syllable's best exact form: the ``syl`` field's document
  frequencies of every Vietnamese spelling of it (``archive.textnorm.accented_forms``),
  which is what the embedded vocabulary reads from its term list.

An instance stands for one state of the index: the engine makes a new one when the index
changes (``ttl``), as the embedded engine opens a new reader.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from archive.textnorm import accented_forms, fold
from indexer.analysis.analyzer import normalize, syllables
from indexer.opensearch.documents import STAT_FIELDS
from indexer.opensearch.mapping import stats_alias
from indexer.opensearch.translate import to_dsl
from indexer.search import Adjacent

__all__ = ["ClusterStats"]

GAP_TOKEN = "|"
_MAX_NGRAM = 4  # indexer.search.segmentation.MAX_WORD_SYLLABLES


class _Counts:
    """The ``dict.get`` and ``len`` the segmenter asks of a word-count table."""

    def __init__(self, stats: "ClusterStats", field: str, size: int) -> None:
        self._stats, self._field, self._size = stats, field, size

    def get(self, key: str, default: int = 0) -> int:
        return self._stats.frequency(self._field, key) or default

    def __len__(self) -> int:
        return self._size


class ClusterStats:
    """``Vocabulary.word_counts`` and the reader calls of ``query_words``, over ``index``."""

    def __init__(self, client, index: str, call: Callable[..., dict[str, Any]],
                 stats_index: str | None = None) -> None:
        self.client, self.index, self._call = client, index, call
        self.stats_index = stats_index or stats_alias(index)
        self._freq: dict[tuple[str, str], int] = {}
        self._docs: dict[tuple[str, str], int] = {}
        self._totals: dict[str, int] = {}
        self._pairs: dict[tuple[str, str], int] = {}
        self._heads: dict[tuple, int] = {}
        self._prefixes: dict[tuple[str, str], list[str]] = {}
        self._meta: dict[str, Any] | None = None

    # -- term statistics ----------------------------------------------------------------
    def _fetch(self, wanted: dict[str, Iterable[str]]) -> None:
        doc = {f: " ".join(sorted(set(terms))) for f, terms in wanted.items() if terms}
        doc = {f: t for f, t in doc.items() if t}
        for index, fields in ((self.index, [f for f in doc if f not in STAT_FIELDS]),
                              (self.stats_index, [f for f in doc if f in STAT_FIELDS])):
            if fields:
                self._fetch_from(index, {f: doc[f] for f in fields})

    def _fetch_from(self, index: str, doc: dict[str, str]) -> None:
        got = self._call(self.client.termvectors, index=index,
                         body={"doc": doc, "term_statistics": True, "field_statistics": True,
                               "positions": False, "offsets": False})
        vectors = got.get("term_vectors", {})
        for f, terms in doc.items():
            info = vectors.get(f, {})
            self._totals.setdefault(f, int(info.get("field_statistics", {}).get("sum_ttf", 0)))
            seen = info.get("terms", {})
            for t in terms.split():
                self._freq[(f, t)] = int(seen.get(t, {}).get("ttf", 0))
                self._docs[(f, t)] = int(seen.get(t, {}).get("doc_freq", 0))

    def frequencies(self, field: str, terms: Iterable[str]) -> dict[str, int]:
        """Occurrences of each of ``terms`` in ``field``, asked in one request."""
        terms = list(dict.fromkeys(terms))
        self._fetch({field: [t for t in terms if (field, t) not in self._freq]})
        return {t: self._freq.get((field, t), 0) for t in terms}

    def hyphened(self) -> frozenset[tuple[str, str]]:
        """``Vocabulary.hyphened`` on this engine: the pairs the build recorded in the
        index's ``_meta`` (``indexer.opensearch.lifecycle.record_vocabulary``)."""
        return frozenset(tuple(p) for p in self.meta().get("hyphened", ()))

    def prefetch(self, text: str) -> None:
        """Ask in one request for every count the segmenter may need for ``text``: its
        syllables and their runs of up to four, exact and folded."""
        syl = syllables(normalize(text))
        fsyl = [fold(s) for s in syl]
        grams = lambda seq: {"_".join(seq[i:j]) for i in range(len(seq))  # noqa: E731
                             for j in range(i + 1, min(len(seq), i + _MAX_NGRAM) + 1)}
        pairs = {f"{a}_{b}" for a, b in zip(fsyl, fsyl[1:])}
        want = {"words": grams(syl), "fwords": grams(fsyl), "syl": set(syl) | {GAP_TOKEN},
                "fold": set(fsyl) | {GAP_TOKEN}, "fpair": pairs, "fpair_docs": pairs}
        self._fetch({f: [t for t in ts if (f, t) not in self._freq] for f, ts in want.items()})

    def doc_frequencies(self, field: str, terms: Iterable[str]) -> dict[str, int]:
        """Documents holding each of ``terms`` in ``field``, asked in one request."""
        terms = list(dict.fromkeys(terms))
        self._fetch({field: [t for t in terms if (field, t) not in self._docs]})
        return {t: self._docs.get((field, t), 0) for t in terms}

    def known_folds(self, folded: Iterable[str]) -> set[str]:
        """``suggest.SyllableVocabulary.known_folds``: folded syllables some article holds."""
        return {t for t, n in self.doc_frequencies("fold", folded).items() if n}

    def best_forms(self, folded: Iterable[str]) -> dict[str, tuple[str, int]]:
        """``suggest.SyllableVocabulary.best_forms``: each known folded syllable's exact
        form held by the most articles (two requests: which are known, then their forms)."""
        known = sorted(self.known_folds(folded))
        forms = {f: accented_forms(f) or [f] for f in known}
        df = self.doc_frequencies("syl", [t for ts in forms.values() for t in ts])
        out: dict[str, tuple[str, int]] = {}
        for f, candidates in forms.items():
            best = min(candidates, key=lambda t: (-df[t], t))
            if df[best]:
                out[f] = (best, df[best])
        return out

    def frequency(self, field: str, term: str) -> int:
        """Occurrences of ``term`` in ``field`` over the index."""
        if (field, term) not in self._freq:
            self._fetch({field: [term]})
        return self._freq.get((field, term), 0)

    def doc_frequency(self, field: str, term: str) -> int:
        """Documents holding ``term`` in ``field`` (exact with one primary shard)."""
        if field == "fpair":  # the stats index counts a pair's articles in a field
            return self.frequency("fpair_docs", term)
        if (field, term) not in self._docs:
            self._fetch({field: [term]})
        return self._docs.get((field, term), 0)

    def field_length(self, field: str) -> int:
        """Tokens in ``field`` over the index, punctuation gaps not counted (the embedded
        index gives them a position but no posting)."""
        if field not in self._totals or (field, GAP_TOKEN) not in self._freq:
            self._fetch({field: [GAP_TOKEN]})
        gaps = self._freq.get((field, GAP_TOKEN), 0) if field in ("syl", "fold", "t_syl",
                                                                   "t_fold") else 0
        return self._totals.get(field, 0) - gaps

    def word_counts(self, folded: bool) -> tuple[_Counts, int]:
        field = "fwords" if folded else "words"
        size = int(self.meta().get("fwords_terms" if folded else "words_terms", 0))
        self.frequency(field, "_")  # the field's total comes with any term
        return _Counts(self, field, size), self._totals.get(field, 0)

    def meta(self) -> dict[str, Any]:
        if self._meta is None:
            got = self._call(self.client.indices.get_mapping, index=self.index)
            mappings = next(iter(got.values()), {}).get("mappings", {}) if got else {}
            self._meta = mappings.get("_meta", {}) or {}
        return self._meta

    # -- documents and terms ------------------------------------------------------------
    def adjacent_docs(self, a: str, b: str) -> int:
        """Documents with the exact syllables ``a`` ``b`` side by side."""
        if (a, b) not in self._pairs:
            body = {"query": {"match_phrase": {"syl": {"query": f"{a} {b}", "slop": 0}}}}
            got = self._call(self.client.count, index=self.index, body=body)
            self._pairs[(a, b)] = int(got["count"])
        return self._pairs[(a, b)]

    def headline_docs(self, words) -> int:
        """Articles whose headline (``t_fold``) holds every one of ``words`` (folded
        ``QueryWord``s), in any order: ``Evaluator.headline_docs`` on this engine."""
        key = tuple((w.syllables, w.steps) for w in words)
        if key not in self._heads:
            must = [to_dsl(Adjacent("t_fold", list(syl), steps=steps)) if len(syl) > 1
                    else {"term": {"t_fold": syl[0]}} for syl, steps in key]
            body = {"query": {"bool": {"filter": must}}}
            got = self._call(self.client.count, index=self.index, body=body)
            self._heads[key] = int(got["count"])
        return self._heads[key]

    def expand_prefix(self, field: str, prefix: str) -> list[str]:
        """The terms of ``field`` starting with ``prefix``, in term order (as Whoosh's
        ``expand_prefix`` gives them)."""
        key = (field, prefix)
        if key not in self._prefixes:
            body = {"query": {"prefix": {field: {"value": prefix,
                                                 "rewrite": "constant_score_boolean"}}}}
            got = self._call(self.client.indices.validate_query, index=self.index,
                             body=body, params={"rewrite": "true"})
            text = " ".join(e.get("explanation", "") for e in got.get("explanations", []))
            pat = re.compile(rf"(?:^|[\s(+]){re.escape(field)}:(\S+?)(?=[\s)]|$)")
            terms = sorted({m.group(1) for m in pat.finditer(text)},
                           key=lambda t: t.encode("utf-8"))
            # with no term to rewrite to, the explanation echoes the query itself
            # (``field:prefix*``): that is no term of the index
            self._prefixes[key] = [t for t in terms
                                   if t.startswith(prefix) and t != prefix + "*"]
        return self._prefixes[key]
