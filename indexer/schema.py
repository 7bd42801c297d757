"""The index schema: which fields an article becomes, and how (entry point: ``schema()``,
``document_fields``).

Three analysed views of the text (``indexer.analysis``) become token fields; facets are
keyword fields, also read as in-memory columns by ``indexer.search.facets``.
"""
from __future__ import annotations

import sys
from collections import Counter
from pickle import dumps
from typing import Any

from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, NUMERIC, TEXT, Schema
from whoosh.system import pack_uint

from archive.article import VN_TZ, Article
from indexer.analysis.analyzer import GAP, body_views, views
from indexer.entities.people import article_people

# Indexes written before the package layout moved pickled their schema's field class as
# ``indexer.index.Tokens``; the name keeps resolving so that those indexes still open.
sys.modules.setdefault("indexer.index", sys.modules[__name__])

__all__ = ["FACET_FIELDS", "LABEL_FIELDS", "labels", "INDEX_FORMAT", "VIEWS_FORMAT",
           "PAIR_FIELDS", "PAIR_JOIN", "GAP_FIELDS", "GAP_TERM", "gap_stream",
           "schema", "document", "document_fields", "pairs", "Tokens", "GAP", "indexed_views",
           "with_views", "has_views"]

# Bump when the fields an article becomes change without the cached segmentation changing
# (then ``ANALYSER_VERSION`` stays): 2 = punctuation gaps in the positional views, no pairs
# across them; 3 = year and month on Vietnam's calendar; 4 = the gaps' own postings
# (``GAP_FIELDS``).  Benchmarks key their cached archives on it; ``vnarchive reindex``
# rewrites.
INDEX_FORMAT = 4
# The token streams cached in the analysis (``with_views``): bumped when they change.
VIEWS_FORMAT = 3

# Facets kept as keyword fields (multi-valued, exact values) and as in-memory columns.
FACET_FIELDS = ("province", "province_2025", "official", "program", "site", "year",
                "author", "section", "tag")
# The article's own labels as facets (entities come from the analysis instead).
LABEL_FIELDS = ("author", "section", "tag")
MAX_LABEL_CHARS = 200  # longer "labels" are cleaner accidents, not values to filter on


# Adjacent pairs of folded syllables: a two-syllable word or phrase is then one term lookup
# instead of a position check over every document holding both syllables.  Only folded
# pairs are indexed (each pair field adds index write time and doubles the index); the exact views meet them through their syllables' postings (``indexer.search.evaluate``).
PAIR_FIELDS = {"syl": "fpair", "fold": "fpair", "t_syl": "t_fpair", "t_fold": "t_fpair"}
PAIR_JOIN = "_"  # syllables never contain "_" (analysis.syllables splits on it)

# Where punctuation stands: a gap takes a position in the positional views and makes no
# posting there, so whether the one position between two syllables is a gap or another
# syllable is told by a field of its own, one term at each gap's position.  A phrase's
# words may stand across punctuation, never across another word.
GAP_FIELDS = {"syl": "gap", "fold": "gap", "t_syl": "t_gap", "t_fold": "t_gap"}
GAP_TERM = "p"


def gap_stream(tokens: list[str]) -> list[str]:
    """The ``gap`` field of a positional view: ``GAP_TERM`` where the view has a gap, a gap
    (a position without posting) everywhere else.

    >>> gap_stream(["long", "|", "an"])
    ['|', 'p', '|']
    """
    return [GAP_TERM if t == GAP else GAP for t in tokens]


def pairs(syllables: list[str]) -> list[str]:
    """Adjacent syllable pairs of a syllable stream, in order (none across a ``GAP``).

    >>> pairs(["xây", "dựng", "nông", "|", "thôn"])
    ['xây_dựng', 'dựng_nông']
    """
    return [a + PAIR_JOIN + b for a, b in zip(syllables, syllables[1:])
            if a != GAP and b != GAP]


class Tokens(TEXT):
    """A text field whose values are already analysed: a token list or space-separated text.

    Whoosh's own path builds a Token object per token and pickles positions term by term
    through generic generators; this produces
    the identical postings (same bytes for frequencies and positions) straight from
    ``str.split`` and a dict.
    """

    def index(self, value, **kwargs):
        return [item[:4] for item in self.index_with_positions(value)]

    def index_with_positions(self, value) -> list[tuple]:
        """Whoosh's (term, frequency, weight, value) items plus each term's positions (None
        without positions): the postings sidecar stores them as they are, unpickled."""
        tokens = value.split() if isinstance(value, str) else value
        fb = self.format.field_boost
        if self.format.__class__.__name__ == "Positions":
            poses: dict[str, list[int]] = {}
            for pos, tok in enumerate(tokens):
                if tok == GAP:
                    continue
                got = poses.get(tok)
                if got is None:
                    poses[tok] = [pos]
                else:
                    got.append(pos)
            out = []
            for tok, plist in poses.items():
                deltas = plist
                if len(plist) > 1:  # positions are stored as deltas
                    deltas = [plist[0]] + [b - a for a, b in zip(plist, plist[1:])]
                n = len(plist)
                out.append((tok.encode(), n, n * fb, pack_uint(n) + dumps(deltas, 2), plist))
            return out
        return [(tok.encode(), n, n * fb, pack_uint(n), None)
                for tok, n in Counter(tokens).items() if tok != GAP]


