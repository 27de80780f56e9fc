"""What a crawl covers: how far it goes (max_depth) and which pages the sitemap names."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from crawler.siteserver import SiteServer

REPO = Path(__file__).resolve().parent.parent


def crawl(site: Path, work: Path, config: str = "") -> tuple[subprocess.CompletedProcess, dict, str]:
    """Crawl ``site`` from a loopback server: the process, report.json, and the server's root URL."""
    work.mkdir()
    (work / "siteproof.toml").write_text(config, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with SiteServer(site) as server:
        proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", server.url("/"), "--no-history", "-q",
                               "--out", str(work / "out")], cwd=work, env=env, capture_output=True, text=True,
                              timeout=180)
    assert proc.returncode in (0, 1), proc.stderr
    return proc, json.loads((work / "out" / "report.json").read_text(encoding="utf-8")), server.url("/")


def write_pages(site: Path, pages: dict[str, str]) -> None:
    for path, body in pages.items():
        (site / path).mkdir(parents=True, exist_ok=True)
        (site / path / "index.html").write_text(f"<title>{path or 'Home'}</title><h1>x</h1>{body}", encoding="utf-8")


def test_pages_past_max_depth_are_counted_and_named_in_the_summary(tmp_path: Path):
    """A chain of pages passes max_depth: the crawl must say it left pages unaudited."""
    chain = ["", "a/", "a/b/", "a/b/c/", "a/b/c/d/"]
    write_pages(tmp_path / "site", {here: f'<a href="/{there}">Further</a>' if there is not None else ""
                                    for here, there in zip(chain, chain[1:] + [None])})
    proc, report, root = crawl(tmp_path / "site", tmp_path / "work", "[crawl]\nmax_depth = 2\n")
    assert sorted(p["url"].removeprefix(root) for p in report["pages"]) == ["", "a/", "a/b/"]
    assert report["crawl"]["beyond_max_depth"] == 1  # a/b/c/, linked from a/b/ at depth 2; a/b/c/d/ unseen
    assert "1 linked page lies deeper than max_depth" in proc.stderr


def test_a_list_longer_than_max_depth_is_followed_to_its_last_page_and_its_posts_audited(tmp_path: Path):
    """A real WordPress blog's "Older posts" chain ran to /page/109/; counted a level a page, the crawl stopped
    at /page/51/ and a third of its posts were never audited. Only the next page keeps the depth: a jump to a
    later page, or a numbered link elsewhere, is a level deeper as any link."""
    pages = {"": '<a href="/page/2/">Older posts</a> <a href="/post-1/">Post 1</a>', "post-1/": "<p>One</p>"}
    for n in range(2, 7):
        older = f'<a href="/page/{n + 1}/">Older posts</a>' if n < 6 else '<a href="/page/9/">Page 9</a>'
        pages[f"page/{n}/"] = f'{older} <a href="/post-{n}/">Post {n}</a>'
        pages[f"post-{n}/"] = f"<p>Post {n}</p>"
    pages["page/9/"] = '<a href="/post-9/">Post 9</a>'
    pages["post-9/"] = "<p>Post 9</p>"
    write_pages(tmp_path / "site", pages)
    _, report, root = crawl(tmp_path / "site", tmp_path / "work", "[crawl]\nmax_depth = 1\n")
    crawled = {p["url"].removeprefix(root) for p in report["pages"]}
    assert {f"page/{n}/" for n in range(2, 7)} | {f"post-{n}/" for n in range(1, 7)} <= crawled
    # /page/6/ -> /page/9/ skips pages: a level deeper (1), so its post (2) is past max_depth.
    assert "page/9/" in crawled and "post-9/" not in crawled
    assert report["crawl"]["beyond_max_depth"] == 1


def test_a_preview_whose_sitemap_names_production_finds_only_its_real_orphan(tmp_path: Path):
    """A local build or staging copy serves the production sitemap: its host is not the crawled one, but its
    paths are this site's pages (a crawl of a real export reported each of its 94 linked pages an orphan)."""
    site = tmp_path / "site"
    write_pages(site, {"": '<a href="/about/">About</a>', "about/": "<p>About us</p>", "hidden/": "<p>Old</p>"})
    urls = "".join(f"<url><loc>https://www.clinic-production.example/{p}</loc></url>" for p in ("", "about/", "hidden/"))
    (site / "sitemap.xml").write_text(f'<?xml version="1.0"?><urlset>{urls}</urlset>', encoding="utf-8")
    _, report, root = crawl(site, tmp_path / "work")
    assert [f["url"] for f in report["findings"] if f["rule"] == "orphan-page"] == [root + "hidden/"]
