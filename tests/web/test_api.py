"""The JSON API through the Flask test client, on the session archive."""
import pytest

from tests.conftest import SEED_URL
from web import create_app

HIT_KEYS = {"id", "url", "title", "published", "site", "snippet", "provinces", "officials",
            "programs", "score"}
FACETS = {"province", "province_2025", "official", "program", "site", "year", "author",
          "section", "tag"}


def seed_hit(res):
    return next(h for h in res["results"] if h["url"] == SEED_URL)


@pytest.mark.parametrize("q", ["giảm nghèo", "giam ngheo", "GIẢM NGHÈO"])
def test_seed_found_however_typed(client, q):
    res = client.get("/api/search", query_string={"q": q}).get_json()
    assert seed_hit(res)


def test_search_json_shape(client):
    r = client.get("/api/search", query_string={"q": "giảm nghèo", "per_page": 5})
    assert r.status_code == 200 and r.mimetype == "application/json"
    res = r.get_json()
    assert {"query", "total", "page", "per_page", "took_ms", "results", "facets",
            "suggestion"} <= set(res)
    assert res["query"] == "giảm nghèo" and res["page"] == 1 and res["per_page"] == 5
    assert isinstance(res["took_ms"], float) and res["total"] >= 1
    for hit in res["results"]:
        assert HIT_KEYS <= set(hit)
    assert set(res["facets"]) == FACETS
    for values in res["facets"].values():
        for v in values:
            assert set(v) - {"name", "slug", "title"} == {"value", "count", "selected"} and v["count"] >= 0
    hit = seed_hit(res)
    assert hit["published"] == "2024-11-08T17:32:41+07:00" and hit["site"] == "thtg.vn"
    assert "<mark>" in hit["snippet"]


def test_province_filter_finds_seed(client):
    res = client.get("/api/search", query_string={"province": "Long An"}).get_json()
    assert seed_hit(res)
    selected = [v for v in res["facets"]["province"] if v["selected"]]
    assert selected == [{"value": "Long An", "count": res["total"], "selected": True}]


def test_repeatable_filters_and_browse_newest(client):
    res = client.get("/api/search?province=Long+An&province=Ti%E1%BB%81n+Giang").get_json()
    dates = [h["published"] for h in res["results"] if h["published"]]
    assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("qs,fragment", [
    ("page=abc", "page"), ("page=0", "page"), ("per_page=500", "per_page"),
    ("sort=best", "sort"), ("from=2024-13-01", "from"), ("to=yesterday", "to"),
    ("q=" + "x" * 3000, "too long"), ("from=2024-02-01&to=2024-01-01", "after"),
])
def test_bad_parameters_give_400_json(client, qs, fragment):
    r = client.get("/api/search?" + qs)
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert set(err) == {"code", "message"} and fragment in err["message"]


def test_article_by_id_has_every_field(client):
    res = client.get("/api/search", query_string={"q": "giảm nghèo"}).get_json()
    aid = seed_hit(res)["id"]
    a = client.get(f"/api/articles/{aid}").get_json()
    for key in ("title", "sapo", "paragraphs", "captions", "authors", "published", "url",
                "site", "provinces", "officials", "programs"):
        assert key in a
    assert a["authors"] == ["Hữu Nghị"] and len(a["captions"]) == 5
    assert {"Long An", "Tiền Giang"} <= set(a["provinces"])
    names = {o["name"]: o["titles"] for o in a["officials"]}
    assert "Võ Thị Búp" in names and names["Võ Thị Búp"]


@pytest.mark.parametrize("path", ["/api/articles/999999", "/api/articles/abc",
                                  "/api/articles/..%2f..%2fetc%2fpasswd", "/api/nothing"])
def test_unknown_things_are_404_json(client, path):
    r = client.get(path)
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


def test_wrong_method_is_405_json(client):
    r = client.post("/api/search")
    assert r.status_code == 405 and r.get_json()["error"]["code"]


def test_suggest_stats_and_facet_list(client):
    s = client.get("/api/suggest", query_string={"q": "giam ng"}).get_json()
    assert any(x.startswith("giảm") for x in s["suggestions"])
    stats = client.get("/api/stats").get_json()
    assert stats["articles"] >= 8 and stats["index_bytes"] > 0 and stats["index_outdated"] is None
    f = client.get("/api/facets/province", query_string={"q": "giảm nghèo"}).get_json()
    assert {"Long An", "Tiền Giang"} <= {v["value"] for v in f["values"]}
    assert client.get("/api/facets/colour").status_code == 404


