"""Property-based robustness: the cleaner, the query layer and the API on hostile input.

Contract under test: always a result or a clear error (``CleanError`` — and never its
"error:internal" catch-all, which would be a bug wearing a uniform —, ``SearchError``,
HTTP 400), never another exception, in bounded time.  Each input tried is counted; the
counts are printed at the end of the module (``-rA`` or ``-s`` shows them).
"""
from __future__ import annotations

import os
import time
from collections import Counter
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from archive.article import Article
from archive.clean.cleaner import CleanError, clean_page
from indexer.search.query import RELAXATIONS, QueryError, build, parse
from indexer.search import SearchError, SearchRequest
from tests.conftest import shared_path

TRIED: Counter[str] = Counter()
SLOWEST: dict[str, float] = {}
MAX_SECONDS = 10.0  # per input; far above normal (ms), far below "hung"

# Examples per property; VNARCHIVE_FUZZ_SCALE=10 for a deeper (slower) run.
SCALE = float(os.environ.get("VNARCHIVE_FUZZ_SCALE", "1"))


def fuzz(examples: int):
    return settings(max_examples=max(1, int(examples * SCALE)),
                    deadline=None,  # wall time flakes on a busy machine; _timed guards CPU time
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module", autouse=True)
def _report_counts(request):
    yield
    total = sum(TRIED.values())
    lines = [f"fuzz: {total} inputs tried"] + [
        f"  {name}: {n} (slowest {SLOWEST.get(name, 0) * 1000:.0f} ms)"
        for name, n in sorted(TRIED.items())]
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    for line in lines:
        if reporter is not None:
            reporter.write_line(line)
        else:
            print(line)


class _timed:
    def __init__(self, name: str) -> None:
        self.name = name

    # CPU time of this process, not wall time: a guard against runaway inputs (quadratic
    # loops, backtracking regexes) that does not fire because the machine is busy
    def __enter__(self):
        TRIED[self.name] += 1
        self.start = time.process_time()

    def __exit__(self, *exc):
        took = time.process_time() - self.start
        SLOWEST[self.name] = max(SLOWEST.get(self.name, 0.0), took)
        assert took < MAX_SECONDS, f"{self.name}: {took:.1f}s for one input"
        return False


# -- the cleaner -----------------------------------------------------------------------
URL = "https://bao-thu-nghiem.example/tin/bai-1"


def check_clean(page: bytes | str, name: str, content_type: str | None = None) -> None:
    with _timed(name):
        try:
            art = clean_page(page, URL, content_type=content_type)
        except CleanError as exc:
            assert exc.reason and not exc.reason.startswith("error:internal"), \
                f"cleaner bug hidden as CleanError: {exc}"
            return
    assert isinstance(art, Article)
    assert isinstance(art.title, str) and all(isinstance(p, str) for p in art.paragraphs)
    assert all("\x00" not in p for p in art.paragraphs)


@lru_cache(maxsize=1)
def real_pages() -> tuple[bytes, ...]:
    html = shared_path("corpus", "html")
    files = sorted(html.rglob("*.html"))
    assert files, f"no pages under {html}"
    step = max(1, len(files) // 12)
    return tuple(p.read_bytes() for p in files[::step][:12])


_TAGS = st.sampled_from(["div", "p", "span", "article", "table", "tr", "td", "ul", "li",
                         "section", "figure", "figcaption", "h1", "a", "b", "script", "style",
                         "iframe", "svg", "math", "noscript", "template", "select", "br"])
_ATTR_NAMES = st.sampled_from(["class", "id", "style", "href", "src", "onerror", "data-x",
                               "itemprop", "content", "property", "name", "charset", "lang"])
_CHARSETS = st.sampled_from(["utf-8", "windows-1258", "windows-1252", "iso-8859-1", "utf-16",
                             "utf-16le", "gb2312", "shift_jis", "koi8-r", "x-nonsense", "", "utf8"])
_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=80) | st.sampled_from(
    ["Huyện Tân Trụ đẩy mạnh giảm nghèo bền vững.", "Tỉnh Long An", "<b>đậm</b>", "&amp;&#0;&#xD800;",
     "\u0301\u0300\u0303", "Ã¡Ã Ã£", "\ufeff\u200b\u202e"])


@st.composite
def html_trees(draw) -> str:
    """Random tag soup: unbalanced tags, deep nesting, huge attributes, odd metas."""
    parts = ["<!doctype html>" if draw(st.booleans()) else "", "<html><head>"]
    if draw(st.booleans()):
        parts.append(f'<meta charset="{draw(_CHARSETS)}">')
    if draw(st.booleans()):
        parts.append(f'<meta property="og:title" content="{draw(_TEXT)}">')
    parts.append(f"<title>{draw(_TEXT)}</title></head><body>")
    depth = draw(st.sampled_from([0, 3, 50, 600, 3000]))
    tag = draw(_TAGS)
    parts.append(f"<{tag}>" * depth)
    for _ in range(draw(st.integers(0, 12))):
        t = draw(_TAGS)
        attrs = "".join(f' {draw(_ATTR_NAMES)}="{draw(_TEXT)}"'
                        for _ in range(draw(st.integers(0, 3))))
        if draw(st.integers(0, 9)) == 0:
            attrs += f' class="{"x" * draw(st.sampled_from([1000, 100_000, 400_000]))}"'
        close = f"</{t}>" if draw(st.booleans()) else ""
        parts.append(f"<{t}{attrs}>{draw(_TEXT)}{close}")
    parts.append(f"</{tag}>" * draw(st.integers(0, depth)))
    if draw(st.booleans()):
        parts.append("</body></html>")
    return "".join(parts)


@fuzz(120)
@given(st.binary(max_size=4000))
def test_cleaner_random_bytes(page: bytes) -> None:
    check_clean(page, "clean:random-bytes")


@fuzz(60)
@given(st.text(max_size=3000))
def test_cleaner_random_text(page: str) -> None:
    check_clean(page, "clean:random-text")


@fuzz(40)
@given(html_trees(), st.sampled_from(["str", "utf-8", "utf-16", "cp1258", "latin-1"]),
       st.one_of(st.none(), _CHARSETS.map(lambda c: f"text/html; charset={c}")))
def test_cleaner_generated_html(page: str, encoding: str, content_type: str | None) -> None:
    data: str | bytes = page if encoding == "str" else page.encode(encoding, "replace")
    check_clean(data, "clean:generated-html", content_type)


@fuzz(40)
@given(st.data())
def test_cleaner_mutated_real_pages(data) -> None:
    """Real pages, truncated, spliced, re-encoded with a wrong charset, salted with bytes."""
    page = bytearray(data.draw(st.sampled_from(real_pages())))
    content_type = None
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["truncate", "delete", "insert", "dup", "charset",
                                        "reencode", "flip"]))
        n = len(page)
        if n == 0:
            break
        i = data.draw(st.integers(0, n - 1))
        if op == "truncate":
            page = page[:i]
        elif op == "delete":
            del page[i:i + data.draw(st.integers(1, 5000))]
        elif op == "insert":
            page[i:i] = data.draw(st.binary(min_size=1, max_size=200))
        elif op == "dup":
            page[i:i] = page[i:i + data.draw(st.integers(1, 20000))] * data.draw(st.integers(1, 5))
        elif op == "charset":
            content_type = f"text/html; charset={data.draw(_CHARSETS)}"
        elif op == "reencode":
            enc = data.draw(st.sampled_from(["cp1258", "latin-1", "utf-16", "cp1252", "koi8-r"]))
            page = bytearray(page.decode("utf-8", "replace").encode(enc, "replace"))
        else:
            page[i] ^= 0xFF
    check_clean(bytes(page), "clean:mutated-real", content_type)


