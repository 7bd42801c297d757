"""Facet values are values: every programme label of the gazetteer survives the round trip
article chip → filter → the same article, commas included."""
from __future__ import annotations

import json
import re
import tomllib
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ROOT

LABELS = [p["label"] for p in tomllib.loads(
    (ROOT / "corpus" / "gazetteer" / "programs.toml").read_text("utf-8"))["program"]]
ALIASES = {p["label"]: p["aliases"][0] for p in tomllib.loads(
    (ROOT / "corpus" / "gazetteer" / "programs.toml").read_text("utf-8"))["program"]}


@pytest.fixture(scope="module")
def programme_client(tmp_path_factory):
    """One article per programme label, each naming it by its first alias."""
    from indexer import ingest_paths
    from web import create_app

    folder = tmp_path_factory.mktemp("programmes")
    records = folder / "programmes.jsonl"
    with records.open("w", encoding="utf-8") as out:
        for i, label in enumerate(LABELS):
            body = (f"Tỉnh Long An tổng kết {ALIASES[label]} trong năm 2024.\n"
                    f"Nhiều xã đã hoàn thành các chỉ tiêu của {ALIASES[label]}.")
            out.write(json.dumps({"url": f"https://chuong-trinh.example/bai-{i}",
                                  "title": f"Tổng kết {ALIASES[label]}", "body": body,
                                  "published": "2024-06-0%d" % (i % 9 + 1)},
                                 ensure_ascii=False) + "\n")
    data = folder / "data"
    report = ingest_paths([records], data, workers=1)
    assert report.stored == len(LABELS), report.to_dict()
    app = create_app({"DATA_DIR": str(data), "TESTING": True})
    return app.test_client()


def test_a_label_with_a_comma_exists():
    assert any("," in label for label in LABELS)


@pytest.mark.parametrize("label", LABELS)
def test_programme_chip_round_trip(programme_client, label):
    res = programme_client.get("/api/search", query_string={"q": ALIASES[label]}).get_json()
    hit = next(h for h in res["results"] if label in h["programs"])
    # the facet holds the label whole, never pieces of it
    values = [f["value"] for f in res["facets"]["program"]]
    assert label in values and not any(v != label and v in label for v in values)
    html = programme_client.get(f"/articles/{hit['id']}").get_data(as_text=True)
    hrefs = [unescape(h) for h in re.findall(r'class="chip program" href="([^"]+)"', html)]
    chosen = [h for h in hrefs if parse_qs(urlsplit(h).query).get("program") == [label]]
    assert chosen, hrefs
    page = programme_client.get(chosen[0]).get_data(as_text=True)
    assert re.search(rf'/articles/{hit["id"]}[?"]', page) and "0 kết quả" not in page
    filtered = programme_client.get("/api/search", query_string={"program": label}).get_json()
    assert hit["id"] in [h["id"] for h in filtered["results"]]
    # (a facet is counted without its own filter: the label's count is the filtered total)
    assert {"value": label, "count": filtered["total"], "selected": True} in \
        filtered["facets"]["program"]
