"""The CLI through Click's CliRunner, and as a real console script."""
import json
import subprocess
import sys

from click.testing import CliRunner

from vnarchive_cli import cli

from tests.conftest import ROOT, SEED_PAGE, SEED_URL, shared_path


def run(*args, env=None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


def test_search_prints_results_and_facets(archive_dir):
    r = run("search", "giam ngheo", "--data-dir", str(archive_dir), "--province", "Long An")
    assert r.exit_code == 0, r.output
    assert "Lãnh đạo huyện Tân Trụ" in r.output and "Long An" in r.output
    assert "Province: " in r.output and "results (" in r.output  # the CLI speaks English


def test_search_json_is_the_api_shape(archive_dir):
    r = run("search", "giảm nghèo", "--data-dir", str(archive_dir), "--json")
    res = json.loads(r.output)
    assert any(h["url"] == SEED_URL for h in res["results"])
    assert set(res["facets"]) >= {"province", "official", "program", "site", "year"}


def test_data_dir_from_environment(archive_dir):
    r = run("search", "giảm nghèo", "--json", env={"VNARCHIVE_DATA_DIR": str(archive_dir)})
    assert r.exit_code == 0 and json.loads(r.output)["total"] >= 1


def test_ingest_reports_and_reindex(fresh_dir):
    listing = shared_path("corpus", "html", "tuoitre.vn", "list.html")
    r = run("ingest", str(SEED_PAGE), str(listing), "--data-dir", str(fresh_dir))
    assert r.exit_code == 3, r.output  # one of the two items failed
    assert "1 added" in r.output and "1 failed" in r.output and "not-article" in r.output
    r = run("reindex", "--data-dir", str(fresh_dir))
    assert r.exit_code == 0 and "reindexed 1 articles" in r.output


def test_errors_are_one_line_without_traceback(fresh_dir, tmp_path):
    cases = [
        ("ingest", str(tmp_path / "nope.html"), "--data-dir", str(fresh_dir)),
        ("search", "x", "--data-dir", str(tmp_path / "empty")),
        ("search", "x", "--from", "2024-99-01", "--data-dir", str(fresh_dir)),
        ("reindex", "--data-dir", str(tmp_path / "empty")),
    ]
    for args in cases:
        r = CliRunner().invoke(cli, list(args))
        assert r.exit_code != 0, args
        assert "Traceback" not in r.output and "Error" in r.output, r.output


def test_every_command_has_help_with_an_example():
    for name in ("ingest", "reindex", "search", "serve"):
        r = run(name, "--help")
        assert r.exit_code == 0 and "Example" in r.output and "--data-dir" in r.output


def test_runs_as_python_module(archive_dir):
    out = subprocess.run([sys.executable, "-m", "vnarchive_cli", "search", "giảm nghèo",
                          "--data-dir", str(archive_dir), "--json"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["total"] >= 1


# -- issue 19: exit codes, one location per message, JSON errors, export ------------------
def _records(path, good: int, bad: int):
    lines = [json.dumps({"url": f"https://ma-thoat.example/{i}", "title": f"Bài {i}",
                         "body": "Xã Tân Trụ khởi công đường giao thông nông thôn."},
                        ensure_ascii=False) for i in range(good)]
    lines += [json.dumps({"title": "thiếu url", "body": "x"})] * bad
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_ingest_exit_codes(tmp_path):
    cases = {"all-good": (2, 0, 0), "some-failed": (1, 4, 3), "all-failed": (0, 3, 4)}
    for name, (good, bad, code) in cases.items():
        src = _records(tmp_path / f"{name}.jsonl", good, bad)
        r = CliRunner().invoke(cli, ["ingest", str(src), "--data-dir", str(tmp_path / name)])
        assert r.exit_code == code, (name, r.output)
        assert "Traceback" not in r.output
    assert CliRunner().invoke(cli, ["ingest", "--bogus", "x"]).exit_code == 2
    assert CliRunner().invoke(cli, ["ingest"]).exit_code == 2


def test_failure_messages_name_the_location_once(tmp_path):
    src = _records(tmp_path / "bad.jsonl", 1, 1)
    r = CliRunner().invoke(cli, ["ingest", str(src), "--data-dir", str(tmp_path / "d")])
    line = next(x for x in r.output.splitlines() if "field 'url' is required" in x)
    assert line.count(f"{src}:2") == 1, line


def test_year_must_be_a_year(archive_dir):
    r = CliRunner().invoke(cli, ["search", "x", "--year", "abc", "--data-dir", str(archive_dir)])
    assert r.exit_code == 2 and "abc" in r.output and "year" in r.output
    assert run("search", "giảm nghèo", "--year", "2024", "--data-dir",
               str(archive_dir)).exit_code == 0


def test_search_json_errors_are_json(archive_dir, tmp_path):
    cases = [(["--year", "abc", "--data-dir", str(archive_dir)], 2, "usage_error"),
             (["--from", "2024-99-01", "--data-dir", str(archive_dir)], 2, "usage_error"),
             (["--data-dir", str(tmp_path / "empty")], 1, "no_index"),
             (["--from", "2025-01-01", "--to", "2024-01-01", "--data-dir", str(archive_dir)],
              1, "bad_request")]
    for args, code, kind in cases:
        out = subprocess.run([sys.executable, "-m", "vnarchive_cli", "search", "x", "--json",
                              *args], capture_output=True, text=True, cwd=ROOT, timeout=120)
        assert out.returncode == code, (args, out.stdout, out.stderr)
        err = json.loads(out.stdout)["error"]
        assert err["code"] == kind and err["message"], (args, err)


def test_serve_on_a_busy_port_fails_before_serving(archive_dir):
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "vnarchive_cli", "serve", "--data-dir",
                              str(archive_dir), "--port", str(port)],
                             capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 1 and "cannot listen" in out.stderr
    assert "serving" not in out.stdout


def test_export_streams_every_match_as_csv_and_jsonl(archive_dir):
    total = json.loads(run("search", "giảm nghèo", "--json", "--data-dir",
                           str(archive_dir)).output)["total"]
    r = run("export", "giảm nghèo", "--data-dir", str(archive_dir))
    assert r.exit_code == 0, r.output
    import csv
    import io
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert len(rows) == total and rows[0]["permalink"].startswith("http://127.0.0.1:5000/articles/")
    assert {"sapo", "authors", "snippet"} <= set(rows[0])
    r = run("export", "giảm nghèo", "--format", "jsonl", "--province", "Long An",
            "--data-dir", str(archive_dir), env={"VNARCHIVE_BASE_URL": "https://kho.example"})
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert lines and all("Long An" in x["provinces"] for x in lines)
    assert lines[0]["permalink"] == f"https://kho.example/articles/{lines[0]['id']}"


def test_export_has_no_cap(tmp_path):
    src = _records(tmp_path / "many.jsonl", 12, 0)
    CliRunner().invoke(cli, ["ingest", str(src), "--data-dir", str(tmp_path / "d")])
    from indexer import ArchiveSearcher, SearchRequest
    s = ArchiveSearcher(tmp_path / "d")
    try:
        chunks = list(s.export_chunks(SearchRequest(q="đường"), None, chunk=5))
    finally:
        s.close()
    assert [len(c) for c in chunks] == [5, 5, 2]  # read in chunks, every match


def test_search_warns_when_the_index_is_older_than_this_vnarchive(copy_of_archive):
    from indexer.generations import FORMAT_FILE, current_path
    fresh = CliRunner().invoke(cli, ["search", "giảm nghèo", "--data-dir", str(copy_of_archive)])
    assert fresh.exit_code == 0 and "warning" not in fresh.stderr
    (current_path(copy_of_archive) / FORMAT_FILE).unlink()
    old = CliRunner().invoke(cli, ["search", "giảm nghèo", "--data-dir", str(copy_of_archive), "--json"])
    assert old.exit_code == 0 and "vnarchive reindex" in old.stderr
    assert json.loads(old.stdout)["total"] >= 1  # the JSON on stdout stays parseable


# -- issue 19c: --not-X, the page's -X= ----------------------------------------------------
def test_every_facet_has_an_exclusion_option():
    from indexer.search import FACETS
    from vnarchive_cli import FILTERS
    assert {name for name, _, _ in FILTERS} == set(FACETS)
    text = run("search", "--help").output
    for name in FACETS:
        assert f"--not-{name.replace('_', '-')}" in text
    assert '--not-province "Long An"' in text  # the help's example


def test_not_province_leaves_it_out_like_the_api(archive_dir, client):
    q = {"q": "giảm nghèo", "per_page": 100}
    everything = client.get("/api/search", query_string=q).get_json()
    api = client.get("/api/search", query_string={**q, "-province": "Long An"}).get_json()
    assert 0 < api["total"] < everything["total"]  # it leaves something out, not everything
    r = run("search", "giảm nghèo", "--not-province", "Long An", "--json", "--limit", "100",
            "--data-dir", str(archive_dir))
    res = json.loads(r.stdout)
    assert res["total"] == api["total"]
    assert [h["id"] for h in res["results"]] == [h["id"] for h in api["results"]]
    assert all("Long An" not in h["provinces"] for h in res["results"])
    text = run("search", "giảm nghèo", "--not-province", "Long An", "--data-dir",
               str(archive_dir)).output
    assert text.startswith(f"{api['total']} results")
    r = run("export", "giảm nghèo", "--not-province", "Long An", "--format", "jsonl",
            "--data-dir", str(archive_dir))
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(rows) == api["total"] and all("Long An" not in x["provinces"] for x in rows)


def test_every_exclusion_option_agrees_with_the_api(archive_dir, client):
    from vnarchive_cli import FILTERS
    whole = client.get("/api/search").get_json()
    facets = whole["facets"]
    for name, _, _ in FILTERS:
        values = [v["value"] for v in facets.get(name) or []][:2]
        assert values, name  # the session archive has values for every facet
        api = client.get("/api/search", query_string=[("-" + name, v) for v in values]
                         ).get_json()
        flags = [x for v in values for x in (f"--not-{name.replace('_', '-')}", v)]
        res = json.loads(run("search", "--json", *flags, "--data-dir", str(archive_dir)).stdout)
        assert res["total"] == api["total"] < whole["total"], (name, values)


def test_not_year_must_be_a_year(archive_dir):
    r = CliRunner().invoke(cli, ["search", "x", "--not-year", "24", "--data-dir",
                                 str(archive_dir)])
    assert r.exit_code == 2 and "24" in r.output and "year" in r.output
