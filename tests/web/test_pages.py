"""The HTML pages through the Flask test client (browser tests live in test_browser.py)."""
from tests.conftest import SEED_URL


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
    r = client.get("/?q=ocop&page=abc")
    html = r.get_data(as_text=True)
    assert r.status_code == 400 and "Số trang phải là một số nguyên" in html
    assert 'value="ocop"' in html


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


# -- added with issue 6 ---------------------------------------------------------------------
import re
from html import unescape

from web import create_app


def page(client, **qs):
    r = client.get("/", query_string=qs)
    return r, r.get_data(as_text=True)


def test_facets_are_checkboxes_in_a_get_form(client):
    r, html = page(client, q="giảm nghèo", province="Long An")
    assert '<form id="sf"' in html and 'method="get"' in html
    assert re.search(r'<input type="checkbox" name="province" value="Long An" checked>', html)
    assert re.search(r'<input type="checkbox" name="official" value="[^"]+">', html)
    assert 'type="submit"' in html and "Áp dụng bộ lọc" in html
    assert "Xóa tất cả bộ lọc" in html and 'href="?q=gi' in html


def test_province_mode_toggle(client):
    _, html = page(client, q="giảm nghèo")
    assert 'name="province" value=' in html and 'name="province_2025" value=' not in html
    assert "theo địa giới từ 1/7/2025" in html
    _, html = page(client, q="giảm nghèo", pmode="2025")
    assert 'name="province_2025" value=' in html and 'name="province" value=' not in html
    # a filter of the hidden mode survives as a hidden field
    _, html = page(client, q="giảm nghèo", pmode="2025", province="Long An")
    assert '<input type="hidden" name="province" value="Long An">' in html


def test_only_mark_survives_in_snippets(client):
    _, html = page(client, q="giảm nghèo")
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', html, re.S)
    assert snippets and any("<mark>" in s for s in snippets)
    for s in snippets:
        assert not re.search(r"<(?!/?mark>)", s), s[:200]


def test_query_is_escaped_everywhere(client):
    evil = '"><script>alert(1)</script>'
    _, html = page(client, q=evil)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_timeline_svg_links_filter_to_a_month(client):
    _, html = page(client, q="giảm nghèo")
    svg = re.search(r'<svg class="timeline".*?</svg>', html, re.S).group(0)
    assert re.search(r'<title id="tl-title">Số bài theo', svg)
    links = re.findall(r'<a href="([^"]+)" aria-label="(\d\d/\d{4}): (\d+) bài"', svg)
    assert links and sum(int(n) for _, _, n in links) == int(
        re.search(r"<strong>(\d+)</strong> kết quả", html).group(1))
    href, label, count = next(x for x in links if int(x[2]) > 0)
    href = unescape(href)
    mm, yyyy = label.split("/")
    assert f"from={yyyy}-{mm}-01" in href and f"to={yyyy}-{mm}-" in href
    r, filtered = page(client, **dict(re.findall(r"([^?&=]+)=([^&]*)",
                                                 href.replace("+", " "))))
    assert f"<strong>{count}</strong> kết quả" in filtered


def test_pagination_keeps_filters(client):
    _, html = page(client, province="Long An", per_page=1)
    nxt = unescape(re.search(r'<a rel="next" href="([^"]+)"', html).group(1))
    assert "province=Long+An" in nxt and "page=2" in nxt and "per_page=1" in nxt
    r, html2 = page(client, province="Long An", per_page=1, page=2)
    assert r.status_code == 200 and 'aria-current="page">2<' in html2


def test_suggestion_fallback_and_empty_state(client):
    _, html = page(client, q="giam ngheo")
    assert "Có phải bạn muốn tìm:" in html and 'id="suggestion"' in html
    _, html = page(client, q="zzqxy wvvkk")
    assert "Không tìm thấy bài nào" in html and "Ví dụ:" in html
    _, html = page(client, q="giảm nghèo zzqxy")
    assert 'data-fallback="all_to_most_words"' in html
    assert "Không bài nào chứa tất cả các từ" in html
    _, html = page(client, q="giảm nghéo")  # diacritics mistyped: the folded view, announced
    assert 'data-fallback="accented_to_folded"' in html and "Không tìm thấy đúng dấu" in html


def test_sort_and_date_inputs(client):
    _, html = page(client, q="giảm nghèo", sort="oldest", **{"from": "2020-01-01"})
    assert '<option value="oldest" selected>' in html
    assert 'name="from" type="date" value="2020-01-01"' in html
    dates = re.findall(r'<time datetime="([^"]+)"', html)
    assert dates == sorted(dates) and all(d >= "2020-01-01" for d in dates)


