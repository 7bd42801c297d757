"""Entities behind the facets: provinces (before and after the 1 July 2025 merger),
officials with their titles, programmes (entry point: ``extract_entities(Article)``).

``extract`` holds the rules; ``gazetteer`` the province and district names generated from
``corpus/gazetteer/``; the programme list is ``corpus/gazetteer/programs.toml``.
"""
