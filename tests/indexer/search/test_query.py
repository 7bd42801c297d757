import pytest
from whoosh import query as Q

from indexer.search.query import MAX_QUERY_CHARS, QueryError, build, parse


def kinds(text):
    return [[(c.kind, c.text, c.field) for c in g] for g in parse(text).groups]


def test_plain_words_form_one_run_for_the_segmenter():
    assert kinds("giảm nghèo bền vững") == [[("text", "giảm nghèo bền vững", None)]]


def test_phrase_negation_or_field_prefix():
    p = parse('"nông thôn mới" -ocop title:OCOP nông* a OR b')
    assert [[c.kind for c in g] for g in p.groups] == [["phrase"], ["text"], ["prefix"],
                                                        ["text", "text"]]
    assert p.groups[1][0].field == "title"
    assert [c.text for c in p.negated] == ["ocop"]


@pytest.mark.parametrize("text", ['"unbalanced', "***", "-", "OR", "title:", "a:b:c",
                                  "((()))", '"" "', "\x00\x01", "* * *", "AND OR -"])
def test_malformed_input_parses_to_words_or_to_nothing(text):
    parsed = parse(text)
    clauses = [c for g in parsed.groups for c in g] + list(parsed.negated)
    assert all(c.kind in ("text", "phrase", "prefix") and c.text.strip() for c in clauses)
    assert not any(c.text in ("OR", "AND", "-", "*", '"') for c in clauses)
    q = build(parsed)  # no reader: prefixes are skipped, everything else builds
    assert (q is None) == (not parsed.groups)
    assert q is None or isinstance(q, Q.Query)


def test_unknown_field_is_searched_as_text():
    assert kinds("tacgia:Nam") == [[("text", "tacgia Nam", None)]]


def test_too_long_query_is_a_clear_error():
    with pytest.raises(QueryError, match="too long"):
        parse("a" * (MAX_QUERY_CHARS + 1))


def test_nfd_and_flipped_tones_parse_to_the_same_query():
    import unicodedata
    a = build(parse("hoà bình"))
    b = build(parse(unicodedata.normalize("NFD", "hòa bình")))
    assert repr(a) == repr(b)


# Two headlines hold "đỉnh … Jong-un"; in n2's the words stand one word apart, in n1's
# far apart and in the other order.  The bodies are alike, so only the headline differs.
NEAR_DOCS = [
    ("n1", "Kim Jong-un sắp dự hội nghị thượng đỉnh ở Nga",
     "Cuộc gặp thượng đỉnh được chuẩn bị trong nhiều tuần, các bên cho biết."),
    ("n2", "Trump có thể gặp thượng đỉnh Kim Jong-un vào năm sau",
     "Cuộc gặp thượng đỉnh được chuẩn bị trong nhiều tuần, các bên cho biết."),
]


@pytest.mark.parametrize("q", ["đỉnh Jong-un", "dinh jong un"])
def test_a_headline_with_the_typed_words_close_together_ranks_first(tmp_path, q):
    from indexer import ArchiveSearcher, SearchRequest
    from tests.querying import ingest_docs
    searcher = ArchiveSearcher(ingest_docs(tmp_path, NEAR_DOCS))
    try:
        found = searcher.search(SearchRequest(q=q, per_page=10))
    finally:
        searcher.close()
    assert [h["url"].rsplit("/", 1)[1] for h in found["results"]] == ["n2", "n1"]