def test_export_links_carry_filters_not_paging(client):
    _, html = page(client, q="giảm nghèo", province="Long An", page=1, per_page=5)
    link = unescape(re.search(r'href="(/api/export\.csv\?[^"]*)"', html).group(1))
    assert "province=Long+An" in link and "page=" not in link
    assert client.get(link).status_code == 200


def test_facet_more_page(client):
    _, html = page(client, q="")
    m = re.search(r'href="(/facets/(\w+)[^"]*)"', html)
    more, name = unescape(m.group(1)), m.group(2)
    r = client.get(more)
    body = r.get_data(as_text=True)
    full = client.get(f"/api/facets/{name}").get_json()["values"]
    shown = re.findall(rf'type="checkbox" name="{name}"', html)
    assert r.status_code == 200 and len(re.findall(rf'type="checkbox" name="{name}"', body)) == \
        len(full) >= len(shown)
    assert client.get("/facets/colour").status_code == 404
    assert client.get("/facets/site?page=x").status_code == 400


def test_article_page_entities_and_original_link(client):
    res = client.get("/api/search", query_string={"q": "giảm nghèo"}).get_json()
    aid = next(h["id"] for h in res["results"] if h["url"] == SEED_URL)
    html = client.get(f"/articles/{aid}").get_data(as_text=True)
    assert f'href="{SEED_URL}"' in html and 'rel="noopener noreferrer nofollow"' in html
    assert 'href="/?province=Long+An"' in html
    assert "Cũng được đăng trên" not in html or "/articles/" in html
    assert re.search(r'<a href="/articles/\d+/raw"', html)


def test_page_errors(client, fresh_dir):
    assert client.get("/?sort=best").status_code == 400
    assert client.post("/").status_code == 405
    r = client.get("/no/such/page")
    assert r.status_code == 404 and 'lang="vi"' in r.get_data(as_text=True)
    assert client.get("/articles/987654/raw").status_code == 404
    fresh_dir.mkdir(parents=True)
    empty = create_app({"DATA_DIR": str(fresh_dir), "TESTING": True}).test_client()
    r = empty.get("/")
    assert r.status_code == 503 and "vnarchive ingest" in r.get_data(as_text=True)


def test_static_script_and_no_external_resources(client):
    _, html = page(client, q="giảm nghèo")
    assert not re.search(r'(src|href)="(https?:)?//', html.split("<main")[0])
    assert client.get("/static/app.js").status_code == 200
    assert "<script>" not in html and "style=" not in html  # CSP forbids inline code


def test_page_past_the_end_says_so(client):
    r, html = page(client, q="giảm nghèo", page=999)
    assert r.status_code == 200 and "vượt quá số kết quả" in html
    assert "Không tìm thấy bài nào" not in html


# -- issue 19: errors that keep the search, undated articles, navigation ------------------
def test_date_error_is_vietnamese_and_keeps_the_form(client):
    r = client.get("/?q=ocop&province=Long+An&from=2026-01-01&to=2025-01-01")
    html = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Ngày bắt đầu (01/01/2026) sau ngày kết thúc (01/01/2025)" in html
    assert "is after" not in html
    assert 'value="ocop"' in html and 'name="province" value="Long An"' in html
    assert re.search(r'id="from"[^>]*value="2026-01-01"[^>]*max="2025-01-01"[^>]*aria-invalid',
                     html)
    assert re.search(r'id="to"[^>]*value="2025-01-01"[^>]*min="2026-01-01"', html)


def test_date_pickers_bound_each_other(client):
    _, html = page(client, q="giảm nghèo", **{"from": "2020-01-01", "to": "2025-12-31"})
    assert re.search(r'id="from"[^>]*max="2025-12-31"', html)
    assert re.search(r'id="to"[^>]*min="2020-01-01"', html)


def test_links_leave_out_default_parameters(client):
    _, html = page(client, q="giảm nghèo", sort="relevance", per_page="20", page="1",
                   pmode="name")
    hrefs = [unescape(h) for h in re.findall(r'href="(\?[^"]*)"', html)]
    assert hrefs
    for h in hrefs:
        assert "sort=relevance" not in h and "per_page=20" not in h and "page=1&" not in h
        assert not h.endswith("page=1") and "pmode=name" not in h


def test_pager_says_where_and_has_first_and_last(client):
    _, html = page(client, per_page="2", page="3")
    pages = int(re.search(r"Trang 3/(\d+)", html).group(1))
    assert pages >= 4
    assert 'aria-label="Trang đầu"' in html and f'page={pages}" aria-label="Trang cuối' in html
    assert re.search(r'<option value="50">50</option>', html)
    assert re.search(r'<option value="2" selected>|<select id="per_page"', html)


