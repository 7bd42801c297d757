"""archive: fetch, clean, normalise and store Vietnamese news articles."""
from archive.article import VN_TZ, Article, site_of

__all__ = ["Article", "VN_TZ", "site_of"]
