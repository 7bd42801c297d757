"""robots.txt as news sites write it (RFC 9309 groups, wildcards, Crawl-delay, Sitemap)."""
from __future__ import annotations

from archive.crawl.robots import Robots, agent_token


def test_robots_rules():
    text = ("User-agent: *\nDisallow: /\n\nUser-agent: Googlebot\nUser-agent: vnarchive\n"
            "Disallow: /*.pdf$\nDisallow: /tim-kiem\nAllow: /tim-kiem/huong-dan\nCrawl-delay: 2\n"
            "Sitemap: https://bao.example/sitemap.xml\n")
    r = Robots.parse(text, "vnarchive/0.1 (+https://example.org)")
    assert r.allowed("https://bao.example/tin-tuc/a.html")
    assert not r.allowed("https://bao.example/tai-lieu/a.pdf") and r.allowed("/tai-lieu/a.pdf?x=1")
    assert not r.allowed("/tim-kiem?q=lu") and r.allowed("/tim-kiem/huong-dan")
    assert r.crawl_delay == 2 and r.sitemaps == ["https://bao.example/sitemap.xml"]
    assert not Robots.parse(text, "otherbot/1.0").allowed("/tin-tuc/a.html")
    assert Robots.parse("", "vnarchive").allowed("/any")


def test_robots_group_token_is_exact():
    text = "User-agent: vn\nDisallow: /\n\nUser-agent: *\nDisallow: /rieng/\n"
    r = Robots.parse(text, "vnarchive/0.1")
    assert r.allowed("/tin/a.htm") and not r.allowed("/rieng/x")


def test_agent_token_is_the_product_name():
    assert agent_token("vnarchive/0.1 (+https://example.org)") == "vnarchive"


def test_allow_all_and_deny_all():
    assert Robots.allow_all().allowed("/x") and not Robots.deny_all().allowed("/x")
