"""Our query tree → OpenSearch DSL (``indexer.opensearch.translate``), node for node, on
Vietnamese queries: an accented word, an unaccented segmented word, a quoted phrase across
a comma, a gapped token (COVID-19), an exclusion; no node needed."""
from __future__ import annotations

import json

import pytest
from whoosh import query as Q

from indexer.opensearch.translate import MATCH_ALL, MATCH_NONE, to_dsl
from indexer.search import EITHER, GAPPED, Adjacent, AtLeast, Within, build, parse
from indexer.search.query import word_query


def _dsl(text: str) -> dict:
    return to_dsl(build(parse(text)))


def _find(dsl, key: str) -> list:
    """Every value under ``key`` anywhere in ``dsl``, in document order."""
    out = []
    if isinstance(dsl, dict):
        for k, v in dsl.items():
            if k == key:
                out.append(v)
            out.extend(_find(v, key))
    elif isinstance(dsl, list):
        for v in dsl:
            out.extend(_find(v, key))
    return out


def test_an_accented_word_requires_its_exact_syllable_and_scores_every_view():
    dsl = to_dsl(word_query("nghèo"))
    within = dsl["bool"]
    assert within["filter"] == [{"term": {"syl": {"value": "nghèo", "boost": 1.0}}}]
    scoring = within["should"][0]["bool"]
    fields = {f for t in _find(scoring, "term") for f in t}
    assert fields == {"t_syl", "t_fold", "syl", "fold"} and scoring["minimum_should_match"] == 1
    assert {"value": "ngheo", "boost": 0.25} in [t["fold"] for t in _find(scoring, "term")
                                                   if "fold" in t]


def test_an_unaccented_segmented_word_is_a_phrase_of_folded_syllables():
    dsl = to_dsl(word_query("giam ngheo"))
    assert dsl["bool"]["filter"] == [
        {"match_phrase": {"fold": {"query": "giam ngheo", "slop": 0, "boost": 1.0}}}]
    # scored on the folded views first, the exact ones lightly
    phrases = _find(dsl["bool"]["should"], "match_phrase")
    assert {f for p in phrases for f in p} == {"t_fold", "t_syl", "fold", "syl"}


def test_an_accented_segmented_word_also_scores_the_whole_word():
    dsl = to_dsl(word_query("giảm nghèo"))
    assert dsl["bool"]["filter"] == [
        {"match_phrase": {"syl": {"query": "giảm nghèo", "slop": 0, "boost": 1.0}}}]
    words = [t["words"]["value"] for t in _find(dsl, "term") if "words" in t]
    assert words == ["giảm_nghèo"]


def test_two_typed_words_each_required_with_an_adjacency_bonus():
    dsl = _dsl("hạ long")["bool"]
    required = [w["bool"]["filter"][0]["term"]["syl"]["value"]
                for w in dsl["must"][0]["bool"]["must"]]
    assert required == ["hạ", "long"]
    bonus = _find(dsl["should"], "match_phrase")
    assert {"query": "ha long", "slop": 0, "boost": 1.5} in [b.get("fold") for b in bonus]


def test_a_quoted_phrase_across_a_comma_allows_one_gap_between_its_words():
    # "nông thôn" is side by side, then "mới" right after or after the gap token (the
    # comma), never after another word
    required = _dsl('"nông thôn, mới"')["bool"]["filter"][0]["span_near"]
    assert required["slop"] == 0 and required["in_order"] is True
    inner, last = required["clauses"]
    assert inner == {"span_near": {"clauses": [{"span_term": {"syl": "nông"}},
                                               {"span_term": {"syl": "thôn"}}],
                                   "slop": 0, "in_order": True}}
    assert last == {"span_or": {"clauses": [
        {"span_term": {"syl": "mới"}},
        {"span_near": {"clauses": [{"span_term": {"syl": "|"}}, {"span_term": {"syl": "mới"}}],
                       "slop": 0, "in_order": True}}]}}


def test_a_gapped_token_puts_the_gap_token_between_its_parts():
    required = _dsl("COVID-19")["bool"]["must"][0]["bool"]["filter"][0]["span_near"]
    assert required["clauses"] == [{"span_term": {"fold": "covid"}}, {"span_term": {"fold": "|"}},
                                   {"span_term": {"fold": "19"}}]
    assert required["slop"] == 0


