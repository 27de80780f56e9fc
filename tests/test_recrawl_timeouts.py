"""A citation that hangs costs its retries once: on the next run a second timeout in a row is final.

Real loopback servers: the site links one external page that never answers
within ``timeout_s``; the external server's request log counts the attempts.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from support.e2e import read_report, siteproof
from support.sites import EXTERNAL_HOST

from crawler.siteserver import Route, SiteServer


def _broken_targets(out: Path) -> set[str]:
    return {f["target"] for f in read_report(out)["findings"] if f["rule"] == "broken-link"}


def test_a_timeout_twice_in_a_row_is_not_retried(tmp_path):
    ext_root, site_root = tmp_path / "external", tmp_path / "site"
    ext_root.mkdir()
    site_root.mkdir()
    (ext_root / "slow.html").write_text("<title>Slow</title><p>Eventually.</p>", encoding="utf-8")
    try:
        external = SiteServer(ext_root, host=EXTERNAL_HOST).start()
    except OSError as exc:
        pytest.skip(f"cannot bind {EXTERNAL_HOST}: {exc}")
    with external, SiteServer(site_root) as site:
        external.routes.append(Route(path="/slow.html", delay_s=3))
        (site_root / "index.html").write_text(
            '<!DOCTYPE html><html lang="en"><head><title>Home</title></head><body><main><h1>Home</h1>'
            f'<p>As <a href="{external.origin}/slow.html">a study</a> shows.</p></main></body></html>',
            encoding="utf-8")
        (tmp_path / "siteproof.toml").write_text("[crawl]\ntimeout_s = 1\nretries = 2\n", encoding="utf-8")
        asked = []
        for name in ("first", "again", "full"):
            external.clear_requests()
            extra = ("--full",) if name == "full" else ()
            proc = siteproof("crawl", site.url("/"), "--out", tmp_path / name, *extra, cwd=tmp_path)
            assert proc.returncode == 1, proc.stderr  # the timeout is a broken link every time
            assert _broken_targets(tmp_path / name) == {f"{external.origin}/slow.html"}
            asked.append(sum(1 for _, path in external.requests if path == "/slow.html"))
    assert asked == [3, 1, 3]  # retried; not retried after a timeout last time; --full takes nothing