# -- the query layer -------------------------------------------------------------------
_QUERY_BITS = st.sampled_from([
    "giảm", "nghèo", "giam", "ngheo", "nông thôn mới", "Long An", "title:", "tieude:",
    "foo:", "tỉnh:", ":", "\"", "'", "-", "--", "OR", "or", "AND", "|", "+", "HOẶC", "VÀ",
    "*", "**", "n*", "nô*", "*ng", "?", "(", ")", "((", "\\", "\x00", "\x01", "\x1b[31m",
    "\t", "\n", "\u200b", "\u0301", "\ufeff", "đ", "Đ", "ẞ", "İ", "😀", "ﬁ", "ǅ", "\U0010ffff",
    "𝕏", "<script>", "%00", "' OR 1=1 --", "NOT", "~2", "^3", "[a TO z]", "{}", "1e9999",
])
QUERIES = st.one_of(
    st.text(max_size=300),
    st.lists(_QUERY_BITS, max_size=40).map(" ".join),
    st.lists(_QUERY_BITS, max_size=80).map("".join),
    st.lists(st.sampled_from(["a*", "n*", "th*", "*", "ng*", "t*"]), min_size=1, max_size=100)
    .map(" ".join),
    st.builds(lambda bit, n: (bit + " ") * n, _QUERY_BITS, st.integers(200, 3000)),
    st.builds(lambda n: "x" * n, st.integers(1990, 10_050)),
)


