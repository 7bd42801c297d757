"""Exports (``web.export``): the cell rules, the CSV stream, and the CSV/JSON endpoints on
the session archive — complete, capped, formula-safe, with sapo, authors, snippet, permalink."""
import csv
import io

import pytest

from tests.conftest import SEED_URL
from web import create_app
from web.export import CSV_COLUMNS, csv_cell, csv_lines, export_rows, plain_snippet, safe_cell


@pytest.mark.parametrize("value, cell", [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("-5", "'-5"),
                                         ("+84 912", "'+84 912"), ("@x", "'@x"), ("\tTab", "'\tTab"),
                                         ("Hà Nội", "Hà Nội"), (None, ""), (12, "12"),
                                         (["Long An", "=Tây Ninh"], "Long An; =Tây Ninh")])
def test_safe_cell_never_lets_a_spreadsheet_evaluate_a_formula(value, cell):
    assert safe_cell(value) == cell


def test_csv_cell_quotes_when_needed_and_writes_booleans_as_words():
    assert csv_cell('Xóa nhà tạm, nhà dột nát') == '"Xóa nhà tạm, nhà dột nát"'
    assert csv_cell('nói "không"') == '"nói ""không"""'
    assert (csv_cell(True), csv_cell(False)) == ("true", "false")


def test_plain_snippet_drops_marks_and_entities():
    assert plain_snippet("hộ <mark>nghèo</mark> &amp; cận nghèo") == "hộ nghèo & cận nghèo"


def test_export_rows_add_a_permalink_and_drop_internal_fields():
    chunks = [[{"id": 7, "snippet": "<mark>giảm nghèo</mark>", "also_published_by": ["x"]}],
              [{"id": 9, "snippet": None}]]
    rows = list(export_rows(iter(chunks), lambda aid: f"https://a.example/articles/{aid}"))
    assert rows == [{"id": 7, "snippet": "giảm nghèo", "permalink": "https://a.example/articles/7"},
                    {"id": 9, "snippet": "", "permalink": "https://a.example/articles/9"}]


def test_csv_lines_stream_a_bom_header_and_every_row_in_order():
    rows = [{"id": i, "title": f"Bài {i}", "provinces": ["Long An"]} for i in range(450)]
    pieces = list(csv_lines(iter(rows)))
    assert len(pieces) > 2  # streamed in pieces, not one string
    text = "".join(pieces)
    assert text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text[1:])))
    assert tuple(parsed[0]) == CSV_COLUMNS
    assert [r[0] for r in parsed[1:]] == [str(i) for i in range(450)]
    assert parsed[1][CSV_COLUMNS.index("provinces")] == "Long An"
    assert not "".join(csv_lines(iter([]), bom=False)).startswith("\ufeff")


def test_export_csv_is_complete_bom_and_formula_safe(client):
    total = client.get("/api/search", query_string={"q": "giảm nghèo"}).get_json()["total"]
    r = client.get("/api/export.csv", query_string={"q": "giảm nghèo"})
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "Content-Length" not in r.headers  # streamed, not buffered
    assert "attachment" in r.headers["Content-Disposition"]
    body = r.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:5] == ["id", "title", "published", "site", "url"]
    assert len(rows) - 1 == total == int(r.headers["X-Total-Count"])
    assert SEED_URL in {row[4] for row in rows[1:]}
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@"))


def test_export_limit_and_json(client):
    r = client.get("/api/export.json", query_string={"q": "giảm nghèo", "limit": 2})
    data = r.get_json()
    assert r.status_code == 200 and data["exported"] == len(data["results"]) == 2
    assert data["truncated"] == (data["total"] > 2) and data["limit"] == 2
    assert "also_published_by" not in data["results"][0]
    assert client.get("/api/export.json?limit=0").status_code == 400
    assert client.get("/api/export.csv?limit=abc").get_json()["error"]["code"] == "bad_request"
    big = client.get("/api/export.json", query_string={"limit": 10**9})
    assert big.status_code == 400 and "limit" in big.get_json()["error"]["message"]


def test_export_respects_app_cap(archive_dir):
    small = create_app({"DATA_DIR": str(archive_dir), "TESTING": True, "EXPORT_MAX": 3})
    data = small.test_client().get("/api/export.json").get_json()
    assert data["exported"] == 3 and data["truncated"] is True


def test_export_has_sapo_authors_snippet_and_permalink(client):
    url = "https://tin-thu-nghiem.example/bai-1"  # tests/data/records.jsonl: sapo, authors
    data = client.get("/api/export.json", query_string={"q": "nông thôn"}).get_json()
    seed = next(r for r in data["results"] if r["url"] == url)
    assert seed["sapo"] == "Bài thử nghiệm do vnarchive viết." and seed["authors"]
    assert "nông thôn" in seed["snippet"].lower() and "<mark>" not in seed["snippet"]
    assert seed["permalink"] == f"http://localhost/articles/{seed['id']}"
    assert client.get(seed["permalink"]).status_code == 200
    r = client.get("/api/export.csv", query_string={"q": "nông thôn"})
    rows = list(csv.DictReader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    row = next(r for r in rows if r["url"] == url)
    assert list(rows[0]) == ["id", "title", "published", "site", "url", "permalink", "sapo",
                             "authors", "snippet", "provinces", "provinces_2025",
                             "officials", "programs", "score"]
    assert (row["sapo"], row["authors"], row["snippet"], row["permalink"]) == (
        seed["sapo"], "; ".join(seed["authors"]), seed["snippet"], seed["permalink"])


def test_export_filters_and_sort_order(client):
    data = client.get("/api/export.json", query_string={"province": "Long An",
                                                        "sort": "oldest"}).get_json()
    dates = [r["published"] for r in data["results"] if r["published"]]
    assert dates == sorted(dates) and data["exported"] == data["total"] >= 1
    assert all("Long An" in r["provinces"] for r in data["results"])
