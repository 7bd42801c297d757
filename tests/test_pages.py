"""The HTML pages through the Flask test client (browser tests live in test_browser.py)."""
from conftest import SEED_URL


def test_search_page_shows_results_and_facets(client):
    r = client.get("/", query_string={"q": "giảm nghèo"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and '<html lang="vi">' in html
    assert "Lãnh đạo huyện Tân Trụ" in html and "<mark>" in html
    assert "Long An" in html and "Tỉnh/thành" in html
    assert 'value="giảm nghèo"' in html


def test_facet_link_filters(client):
    html = client.get("/", query_string={"q": "giảm nghèo", "province": "Long An"}).get_data(
        as_text=True)
    assert 'aria-current="true"' in html and "✓ Long An" in html


def test_bad_page_parameter_is_a_400_page(client):
    r = client.get("/?page=abc")
    assert r.status_code == 400 and "page" in r.get_data(as_text=True)


def test_article_page_and_raw_copy(client):
    res = client.get("/api/search", query_string={"q": "giảm nghèo"}).get_json()
    aid = next(h["id"] for h in res["results"] if h["url"] == SEED_URL)
    html = client.get(f"/articles/{aid}").get_data(as_text=True)
    assert "Hữu Nghị" in html and "Quang cảnh buổi làm việc" in html
    assert "Võ Thị Búp" in html and "Phó Chủ tịch" in html
    raw = client.get(f"/articles/{aid}/raw")
    assert raw.status_code == 200 and "sandbox" in raw.headers["Content-Security-Policy"]


def test_unknown_article_is_404_page(client):
    r = client.get("/articles/987654")
    assert r.status_code == 404 and "Không tìm thấy" in r.get_data(as_text=True)


def test_security_headers_on_pages(client):
    r = client.get("/")
    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["Referrer-Policy"] == "no-referrer"