def check_query(text: str, reader) -> None:
    with _timed("query:parse+build"):
        try:
            parsed = parse(text)
        except QueryError as exc:
            assert str(exc)
            return
        q = build(parsed, reader)
        for _, relax in RELAXATIONS:
            build(parsed, reader, relax=relax)
    if q is not None:
        assert hasattr(q, "matcher")


@fuzz(200)
@given(QUERIES)
def test_query_parse_and_build(searcher, text: str) -> None:
    s, _cols = searcher.snapshot()
    check_query(text, s.reader())


def check_search(searcher, text: str, **kw) -> None:
    with _timed("query:ArchiveSearcher.search"):
        try:
            res = searcher.search(SearchRequest(q=text, **kw))
        except SearchError as exc:
            assert exc.code in ("bad_query", "bad_request") and str(exc)
            return
    total = res["total"]
    assert isinstance(total, int) and total >= 0
    assert len(res["results"]) <= res["per_page"]
    assert all(isinstance(h["id"], int) and h["url"] for h in res["results"])
    if total == 0:
        assert res["results"] == [] and sum(m["count"] for m in res["months"]) == 0
    assert sum(m["count"] for m in res["months"]) <= total
    for name, values in res["facets"].items():
        assert all({"value", "count", "selected"} <= set(v) and 0 < v["count"] <= total
                   for v in values), name
    assert res["fallback"] in (False, True) or isinstance(res["fallback"], (str, type(None)))


@fuzz(80)
@given(QUERIES, st.sampled_from(["relevance", "newest", "oldest"]), st.integers(1, 3))
def test_searcher_search(searcher, text: str, sort: str, page: int) -> None:
    check_search(searcher, text, sort=sort, page=page, per_page=10)


def test_query_edge_cases(searcher) -> None:
    cases = ["", " ", '"', '""', '"""', "-", "- -", "OR", "OR OR", "a OR", "OR a", "*", "* * *",
             "**", "title:", "title:\"", "khong_co_truong:giảm", "-giảm", "--giảm", "-\"giảm",
             "\x00", "\x00giảm\x00", "\x7f\x1b", "giảm" * 600, "a* " * 64, "a* " * 65,
             "n* " * 200, "x" * 10_000, ("giảm nghèo " * 1000)[:10_000], "\ud800" if False else "ả",
             "title:title:title:", ":::", "((()))", "giảm)(", "\u0301" * 500]
    reader = searcher.snapshot()[0].reader()
    for text in cases:
        check_query(text, reader)
        check_search(searcher, text)
    with pytest.raises(SearchError):
        searcher.search(SearchRequest(q="x" * 10_000))


# -- the API ---------------------------------------------------------------------------
_PARAM_VALUES = st.one_of(st.text(max_size=40), st.integers(-10**12, 10**12).map(str),
                          st.sampled_from(["", "0", "-1", "1", "101", "1000", "1001", "1e3",
                                           "２", "NaN", "2024-02-30", "2024-01-01", "9999-12-31",
                                           "newest", "relevance", " oldest ", "Long An"]))
_PARAM_NAMES = st.sampled_from(["q", "page", "per_page", "sort", "from", "to", "province",
                                "province_2025", "official", "program", "site", "year",
                                "unknown", "facet_limit", "format", "q[]", ""])


@fuzz(80)
@given(QUERIES, st.lists(st.tuples(_PARAM_NAMES, _PARAM_VALUES), max_size=6),
       st.sampled_from(["/api/search", "/api/facets/province", "/api/facets/site",
                        "/api/facets/nope", "/api/suggest", "/"]))