def test_security_headers_on_api(client):
    r = client.get("/api/stats")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "Access-Control-Allow-Origin" not in r.headers


def test_province_2025_filter_and_fields(client):
    res = client.get("/api/search", query_string={"q": "giảm nghèo"}).get_json()
    hit = seed_hit(res)
    assert "provinces_2025" in hit and hit["provinces_2025"]
    merged = hit["provinces_2025"][0]
    res2 = client.get("/api/search", query_string={"q": "giảm nghèo",
                                                   "province_2025": merged}).get_json()
    assert seed_hit(res2)
    assert all(merged in h["provinces_2025"] for h in res2["results"])
    assert any(v["selected"] for v in res2["facets"]["province_2025"])


def test_405_has_allow_header(client):
    r = client.delete("/api/articles/1")
    assert r.status_code == 405 and "GET" in r.headers["Allow"]
    assert set(r.get_json()["error"]) == {"code", "message"}


def test_no_index_is_503_json(fresh_dir):
    fresh_dir.mkdir(parents=True)
    empty = create_app({"DATA_DIR": str(fresh_dir), "TESTING": True}).test_client()
    for path in ("/api/search?q=x", "/api/stats", "/api/export.csv", "/api/facets/site",
                 "/api/suggest?q=gi"):
        r = empty.get(path)
        assert r.status_code == 503, path
        assert r.get_json()["error"]["code"] == "no_index"


def test_bad_query_and_long_suggest_are_400(client):
    r = client.get("/api/suggest", query_string={"q": "x" * 300})
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "bad_request"
    r = client.get("/api/facets/site", query_string={"page": "x"})
    assert r.status_code == 400


def test_cors_off_by_default_and_configurable(archive_dir, client):
    r = client.get("/api/stats", headers={"Origin": "https://example.org"})
    assert "Access-Control-Allow-Origin" not in r.headers
    app = create_app({"DATA_DIR": str(archive_dir), "TESTING": True,
                      "CORS_ORIGINS": ["https://example.org"]})
    c = app.test_client()
    r = c.get("/api/stats", headers={"Origin": "https://example.org"})
    assert r.headers["Access-Control-Allow-Origin"] == "https://example.org"
    assert r.headers["Vary"] == "Origin"
    pre = c.options("/api/search", headers={"Origin": "https://example.org",
                                            "Access-Control-Request-Method": "GET"})
    assert "GET" in pre.headers["Access-Control-Allow-Methods"]
    other = c.get("/api/stats", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Access-Control-Allow-Origin" not in c.get(
        "/", headers={"Origin": "https://example.org"}).headers


def test_excluding_a_facet_value(client):
    q = {"q": "giảm nghèo"}
    res = client.get("/api/search", query_string=q).get_json()
    long_an = next(v["count"] for v in res["facets"]["province"] if v["value"] == "Long An")
    out = client.get("/api/search", query_string={**q, "-province": "Long An"}).get_json()
    assert out["total"] == res["total"] - long_an
    assert all("Long An" not in h["provinces"] for h in out["results"])
    assert "Long An" not in [v["value"] for v in out["facets"]["province"]]
    assert sum(m["count"] for m in out["months"]) <= out["total"]
    rows = client.get("/api/export.json", query_string={**q, "-province": "Long An"}
                      ).get_json()["results"]
    assert len(rows) == out["total"] and all("Long An" not in r["provinces"] for r in rows)
    newest = client.get("/api/search", query_string={"-province": "Long An", "sort": "newest"}
                        ).get_json()
    assert all("Long An" not in h["provinces"] for h in newest["results"])


def test_author_section_and_tag_facets(client):
    res = client.get("/api/search", query_string={"q": "nông thôn"}).get_json()
    assert set(res["facets"]) >= {"author", "section", "tag"}
    authors = [v["value"] for v in res["facets"]["author"]]
    assert "Ban Biên Tập Thử Nghiệm" in authors  # tests/data/records.jsonl
    got = client.get("/api/search", query_string={"author": "Ban Biên Tập Thử Nghiệm"}
                     ).get_json()
    assert [h["url"] for h in got["results"]] == ["https://tin-thu-nghiem.example/bai-1"]
    everything = client.get("/api/search").get_json()["facets"]
    for name in ("section", "tag"):  # the sample corpus's pages have sections and tags
        assert everything[name], name
        value = everything[name][0]
        hits = client.get("/api/search", query_string={name: value["value"]}).get_json()
        assert hits["total"] == value["count"]
