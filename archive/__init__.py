"""archive: fetch, clean, normalise and store Vietnamese news articles (entry points:
``archive.clean.clean_page``, ``archive.crawl.crawl``, ``archive.sources.iter_raw``,
``archive.store.Store``).

Top-level modules serve every stage: ``article`` (the one domain record), ``textnorm``
(Unicode and tone normalisation), ``encoding`` (bytes to text, mojibake repair), ``urls``
(canonical URLs), ``sites`` (site profiles), ``datadir`` (the data directory's layout),
``dedup`` (near-duplicate fingerprints), ``sources`` (files, JSON Lines, WARC as items),
``store`` (the SQLite archive).  ``clean/`` and ``crawl/`` are subpackages.
"""
from archive.article import VN_TZ, Article, site_of

__all__ = ["Article", "VN_TZ", "site_of"]
