"""The one Vietnamese analyser, identical at index and query time (entry points:
``normalize``, ``segment``, ``views``).

``analyzer`` normalises text (NFC, one tone placement), segments words with underthesea's
model on original case, lower-cases, and derives the three indexed views: compound words,
syllables with positions, folded syllables (no diacritics, đ→d).  ``crfseg`` decodes
underthesea's own CRF model faster with token-identical output, after ``regextok``
(underthesea's regex tokenizer without its per-token overheads).
"""
