"""The crawler end to end on the clinic fixture: one crawl, assertions on the record and the servers' logs.

The crawl runs in a child process (Twisted's reactor cannot restart); the
servers run here so their request logs can be read. The module starts its own
clinic and external servers so the logs hold this crawl's requests only and
the clinic's answer-503-once route is still fresh. A 2 s timeout bounds the
hanging URL.
"""
from __future__ import annotations

import tomllib
from collections import Counter
from pathlib import Path

import pytest

from audits.model import Fetch, Page
from audits.store import read_fetches, read_pages, read_sitemap
from crawler.siteserver import SiteServer
from support.crawl import run_crawl
from support.sites import CLINIC, EXTERNAL, EXTERNAL_HOST, load_expected, new_clinic_server

class Crawl:
    """What one crawl left behind: its record, and what each server was asked."""

    def __init__(self, out: Path, code: int, summary: dict, stderr: str, site: SiteServer, external: SiteServer):
        self.code, self.summary, self.stderr = code, summary, stderr
        self.site, self.external = site, external
        self.site_requests = list(site.requests)
        self.external_requests = list(external.requests)
        self.fetch_lines: list[Fetch] = list(read_fetches(out))
        self.fetches = {f.url: f for f in self.fetch_lines}
        self.pages: dict[str, Page] = {p.url: p for p in read_pages(out)}
        self.sitemap = read_sitemap(out)
        self.expected = load_expected(site.origin, external.origin)

    def url(self, path: str) -> str:
        if "{{external}}" in path:
            return path.replace("{{external}}", self.external.origin)
        return path if "://" in path else self.site.url(path)

    def fetch(self, path: str) -> Fetch:
        return self.fetches[self.url(path).split("#", 1)[0]]

    def requested(self, path: str, server: str = "site") -> list[str]:
        """The methods ``path`` was requested with, in order."""
        log = self.site_requests if server == "site" else self.external_requests
        return [method for method, p in log if p == path]


@pytest.fixture(scope="module")
def crawl(tmp_path_factory) -> Crawl:
    out = tmp_path_factory.mktemp("clinic-crawl")
    with SiteServer(EXTERNAL, host=EXTERNAL_HOST) as external, new_clinic_server(external) as site:
        config = {"site": {"start_urls": [site.url("/")]}, "crawl": {"timeout_s": 2}}
        code, summary, stderr = run_crawl(config, out)
        return Crawl(out, code, summary, stderr, site, external)


def _routes(status: int) -> list[str]:
    routes = tomllib.loads((CLINIC / "_routes.toml").read_text(encoding="utf-8"))["route"]
    return [r["path"] for r in routes if r.get("status") == status]


def test_the_crawl_finishes_quietly(crawl):
    assert crawl.code == 0, crawl.stderr
    assert crawl.stderr == ""  # no Scrapy noise without --verbose or a terminal
    assert crawl.summary["pages"] == len(crawl.pages)
    assert crawl.summary["fetches"] == len(crawl.fetch_lines)


def _transient() -> list[str]:
    """Routes answering 5xx or hanging past the timeout: retried on purpose (counted in their own tests)."""
    routes = tomllib.loads((CLINIC / "_routes.toml").read_text(encoding="utf-8"))["route"]
    return [r["path"] for r in routes if r.get("status", 200) >= 500 or r.get("delay_s", 0) > 2]


def test_no_url_is_requested_twice_with_the_same_method_except_counted_retries(crawl):
    counts = Counter(crawl.site_requests)
    counts.update(("external",) + r for r in crawl.external_requests)
    # Every repeat is a retry the crawl counted (5xx, the hanging URL, or a timeout on a loaded
    # machine), and no URL is asked more than 1 + retries (2 by default) times.
    assert sum(n - 1 for n in counts.values()) == crawl.summary["retries"]
    assert max(counts.values()) <= 3
    assert {r[1] for r, n in counts.items() if n > 1} >= set(_transient())
    assert len(crawl.fetch_lines) == len(crawl.fetches)  # one record per distinct URL


def test_robots_disallowed_urls_are_recorded_but_never_requested(crawl):
    for path in crawl.expected["never_requested"]:
        assert crawl.requested(path) == []
        assert crawl.fetch(path).error == "robots-disallowed"


def test_every_linked_page_is_crawled_once_with_a_page_and_a_fetch(crawl):
    orphan = crawl.url("/blog/summer-hydration-weight-loss/")
    for url in crawl.expected["pages"]["articles"] + crawl.expected["pages"]["others"]:
        if url == orphan:
            continue
        assert url in crawl.pages, url
        assert crawl.fetches[url].status == 200
        path = url[len(crawl.site.origin):]
        if path not in _routes(503):
            assert crawl.requested(path) == ["GET"]


def test_sitemaps_are_followed_from_robots_and_listed_not_crawled(crawl):
    orphan = "/blog/summer-hydration-weight-loss/"
    assert crawl.sitemap["found"]
    assert crawl.url(orphan) in crawl.sitemap["urls"]
    assert crawl.requested(orphan) == []
    assert crawl.requested("/post-sitemap.xml") == ["GET"] and crawl.requested("/page-sitemap.xml") == ["GET"]


def test_the_expected_broken_and_redirected_links_are_recorded_so(crawl):
    for finding in crawl.expected["finding"]:
        if finding["rule"] == "broken-link":
            assert crawl.fetch(finding["target"]).is_broken, finding
        elif finding["rule"] == "redirected-link":
            fetch = crawl.fetch(finding["target"])
            assert fetch.is_redirected and not fetch.is_broken, finding


