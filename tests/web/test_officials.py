"""An official's page and API on a small archive of made-up articles; responses validate
against the OpenAPI document."""
from __future__ import annotations

import re
from html import unescape

import pytest
from jsonschema import Draft202012Validator

from tests.officials_archive import HA_TINH, LONG_AN, build


@pytest.fixture(scope="module")
def oclient(tmp_path_factory):
    from web import create_app
    app = create_app({"DATA_DIR": str(build(tmp_path_factory.mktemp("officials") / "data")),
                      "TESTING": True})
    yield app.test_client()
    app.extensions["vnarchive"].close()


def valid(client, path: str, status: int, body) -> None:
    spec = client.get("/api/openapi.json").get_json()
    schema = spec["paths"][path]["get"]["responses"][str(status)]["content"][
        "application/json"]["schema"]
    errors = list(Draft202012Validator({**schema, "components": spec["components"]})
                  .iter_errors(body))
    assert not errors, errors[:3]


def test_official_api_record(oclient) -> None:
    r = oclient.get("/api/officials/vo-thi-bich-long-an")
    assert r.status_code == 200
    o = r.get_json()
    valid(oclient, "/api/officials/{slug}", 200, o)
    assert o["key"] == LONG_AN and o["article_count"] == 2
    assert o["title"] == "Chủ tịch UBND huyện Cần Giuộc"
    assert [t["first"] for t in o["titles"]] == ["2024-01", "2024-06"]
    within = oclient.get("/api/officials/vo-thi-bich-long-an?q=giam+ngheo").get_json()
    assert within["articles"]["total"] == 1


@pytest.mark.parametrize("path", ["/api/officials/khong-co-ai", "/api/officials/%C3%A2" + "x" * 300])
def test_bad_slug_is_404_json(oclient, path) -> None:
    r = oclient.get(path)
    assert r.status_code == 404 and r.mimetype == "application/json"
    assert r.get_json()["error"]["code"] == "not_found"
    valid(oclient, "/api/officials/{slug}", 404, r.get_json())


@pytest.mark.parametrize("qs, status", [({"q": ""}, 400), ({"q": "vo", "limit": "0"}, 400),
                                        ({"q": "x" * 201}, 400)])
def test_find_officials_bad_input(oclient, qs, status) -> None:
    r = oclient.get("/api/officials", query_string=qs)
    assert r.status_code == status
    valid(oclient, "/api/officials", status, r.get_json())


def test_find_officials_without_diacritics(oclient) -> None:
    r = oclient.get("/api/officials?q=vo+thi+bich")
    valid(oclient, "/api/officials", 200, r.get_json())
    assert [o["key"] for o in r.get_json()["officials"]] == [LONG_AN, HA_TINH]


def test_official_page_and_links(oclient) -> None:
    html = oclient.get("/officials/vo-thi-bich-long-an").get_data(as_text=True)
    assert "Võ Thị Bích" in html and "Chủ tịch UBND huyện Cần Giuộc" in html
    assert "/officials/tran-van-hac-long-an" in html        # co-mentioned official
    assert oclient.get("/officials/khong-co-ai").status_code == 404
    search = oclient.get("/?official=" + LONG_AN).get_data(as_text=True)
    assert search.count('href="/officials/vo-thi-bich-long-an"') >= 2   # chip and facet
    hit = oclient.get("/api/search", query_string={"official": LONG_AN}).get_json()
    article = oclient.get(f"/articles/{hit['results'][0]['id']}").get_data(as_text=True)
    assert 'href="/officials/vo-thi-bich-long-an"' in article


def test_official_page_chips_have_an_exclusion(oclient) -> None:
    data = oclient.get("/api/officials/vo-thi-bich-long-an").get_json()
    html = oclient.get("/officials/vo-thi-bich-long-an").get_data(as_text=True)
    for name, kind, values in (("province", "tỉnh/thành", data["provinces"]),
                               ("program", "chương trình", data["programs"])):
        assert values, name
        for v in values:
            found = re.search(r'<a class="chip-out" href="([^"]+)" aria-label="Loại trừ '
                              + re.escape(f'{kind} {v["value"]}') + '"', html)
            assert found, (name, v["value"])
            page = oclient.get(unescape(found.group(1)))
            assert page.status_code == 200
            api = oclient.get("/api/search", query_string={
                "official": data["key"], "-" + name: v["value"]}).get_json()
            assert api["total"] == data["article_count"] - v["count"]
            assert f"<strong>{api['total']}</strong> kết quả" in page.get_data(as_text=True)
            assert "⊖ trừ " + v["value"] in page.get_data(as_text=True)  # the active chip
