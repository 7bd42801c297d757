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
    assert "Tỉnh/thành" in r.output


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
    assert r.exit_code == 0, r.output
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
