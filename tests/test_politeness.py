"""Politeness as the server sees it: never more requests at once than [crawl] concurrency_per_host,
over connections that are kept alive."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from crawler.siteserver import SiteServer

REPO = Path(__file__).resolve().parent.parent
PAGES = 30


def write_site(root: Path) -> None:
    links = "".join(f'<li><a href="/p{i}/">Post {i}</a></li>' for i in range(PAGES))
    (root / "index.html").write_text(f"<title>Home</title><h1>Home</h1><ul>{links}</ul>", encoding="utf-8")
    for i in range(PAGES):
        (root / f"p{i}").mkdir()
        (root / f"p{i}" / "index.html").write_text(
            f'<title>Post {i}</title><h1>Post {i}</h1><img src="/p{i}/photo.png" alt="">', encoding="utf-8")


def test_a_crawl_keeps_to_the_per_host_limit(tmp_path: Path):
    site = tmp_path / "site"
    site.mkdir()
    write_site(site)
    work = tmp_path / "work"
    work.mkdir()
    (work / "siteproof.toml").write_text("[crawl]\nconcurrency = 32\nconcurrency_per_host = 2\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    # A little latency keeps requests overlapping, so an unenforced limit shows at the server.
    with SiteServer(site, latency_s=0.05) as server:
        proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", server.url("/"), "--no-history", "-q",
                               "--out", str(work / "out")], cwd=work, env=env, capture_output=True, text=True,
                              timeout=180)
        assert proc.returncode in (0, 1), proc.stderr
        assert server.requested("/p29/") == 1  # the whole site was crawled...
        assert len(server.requests) > 2 * PAGES
        assert server.peak_in_flight == 2  # ...two at a time, never more
        # Connections are kept alive and reused, not opened per request, and the report counts both.
        assert server.connections_opened <= 2
        crawl = json.loads((work / "out" / "report.json").read_text(encoding="utf-8"))["crawl"]
        assert crawl["requests"] == len(server.requests)
        assert crawl["connections"] == server.connections_opened