def test_api_random_parameters(app, text: str, params: list[tuple[str, str]], path: str) -> None:
    client = app.test_client()
    query = [("q", text)] + params
    with _timed("api:request"):
        r = client.get(path, query_string=query)
    assert r.status_code in (200, 400, 404), (path, query[:3], r.status_code,
                                               r.get_data(True)[:300])
    if path.startswith("/api/"):
        body = r.get_json()
        assert body is not None, "API answered without JSON"
        if r.status_code != 200:
            assert set(body) == {"error"} and body["error"]["message"]
    if r.status_code == 404:
        assert path in ("/api/facets/nope",), (path, r.get_data(True)[:200])


def test_api_bounds_are_clear_400s(app) -> None:
    client = app.test_client()
    bad = [{"per_page": "0"}, {"per_page": "101"}, {"per_page": "abc"}, {"page": "0"},
           {"page": "1001"}, {"page": "-1"}, {"page": "9" * 40}, {"sort": "random"},
           {"from": "yesterday"}, {"to": "2024-13-01"}, {"from": "2024-02-01", "to": "2024-01-01"},
           {"q": "x" * 10_000}, {"q": "a\x00b"}, {"province": "x" * 500}]
    for params in bad:
        TRIED["api:bounds"] += 1
        r = client.get("/api/search", query_string=params)
        assert r.status_code == 400, (params, r.status_code)
        assert r.get_json()["error"]["message"], params
        assert client.get("/", query_string=params).status_code == 400, params
    r = client.get("/api/suggest", query_string={"q": "x" * 10_000})
    assert r.status_code == 400


# -- ingest sources (issue 20): JSON Lines and WARC bytes of any shape --------------------
_JSON_PIECES = st.sampled_from(['{"url": "https://a.example/1", "body": "Một hai"', "[", "]",
                                "{", "}", '"\\ud800"', '"\\udfff x"', '"title": ', ",", "null",
                                '"published": "0001-01-01"', '"authors": [1]', "1e999", "\n",
                                '"url": "javascript:alert(1)"', "\x00", "\xff"])


def _check_source_items(path) -> list:
    from archive.sources import Failure, Limits, RawItem, RecordError, iter_raw, to_article
    out = []
    for item in iter_raw([path], Limits(max_page_bytes=1 << 16, max_line_bytes=1 << 14)):
        assert isinstance(item, (RawItem, Failure))
        if isinstance(item, Failure):
            item.message.encode("utf-8")  # storable and printable
            out.append(item.reason)
            continue
        try:
            art = to_article(item)
        except (RecordError, CleanError) as exc:
            assert exc.reason and not exc.reason.startswith("error:internal"), exc
            out.append(exc.reason)
            continue
        art.title.encode("utf-8")
        assert art.url.startswith(("http://", "https://", "file:"))
        out.append("ok")
    return out


@fuzz(80)
@given(st.lists(st.one_of(_JSON_PIECES, st.text(max_size=30)), max_size=60),
       st.integers(0, 3000))
def test_jsonl_of_any_shape_is_items_or_failures(tmp_path_factory, pieces, depth) -> None:
    path = tmp_path_factory.mktemp("fz") / "x.jsonl"
    path.write_bytes("".join(pieces).encode("utf-8", "surrogatepass") + b"\n"
                     + b"[" * depth + b"\n")
    with _timed("jsonl source"):
        _check_source_items(path)


@fuzz(60)
@given(st.integers(0, 2000), st.booleans())
def test_warc_cut_anywhere_gives_whole_pages_or_failures(tmp_path_factory, cut, canonical) -> None:
    from tests.hostile import article_html, write_warc
    pages = [(f"https://thtg.vn/bai-{i}",
              article_html(f"Bài {i}", canonical="https://other.example/x" if canonical else None))
             for i in range(3)]
    path = write_warc(tmp_path_factory.mktemp("fz") / "x.warc", pages, truncate_by=cut)
    from archive.sources import RawItem, iter_raw
    with _timed("warc source"):
        items = [i for i in iter_raw([path]) if isinstance(i, RawItem)]
        assert all(i.payload in {p for _, p in pages} for i in items), "partial payload kept"
        reasons = _check_source_items(path)
    assert len(reasons) >= len(items)