def test_search_page_structure(client):
    _, html = page(client, q="giảm nghèo")
    assert re.search(r"<h1[^>]*>Tìm kiếm trong kho tin tức: giảm nghèo</h1>", html)
    assert '<h2 id="results-h"' in html and 'aria-labelledby="results-h"' in html
    assert html.index('class="results"') < html.index('class="facets"')
    assert "Mỗi lần tải tối đa 10.000 bài" in html and "vnarchive export" in html


def test_article_marks_the_query_and_links_back_to_the_search(client):
    res = client.get("/api/search", query_string={"q": "giảm nghèo"}).get_json()
    aid = next(h["id"] for h in res["results"] if h["url"] == SEED_URL)
    _, html = page(client, q="giảm nghèo", province="Long An")
    link = unescape(re.search(rf'href="(/articles/{aid}\?[^"]+)"', html).group(1))
    article = client.get(link).get_data(as_text=True)
    assert "<mark>giảm</mark> <mark>nghèo</mark>" in article
    back = unescape(re.search(r'<p class="back"><a href="([^"]+)"', article).group(1))
    assert back == "/?q=gi%E1%BA%A3m+ngh%C3%A8o&province=Long+An"
    plain = client.get(f"/articles/{aid}").get_data(as_text=True)
    assert "<mark>" not in plain and '<p class="back"><a href="/">' in plain


def test_facet_page_says_how_many_values_it_shows(client, monkeypatch):
    import web.pages
    total = client.get("/api/facets/official").get_json()["total_values"]
    assert total > 3
    monkeypatch.setattr(web.pages, "FACET_PAGE_MAX", 3)
    html = client.get("/facets/official").get_data(as_text=True)
    assert f"Đang hiện 3 trong {total} giá trị" in html
    assert len(re.findall(r'type="checkbox" name="official"', html)) == 3


def test_facet_counts_download_as_csv_and_json(client):
    import csv
    import io
    data = client.get("/api/facets/province", query_string={"q": "giảm nghèo"}).get_json()
    r = client.get("/api/facets/province.csv", query_string={"q": "giảm nghèo"})
    assert r.mimetype == "text/csv" and r.get_data().startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(r.get_data().decode("utf-8-sig"))))
    assert [(x["value"], int(x["count"])) for x in rows] == \
        [(v["value"], v["count"]) for v in data["values"]]
    assert data["total_values"] == len(data["values"])
    few = client.get("/api/facets/province?limit=2").get_json()
    assert len(few["values"]) == 2 and few["total_values"] >= 2
    html = client.get("/facets/province?q=gi%E1%BA%A3m+ngh%C3%A8o").get_data(as_text=True)
    assert 'id="facet-csv"' in html and "/api/facets/province.csv?q=" in html
    assert client.get("/api/facets/colour.csv").status_code == 404


def test_exclude_link_on_each_facet_value(client):
    _, html = page(client, q="giảm nghèo")
    link = unescape(re.search(r'<a class="exclude" href="([^"]+)" aria-label="Loại trừ Long An"',
                              html).group(1))
    assert "-province=Long+An" in link
    r = client.get("/" + link)
    out = r.get_data(as_text=True)
    assert r.status_code == 200 and "⊖ trừ Long An" in out
    assert 'type="hidden" name="-province" value="Long An"' in out  # kept by the form


def test_timeline_normalised_by_the_archive_volume(client):
    res = client.get("/api/search", query_string={"q": "giảm nghèo"}).get_json()
    first, last = res["timeline"]["buckets"][0], res["timeline"]["buckets"][-1]
    whole = client.get("/api/search", query_string={
        "interval": res["timeline"]["interval"], "from": first["start"],
        "to": last["end"]}).get_json()
    volume = {f"{b['start'][5:7]}/{b['start'][:4]}": b["count"]
              for b in whole["timeline"]["buckets"]}
    _, html = page(client, q="giảm nghèo", norm="1")
    bars = re.findall(r'aria-label="(\d\d/\d{4}): (\d+) bài \(([\d,]+)% trong (\d+) bài của kho\)"',
                      html)
    assert res["timeline"]["interval"] == "month" and len(bars) == len(volume)
    assert "xem số bài" in html and "trong cùng tháng" in html
    for label, count, pct, of in bars:
        assert int(of) == volume[label]
        expected = 100 * int(count) / int(of) if int(of) else 0.0
        assert abs(float(pct.replace(",", ".")) - expected) < 0.06
    assert "norm=" not in re.search(r'id="export-csv" [^>]*|href="[^"]*export.csv[^"]*"',
                                    html).group(0)
    _, plain = page(client, q="giảm nghèo")
    assert "xem tỷ lệ trên tổng số bài của kho" in plain and "% trong" not in plain
