"""Cleaning: one page's bytes and URL to one ``Article``, purely (entry point:
``clean_page(raw, url)``; non-articles raise ``NotAnArticle`` with a reason).

``cleaner`` runs the stages; ``meta`` reads structured data (JSON-LD, OpenGraph, meta);
``extract`` finds the article body and drops boilerplate blocks; ``fields`` finds headline,
sapo, byline, dates, captions, tags; ``dates`` parses Vietnamese and machine dates; ``css``
compiles the site profiles' selectors.  Bytes are decoded by ``archive.encoding``, site
profiles come from ``archive.sites``.
"""
from archive.clean.cleaner import CleanError, NotAnArticle, clean_page

__all__ = ["clean_page", "CleanError", "NotAnArticle"]
