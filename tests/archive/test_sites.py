"""Site profiles: one loader for the cleaner's [extract] and the crawler's [crawl] tables."""
from __future__ import annotations

from pathlib import Path

from archive.sites import (SITES_DIR, crawl_profiles, load_crawl_profiles, load_profiles,
                           profile_for)

TOML = '''
[extract]
body = "div.noi-dung"
aliases = ["m.bao-thu.vn"]
[crawl]
start_urls = ["https://bao-thu.vn/", "https://tin.bao-thu.vn/moi"]
rss = ["https://bao-thu.vn/rss"]
article_pattern = "-\\\\d+\\\\.html$"
'''


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.toml").write_text(text, encoding="utf-8")


def test_one_file_gives_both_profiles(tmp_path):
    _write(tmp_path, "bao-thu.vn", TOML)
    ext = load_profiles(tmp_path)["bao-thu.vn"]
    assert ext.body == ("div.noi-dung",) and load_profiles(tmp_path)["m.bao-thu.vn"] is ext
    crawl = load_crawl_profiles(tmp_path)["bao-thu.vn"]
    assert crawl.start_urls[0] == "https://bao-thu.vn/" and crawl.rss == ("https://bao-thu.vn/rss",)
    assert set(crawl.allowed_hosts) == {"bao-thu.vn", "tin.bao-thu.vn"}  # from the start urls


def test_broken_or_tableless_files_are_skipped(tmp_path):
    _write(tmp_path, "hong.vn", "[extract\nbody = ")
    _write(tmp_path, "chi-crawl.vn", '[crawl]\nstart_urls = ["https://chi-crawl.vn/"]\n')
    assert load_profiles(tmp_path) == {}
    assert list(load_crawl_profiles(tmp_path)) == ["chi-crawl.vn"]


def test_env_folder_overrides_the_repo_for_both_tables(tmp_path, monkeypatch):
    repo_sites = {p.stem for p in SITES_DIR.glob("*.toml")}
    assert "thtg.vn" in repo_sites
    _write(tmp_path, "thtg.vn", '[crawl]\nstart_urls = ["https://thtg.vn/khac"]\n'
                               '[extract]\nbody = "div.khac"\n')
    monkeypatch.setenv("VNARCHIVE_SITES_DIR", str(tmp_path))
    assert crawl_profiles()["thtg.vn"].start_urls == ("https://thtg.vn/khac",)
    assert profile_for("www.thtg.vn").body == ("div.khac",)
    monkeypatch.delenv("VNARCHIVE_SITES_DIR")
    assert crawl_profiles()["thtg.vn"].start_urls != ("https://thtg.vn/khac",)


def test_an_explicit_folder_is_the_only_source(tmp_path):
    _write(tmp_path, "mot.vn", '[crawl]\nstart_urls = ["https://mot.vn/"]\n')
    assert list(crawl_profiles(tmp_path)) == ["mot.vn"]
