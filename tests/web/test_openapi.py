"""The OpenAPI 3.1 document at /api/openapi.json describes the real responses: every
documented path exists, and real answers (200s and errors) validate against its schemas."""
import json

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import SEED_URL


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/openapi.json").get_json()


def validate(spec: dict, path: str, status: int, body) -> None:
    op = spec["paths"][path]["get"]
    assert str(status) in op["responses"], f"{path} does not document {status}"
    content = op["responses"][str(status)]["content"]
    schema = content["application/json"]["schema"]
    root = {**schema, "components": spec["components"]}
    errors = sorted(Draft202012Validator(root).iter_errors(body), key=str)
    assert not errors, f"{path} {status}: " + "; ".join(
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])


def test_document_is_openapi_31(spec):
    assert spec["openapi"].startswith("3.1")
    for name, schema in spec["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)
    for path, item in spec["paths"].items():
        for code, resp in item["get"]["responses"].items():
            assert code.isdigit() and resp["description"]


def test_every_api_route_is_documented(app, spec):
    routes = {r.rule.replace("<article_id>", "{id}").replace("<name>", "{name}")
              .replace("<n>", "{n}")
              .replace("<person>", "{slug}")
              for r in app.url_map.iter_rules() if r.rule.startswith("/api/")}
    assert routes == set(spec["paths"])


@pytest.mark.parametrize("qs", [
    {"q": "giảm nghèo"}, {"q": "giam ngheo", "per_page": 3, "page": 2},
    {"province": "Long An", "sort": "oldest"}, {"q": "zzxxqq"},
    {"q": "giảm nghèo", "province_2025": "Tây Ninh", "from": "2020-01-01"},
    {"from": "2024-01-01", "to": "2024-12-31"}, {"interval": "year"},
    {"interval": "day", "from": "1990-01-01"},
])
def test_search_responses_match(client, spec, qs):
    r = client.get("/api/search", query_string=qs)
    validate(spec, "/api/search", r.status_code, r.get_json())


def test_other_responses_match(client, spec):
    res = client.get("/api/search", query_string={"q": "giảm nghèo"}).get_json()
    aid = next(h["id"] for h in res["results"] if h["url"] == SEED_URL)
    cases = [
        ("/api/articles/{id}", f"/api/articles/{aid}"),
        ("/api/articles/{id}", "/api/articles/99999999"),
        ("/api/articles/{id}/versions", f"/api/articles/{aid}/versions"),
        ("/api/articles/{id}/versions", "/api/articles/99999999/versions"),
        ("/api/articles/{id}/versions/{n}", f"/api/articles/{aid}/versions/1"),
        ("/api/articles/{id}/versions/{n}", f"/api/articles/{aid}/versions/7"),
        ("/api/articles/{id}/versions/{n}", f"/api/articles/{aid}/versions/x"),
        ("/api/suggest", "/api/suggest?q=giam+ng"),
        ("/api/suggest", "/api/suggest?q=" + "x" * 300),
        ("/api/facets/{name}", "/api/facets/official?q=gi%E1%BA%A3m+ngh%C3%A8o"),
        ("/api/facets/{name}", "/api/facets/colour"),
        ("/api/stats", "/api/stats"),
        ("/api/export.json", "/api/export.json?q=giam+ngheo&limit=5"),
        ("/api/export.json", "/api/export.json?limit=-1"),
        ("/api/search", "/api/search?page=abc"),
        ("/api/search", "/api/search?from=2024-99-01"),
        ("/api/openapi.json", "/api/openapi.json"),
    ]
    for path, url in cases:
        r = client.get(url)
        assert r.status_code < 500, url
        validate(spec, path, r.status_code, json.loads(r.get_data()))


def test_method_not_allowed_matches(client, spec):
    r = client.post("/api/stats")
    validate(spec, "/api/stats", r.status_code, r.get_json())


def test_export_limit_documented_from_config(spec, app):
    params = {p["name"]: p for p in spec["paths"]["/api/export.csv"]["get"]["parameters"]}
    assert params["limit"]["schema"]["maximum"] == app.config["EXPORT_MAX"]
    assert set(params) >= {"q", "province", "province_2025", "from", "to", "sort"}


def test_validation_is_not_vacuous(client, spec):
    """The schemas reject drift: an unknown key, a wrong type, a missing field."""
    body = client.get("/api/search", query_string={"q": "giảm nghèo"}).get_json()
    for mutate in (lambda b: b.update(extra=1), lambda b: b.update(total="3"),
                   lambda b: b["results"][0].pop("title"),
                   lambda b: b["facets"]["province"].append({"value": "x"})):
        broken = json.loads(json.dumps(body))
        mutate(broken)
        with pytest.raises(AssertionError):
            validate(spec, "/api/search", 200, broken)