def test_an_excluded_word_goes_to_must_not():
    dsl = _dsl("ocop -xyz")["bool"]
    assert dsl["must"][0]["bool"]["filter"] == [{"term": {"fold": {"value": "ocop",
                                                                    "boost": 1.0}}}]
    excluded = dsl["must_not"][0]["bool"]["should"][0]["bool"]["filter"]
    assert excluded == [{"term": {"fold": {"value": "xyz", "boost": 1.0}}}]


def test_only_an_exclusion_matches_every_other_article():
    dsl = _dsl("-ocop")["bool"]
    assert dsl["must"] == [{"match_all": {"boost": 1.0}}] and "must_not" in dsl


def test_the_translation_is_plain_json():
    for q in ["giảm nghèo", '"nông thôn, mới"', "COVID-19", "ocop -xyz", "title:OCOP"]:
        dsl = _dsl(q)
        assert json.loads(json.dumps(dsl, ensure_ascii=False)) == dsl


def test_steps_map_to_span_shapes_node_for_node():
    either = to_dsl(Adjacent("fold", ["tin", "tac"], steps=(EITHER,), boost=2.0))
    assert either["span_near"]["slop"] == 0 and either["span_near"]["boost"] == 2.0
    assert either["span_near"]["clauses"][1]["span_or"]["clauses"][1]["span_near"][
        "clauses"][0] == {"span_term": {"fold": "|"}}
    gapped = to_dsl(Adjacent("syl", ["5", "10"], steps=(GAPPED,)))["span_near"]
    assert gapped["clauses"][1] == {"span_term": {"syl": "|"}}
    # the proximity bonus: any one position between, whatever stands there
    near = to_dsl(Adjacent("fold", ["tin", "tac"], steps=(EITHER,), boost=2.0,
                           anything_between=True))
    assert near == {"span_near": {"clauses": [{"span_term": {"fold": "tin"}},
                                              {"span_term": {"fold": "tac"}}],
                                  "slop": 1, "in_order": True, "boost": 2.0}}
    loose = to_dsl(Adjacent("syl", ["5", "10"], steps=(GAPPED,), anything_between=True))
    assert loose["span_near"]["clauses"][1] == {"span_gap": {"syl": 1}}
    assert to_dsl(Q.Phrase("t_syl", ["long", "an"])) == {
        "match_phrase": {"t_syl": {"query": "long an", "slop": 0, "boost": 1.0}}}


def test_boolean_nodes_and_their_boosts():
    a, b = Q.Term("syl", "chè"), Q.Term("syl", "Thái")
    assert to_dsl(Q.Or([a, b], boost=2.0))["bool"] == {
        "should": [to_dsl(a), to_dsl(b)], "minimum_should_match": 1, "boost": 2.0}
    assert to_dsl(Q.AndMaybe(a, b))["bool"] == {"must": [to_dsl(a)], "should": [to_dsl(b)]}
    assert to_dsl(Within(a, b))["bool"] == {"filter": [to_dsl(a)], "should": [to_dsl(b)]}
    assert to_dsl(Q.Every()) == {"match_all": {"boost": 1.0}} and MATCH_ALL == {"match_all": {}}
    assert to_dsl(Q.NullQuery) == MATCH_NONE == {"match_none": {}}


def test_at_least_zero_asks_the_most_words_any_article_has():
    units = [Q.Term("fold", w) for w in ("ha", "long", "tau", "vu", "tru")]
    asked: list[int] = []

    def count(dsl: dict) -> int:  # as if the best article held three of the five words
        asked.append(dsl["bool"]["minimum_should_match"])
        return 4 if dsl["bool"]["minimum_should_match"] <= 3 else 0
    got = to_dsl(AtLeast(units, 0), count)["bool"]
    assert got["minimum_should_match"] == 3 and len(got["should"]) == 5
    assert asked == [5, 4, 3]  # from all of them down, stopping at the first that matches
    assert to_dsl(AtLeast(units, 2))["bool"]["minimum_should_match"] == 2  # no count needed


def test_untranslatable_input_is_a_value_error():
    with pytest.raises(ValueError, match="needs a count"):
        to_dsl(AtLeast([Q.Term("fold", "ha")], 0))
    with pytest.raises(ValueError, match="no OpenSearch translation for Wildcard"):
        to_dsl(Q.Wildcard("fold", "gi*m"))
    with pytest.raises(ValueError, match="step"):
        to_dsl(Adjacent("fold", ["a", "b"], steps=((3,),)))
