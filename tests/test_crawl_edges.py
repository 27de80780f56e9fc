"""Crawler cases the clinic fixture does not exercise, on a small site written here.

A redirect into an already crawled page, an internal asset that refuses HEAD,
links on an external page, [links] ignore, max_pages with the progress line,
and `scrapy crawl site` from the repo root.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from support.crawl import REPO, run_crawl

from audits.store import read_fetches, read_pages
from crawler.siteserver import SiteServer


def page(title: str, body: str = "") -> str:
    return f"<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>\n"


SITE = {
    "index.html": page("Home", """
        <a href="/about/">About</a> <a href="/blog/">Blog</a> <a href="/chain/">Chain</a>
        <a href="/skip/me/">Ignored</a> <img src="/img/logo.png" alt="logo"> <img src="/img/no-head.png" alt="x">
        <a href="{{external}}/page/">External</a>"""),
    "about/index.html": page("About", '<a href="/">Home</a>'),
    "blog/index.html": page("Blog", '<a href="/blog/post/">Post</a><a href="/about/">About</a>'),
    "blog/post/index.html": page("Post", '<a href="/blog/">Blog</a><img src="/img/logo.png" alt="logo">'),
    "img/logo.png": "PNG",
    "img/no-head.png": "PNG",
    "_routes.toml": """
        [[route]]
        path = "/chain/"
        status = 301
        location = "/about/"
        [[route]]
        path = "/img/no-head.png"
        head_status = 405
    """,
}
EXTERNAL = {
    "page/index.html": page("External", '<a href="/deeper/">Deeper</a>'),
    "deeper/index.html": page("Deeper"),
}


def write_site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        file = root / name
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    base = tmp_path_factory.mktemp("edges")
    with SiteServer(write_site(base / "external", EXTERNAL), host="127.0.0.2") as external, \
            SiteServer(write_site(base / "site", SITE), substitutions={"external": external.origin}) as site:
        config = {"site": {"start_urls": [site.url("/")]}, "links": {"ignore": ["*/skip/*"]}}
        code, summary, stderr = run_crawl(config, base / "out")
        assert code == 0, stderr
        return {
            "site": site, "external": external,
            "site_requests": list(site.requests), "external_requests": list(external.requests),
            "fetches": {f.url: f for f in read_fetches(base / "out")},
            "pages": {p.url: p for p in read_pages(base / "out")},
        }


def test_a_redirect_into_a_crawled_page_is_resolved_without_fetching_it_again(crawled):
    site = crawled["site"]
    assert Counter(crawled["site_requests"])[("GET", "/about/")] == 1
    chain = crawled["fetches"][site.url("/chain/")]
    assert [(h.url, h.status) for h in chain.redirect_chain] == [(site.url("/chain/"), 301)]
    assert chain.final_url == site.url("/about/") and chain.status == 200


def test_assets_are_headed_once_and_fall_back_to_get_when_head_is_refused(crawled):
    site, requests = crawled["site"], crawled["site_requests"]
    assert [m for m, p in requests if p == "/img/logo.png"] == ["HEAD"]  # linked from two pages
    assert [m for m, p in requests if p == "/img/no-head.png"] == ["HEAD", "GET"]
    fetch = crawled["fetches"][site.url("/img/no-head.png")]
    assert fetch.status == 200 and fetch.method == "GET"


def test_links_on_an_external_page_are_not_followed(crawled):
    assert crawled["external_requests"] == [("HEAD", "/page/")]
    assert crawled["fetches"][crawled["external"].url("/page/")].external


def test_ignored_links_are_not_fetched(crawled):
    assert not [r for r in crawled["site_requests"] if r[1].startswith("/skip/")]
    assert not [u for u in crawled["fetches"] if "/skip/" in u]


def test_max_pages_stops_crawling_but_still_checks_links_and_shows_progress(tmp_path):
    with SiteServer(write_site(tmp_path / "site", SITE), substitutions={"external": "http://127.0.0.2:9"}) as site:
        config = {"site": {"start_urls": [site.url("/")]}, "crawl": {"max_pages": 2, "check_external": False}}
        code, summary, stderr = run_crawl(config, tmp_path / "out", progress=True)
        requests = list(site.requests)
    assert code == 0, stderr
    assert summary["pages"] == 2
    page_gets = [p for m, p in requests if m == "GET" and p.endswith("/")]
    assert len(page_gets) == 2
    assert ("HEAD", "/chain/") in requests  # over the limit: checked, not crawled
    assert stderr.strip().splitlines()[-1].startswith("siteproof: 2 pages, ")


def test_scrapy_crawl_site_works_from_the_repo_root(tmp_path):
    with SiteServer(write_site(tmp_path / "site", SITE), substitutions={"external": "http://127.0.0.2:9"}) as site:
        proc = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "site", "-a", f"url={site.url('/')}",
                               "-a", f"out={tmp_path / 'out'}"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert site.url("/blog/post/") in {p.url for p in read_pages(tmp_path / "out")}


CHECK = textwrap.dedent("""
    import json, sys
    from audits.config import from_dict
    from crawler.run import check_urls
    fetches = check_urls(json.loads(sys.argv[1]), from_dict({}))
    print(json.dumps([f.to_dict() for f in fetches]))
""")


def test_check_urls_checks_each_url_once_and_crawls_nothing(tmp_path):
    import json

    with SiteServer(write_site(tmp_path / "external", EXTERNAL), host="127.0.0.2") as external:
        urls = [external.url("/page/#top"), external.url("/gone/")]
        proc = subprocess.run([sys.executable, "-c", CHECK, json.dumps(urls)], cwd=REPO,
                              capture_output=True, text=True, timeout=60)
        requests = list(external.requests)
    assert proc.returncode == 0, proc.stderr
    fetches = {f["url"]: f for f in json.loads(proc.stdout)}
    assert fetches[external.url("/gone/")]["status"] == 404
    assert fetches[external.url("/page/")]["anchors"] == []  # the page has no ids; it was read for them
    assert sorted(requests) == [("GET", "/page/"), ("HEAD", "/gone/")]
