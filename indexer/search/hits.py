"""Result rows of ranked article ids, read from the store (entry points: ``hit_rows``,
``article_texts``).

Shared by both engines (``indexer.search.searcher`` and ``indexer.opensearch``): a hit's
fields, its snippet (``indexer.search.snippets``) and the folding of near-duplicate copies
come from the store, whichever engine ranked the ids.
"""
from __future__ import annotations

from collections.abc import Sequence

from archive.dedup import hamming
from archive.store import MAX_DUPLICATE_DISTANCE, Store
from indexer.entities.people import article_people
from indexer.search.snippets import snippet

__all__ = ["hit_rows", "article_texts"]


def hit_rows(store: Store, page: Sequence[tuple[int, float | None]], terms: set[str],
             with_snippets: bool, collapse: bool = True, full: bool = False) -> list[dict]:
    """Result rows for ranked (article id, score) pairs (``full``: with sapo and authors,
    for export).  Near-duplicate copies of a story (syndicated articles) on the same page
    are folded into the first one's ``also_published_by``."""
    rows = store.get_many([aid for aid, _ in page])
    out: list[dict] = []
    shown: list[tuple[int, dict]] = []  # (simhash, hit) of hits kept on this page
    for aid, score in page:
        row = rows.get(aid)
        if row is None:  # indexed but no longer stored: never show a broken hit
            continue
        a = row.article
        if row.simhash is not None and collapse:
            original = next((hit for h, hit in shown
                             if hamming(h, row.simhash) <= MAX_DUPLICATE_DISTANCE), None)
            if original is not None:  # a syndicated copy: shown once, credited
                original["also_published_by"].append({"id": aid, "site": a.site, "url": a.url})
                continue
        ents = row.entities
        texts = [a.sapo or "", *a.paragraphs] if terms else [a.sapo or "", *a.paragraphs[:1]]
        out.append({
            "id": aid,
            "url": a.url,
            "title": a.title,
            "published": a.published.isoformat() if a.published else None,
            "site": a.site,
            "snippet": snippet(texts, terms) if with_snippets else "",
            "provinces": list(ents.get("provinces", [])),
            "provinces_2025": list(ents.get("provinces_2025", [])),
            "officials": [p["key"] for p in article_people(ents)],  # facet values
            "programs": list(ents.get("programs", [])),
            "score": round(score, 4) if score is not None else None,
            "also_published_by": [],
        })
        if full:
            out[-1].update(sapo=a.sapo or "", authors=list(a.authors))
        if row.simhash is not None:
            shown.append((row.simhash, out[-1]))
    return out


def article_texts(store: Store, ids: Sequence[int]) -> list[str]:
    """Headline and paragraphs of the stored articles ``ids``, in id order: the texts
    did-you-mean reads the words from (``indexer.search.suggest.did_you_mean``)."""
    rows = store.get_many(ids)
    texts: list[str] = []
    for aid in sorted(rows):
        texts.append(rows[aid].article.title)
        texts.extend(rows[aid].article.paragraphs)
    return texts
