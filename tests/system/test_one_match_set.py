"""One match set everywhere (issue 14, point 5): for a query with filters, ``total``, every
facet count, the ``months`` timeline, pagination and both exports describe the same
articles.  Over the session archive, through the HTTP API of the real app."""
import csv
import io
from collections import Counter
from datetime import datetime

import pytest

from archive.article import VN_TZ

QUERIES = ["giảm nghèo", "giam ngheo", "nông thôn mới", "tỉnh"]


def _filtered_request(client, q):
    """The query with a filter on its most frequent site (a facet other than province)."""
    res = client.get("/api/search", query_string={"q": q}).get_json()
    assert res["total"] > 0, q
    site = res["facets"]["site"][0]["value"]
    return {"q": q, "site": site}


@pytest.mark.parametrize("q", QUERIES)
def test_total_facets_months_pages_and_exports_describe_one_set(client, q):
    params = _filtered_request(client, q)
    res = client.get("/api/search", query_string={**params, "per_page": 100}).get_json()
    rows = client.get("/api/export.json", query_string=params).get_json()["results"]
    csv_text = client.get("/api/export.csv", query_string=params).get_data(as_text=True)
    csv_rows = list(csv.DictReader(io.StringIO(csv_text.lstrip("\ufeff"))))
    assert res["total"] == len(rows) == len(csv_rows)
    ids = {r["id"] for r in rows}
    assert len(ids) == len(rows)
    # pages: every page together is the export's set
    paged, page = set(), 1
    while True:
        got = client.get("/api/search", query_string={**params, "per_page": 2, "page": page,
                                                      "sort": "newest"}).get_json()
        paged |= {h["id"] for h in got["results"]} | {d["id"] for h in got["results"]
                                                     for d in h.get("also_published_by", [])}
        if page * 2 >= got["total"]:
            break
        page += 1
    assert paged == ids
    # a facet not filtered on: each value counted once per article holding it
    provinces = Counter(p for r in rows for p in set(r["provinces"]))
    shown = {v["value"]: v["count"] for v in res["facets"]["province"]}
    assert shown == {p: provinces[p] for p in shown}
    assert all(n <= min(shown.values()) for p, n in provinces.items() if p not in shown)
    assert len(shown) == min(len(provinces), 10)  # the page shows the ten largest
    # the filtered facet counts its selected value as the total
    site = {v["value"]: v["count"] for v in res["facets"]["site"]}
    assert site[params["site"]] == res["total"]
    # the timeline: one month per dated article
    dated = Counter(r["published"][:7] for r in rows if r["published"])
    assert {m["month"]: m["count"] for m in res["months"]} == dict(dated)
    # the chart's buckets: the same set, by Vietnam's calendar day
    local = Counter(datetime.fromisoformat(r["published"]).astimezone(VN_TZ).date()
                    for r in rows if r["published"])
    buckets = res["timeline"]["buckets"]
    assert sum(b["count"] for b in buckets) + res["timeline"]["undated"] == res["total"]
    for b in buckets:
        assert b["count"] == sum(n for d, n in local.items()
                                 if b["start"] <= d.isoformat() <= b["end"])