def test_redirect_chains_are_recorded_hop_by_hop(crawl):
    one = crawl.fetch("/weight-loss/")
    assert [(h.url, h.status) for h in one.redirect_chain] == [(crawl.url("/weight-loss/"), 301)]
    assert one.final_url == crawl.url("/medical-weight-loss-fresno/") and one.status == 200
    chain = crawl.fetch("/specials/")
    assert [h.status for h in chain.redirect_chain] == [301, 302, 301]
    assert chain.final_url == crawl.url("/services/") and chain.status == 200


def test_a_redirect_loop_is_named(crawl):
    loop = crawl.fetch("/blog-archive/")
    assert loop.error == "redirect-loop"
    assert [h.url for h in loop.redirect_chain] == [crawl.url("/blog-archive/"), crawl.url("/archive/")]
    assert crawl.requested("/blog-archive/") == ["GET"] and crawl.requested("/archive/") == ["GET"]


def test_503_is_retried_after_retry_after_then_judged(crawl):
    once = crawl.expected["tricky"]["retried_then_ok"]
    assert crawl.requested(once) == ["GET", "GET"]
    assert crawl.fetch(once).status == 200
    always = "/insurance-verification/"
    assert crawl.requested(always) == ["GET"] * 3  # the default: 2 retries
    assert crawl.fetch(always).status == 503


def test_a_hanging_url_times_out(crawl):
    fetch = crawl.fetch("/lab-results/")
    assert fetch.error == "timeout" and fetch.status is None
    assert crawl.requested("/lab-results/") == ["GET"] * 3  # a timeout is retried: the default 2 retries


def test_a_persistent_500_is_retried_then_reported_broken(crawl):
    assert crawl.requested("/patient-portal/") == ["GET"] * 3
    assert crawl.fetch("/patient-portal/").status == 500
    assert crawl.summary["retries"] >= 2 * 3 + 1  # 500, 503 and the timeout twice each; the 503-once route once
    assert crawl.summary["recovered"] >= 1


def test_gzip_and_latin1_pages_are_decoded(crawl):
    tricky = crawl.expected["tricky"]
    assert crawl.pages[crawl.url(tricky["latin1_page"])].title == tricky["latin1_title"]
    assert len(crawl.pages[crawl.url(tricky["gzip_page"])].h1s) == 2


def test_external_urls_are_checked_never_crawled(crawl):
    linked = {link.fetch_url for page in crawl.pages.values() for link in page.links}
    for method, path in crawl.external_requests:
        assert crawl.external.url(path) in linked, path
    assert not [url for url in crawl.pages if url.startswith(crawl.external.origin)]
    missing = crawl.fetch("{{external}}/missing-study/")
    assert missing.status == 404 and missing.external and missing.method == "HEAD"


def test_external_pages_with_a_linked_fragment_are_fetched_once_for_their_ids(crawl):
    assert crawl.requested("/study/", "external") == ["GET"]
    assert crawl.requested("/ok/", "external") == ["GET"]  # also linked without a fragment, protocol-relative
    assert set(crawl.fetch("{{external}}/study/").anchors) >= {"methods", "results"}
    assert "dosing" in crawl.fetch("{{external}}/ok/").anchors


def test_head_refused_falls_back_to_get(crawl):
    path = "/no-head/"
    assert crawl.requested(path, "external") == ["HEAD", "GET"]
    fetch = crawl.fetch("{{external}}" + path)
    assert fetch.status == 200 and fetch.method == "GET"


def test_a_bot_wall_is_a_challenge_not_a_plain_403(crawl):
    fetch = crawl.fetch("{{external}}/blocked/")
    assert fetch.status == 403 and fetch.challenge


def test_internal_fragments_are_read_from_the_page(crawl):
    assert crawl.requested("/contact/") == ["GET"]
    assert "hours" in crawl.pages[crawl.url("/contact/")].anchors


def test_links_that_are_not_http_are_never_fetched(crawl):
    assert not [u for u in crawl.fetches if not u.startswith(("http://", "https://"))]


def test_an_unreachable_start_url_is_a_config_error(tmp_path):
    code, result, stderr = run_crawl({"site": {"start_urls": ["http://127.0.0.1:9/"]}}, tmp_path / "out")
    assert code == 2, stderr
    assert result["config_error"] == "cannot reach http://127.0.0.1:9/: connection refused"


def test_a_link_longer_than_2083_characters_is_checked_not_dropped(tmp_path):
    # Scrapy's UrlLengthMiddleware (off since the re-crawl work) dropped such a link without a result;
    # browsers and servers follow far longer URLs, and a tracking link can be that long.
    site = tmp_path / "site"
    (site / "page").mkdir(parents=True)
    long_query = "q=" + "x" * 2500
    (site / "index.html").write_text(f'<title>Home</title><h1>Home</h1><a href="/page/?{long_query}">Page</a>')
    (site / "page" / "index.html").write_text("<title>Page</title><h1>Page</h1><p>Hi.</p>")
    with SiteServer(site) as server:
        code, summary, stderr = run_crawl({"site": {"start_urls": [server.url("/")]}}, tmp_path / "out")
        requested = [path for _method, path in server.requests]
    assert code in (0, 1), stderr
    fetches = {f.url: f for f in read_fetches(tmp_path / "out")}
    long_url = server.url(f"/page/?{long_query}")
    assert fetches[long_url].status == 200
    assert f"/page/?{long_query}" in requested
