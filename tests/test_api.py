"""The JSON API through the Flask test client, on the session archive."""
import pytest

from conftest import SEED_URL

HIT_KEYS = {"id", "url", "title", "published", "site", "snippet", "provinces", "officials",
            "programs", "score"}
FACETS = {"province", "province_2025", "official", "program", "site", "year"}


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
            assert set(v) == {"value", "count", "selected"} and v["count"] >= 0
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
    assert stats["articles"] >= 8 and stats["index_bytes"] > 0
    f = client.get("/api/facets/province", query_string={"q": "giảm nghèo"}).get_json()
    assert {"Long An", "Tiền Giang"} <= {v["value"] for v in f["values"]}
    assert client.get("/api/facets/colour").status_code == 404


def test_security_headers_on_api(client):
    r = client.get("/api/stats")
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "Access-Control-Allow-Origin" not in r.headers