def schema() -> Schema:
    # Field values arrive already analysed (space-separated tokens from indexer.analysis.analyzer),
    # so Whoosh only splits on spaces: no second, different analysis at index time.
    tokens = SpaceSeparatedTokenizer()
    return Schema(
        aid=ID(stored=True, unique=True, sortable=True),
        published=NUMERIC(int, bits=64, signed=True, sortable=True),
        month=ID(sortable=True),
        year=ID,
        site=ID,
        province=KEYWORD(commas=True, scorable=False, lowercase=False),
        province_2025=KEYWORD(commas=True, scorable=False, lowercase=False),
        official=KEYWORD(commas=True, scorable=False, lowercase=False),
        program=KEYWORD(commas=True, scorable=False, lowercase=False),
        author=KEYWORD(commas=True, scorable=False, lowercase=False),
        section=KEYWORD(commas=True, scorable=False, lowercase=False),
        tag=KEYWORD(commas=True, scorable=False, lowercase=False),
        words=Tokens(analyzer=tokens, phrase=False),
        syl=Tokens(analyzer=tokens, phrase=True),
        fold=Tokens(analyzer=tokens, phrase=True),
        t_words=Tokens(analyzer=tokens, phrase=False),
        t_syl=Tokens(analyzer=tokens, phrase=True),
        t_fold=Tokens(analyzer=tokens, phrase=True),
        # no positions: only membership and frequency of each pair are ever asked
        fpair=Tokens(analyzer=tokens, phrase=False),
        t_fpair=Tokens(analyzer=tokens, phrase=False),
        gap=Tokens(analyzer=tokens, phrase=True),
        t_gap=Tokens(analyzer=tokens, phrase=True),
    )


def labels(article: Article) -> dict[str, list[str]]:
    """The article's authors, section and tags as facet values (each value whole)."""
    def clean(values) -> list[str]:
        out: list[str] = []
        for v in values:
            v = (v or "").strip()
            if v and len(v) <= MAX_LABEL_CHARS and v not in out:
                out.append(v)
        return out
    return {"author": clean(article.authors), "section": clean([article.section]),
            "tag": clean(article.tags)}


def indexed_views(seg: dict[str, Any]) -> dict[str, str]:
    """The token streams of an article's segmentation (``analysis["seg"]``), each joined
    by single spaces (no token holds one): the form the analysis cache keeps them in."""
    body_parts = [seg["title"], seg.get("sapo") or "", *seg["paragraphs"], *seg["captions"]]
    body = body_views([p for p in body_parts if p])
    title = views(seg["title"])
    out = {name: " ".join(body[name]) for name in ("words", "syl", "fold")}
    out.update({"t_" + name: " ".join(title[name]) for name in ("words", "syl", "fold")})
    return out


# Building the views from the segmentation is most of the Python work of making an index
# document (and all of it, but for JSON, of an OpenSearch bulk line): the ingest keeps them
# in the analysis cache, keyed on INDEX_FORMAT so that a change to what an article becomes
# recomputes them.  Stores from before get them on their first reindex.
def has_views(analysis: dict[str, Any]) -> bool:
    return analysis.get("vf") == VIEWS_FORMAT and isinstance(analysis.get("views"), dict)


def with_views(analysis: dict[str, Any]) -> dict[str, Any]:
    """``analysis`` with its views cached (computed from its segmentation if missing)."""
    if has_views(analysis):
        return analysis
    return {**analysis, "views": indexed_views(analysis["seg"]), "vf": VIEWS_FORMAT}


def _views(analysis: dict[str, Any]) -> dict[str, list[str]]:
    cached = analysis["views"] if has_views(analysis) else indexed_views(analysis["seg"])
    return {name: text.split(" ") if text else [] for name, text in cached.items()}


def document(article_id: int, article: Article, analysis: dict[str, Any]) -> dict[str, Any]:
    """Whoosh document for an article from its cached analysis (segmentation + entities)."""
    return document_fields(article_id, article.published, article.site, analysis,
                           labels(article))


def document_fields(article_id: int, published, site: str, analysis: dict[str, Any],
                    label_values: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """:func:`document` from the only article fields it needs (cheap to send to a worker)."""
    v = _views(analysis)
    ents = analysis["entities"]
    # the text fields get their token lists as they are (``Tokens`` takes lists or text):
    # joining them only for the writer to split them again cost time on every article
    doc: dict[str, Any] = {
        "aid": str(article_id),
        "published": int(published.timestamp()) if published else -1,
        "site": site,
        **v,  # words, syl, fold and their t_ (headline) twins
        "fpair": pairs(v["fold"]),
        "t_fpair": pairs(v["t_fold"]),
    }
    for view, field in (("syl", "gap"), ("t_syl", "t_gap")):
        if GAP in v[view]:
            doc[field] = gap_stream(v[view])
    if published:
        # Vietnam's calendar, as the date filter and the timeline count days: an article
        # stamped 2024-03-31T17:30Z is 1 April there, and in April's bucket and year.
        local = published.astimezone(VN_TZ) if published.tzinfo else published
        doc["year"] = f"{local.year:04d}"
        doc["month"] = f"{local.year:04d}-{local.month:02d}"
    # Keyword values go to the writer as lists: Whoosh then takes each one whole.  A joined
    # string would be split again on commas, and "Xóa nhà tạm, nhà dột nát" became two values.
    for field, key in (("province", "provinces"), ("province_2025", "provinces_2025"),
                       ("program", "programs")):
        if ents.get(key):
            doc[field] = list(ents[key])
    people = [p["key"] for p in article_people(ents)]   # the person, not the bare name
    if people:
        doc["official"] = people
    for field, values in (label_values or {}).items():
        if values:
            doc[field] = list(values)
    return doc
