"""`siteproof check --external` checks a build folder's external links as a crawl does, each URL once."""
from __future__ import annotations

from collections import Counter

import pytest
from support.e2e import BUILD_ORIGIN, EXTERNAL_KEY, Run, render_build, siteproof, write_config
from support.sites import start_external


@pytest.fixture(scope="module")
def external_check(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e-external")
    server = start_external()
    try:
        render_build(root / "build", external=server.origin)
        config = write_config(root / "check.toml", canonical_url=BUILD_ORIGIN)
        proc = siteproof("check", "build", "--external", "--config", config, "--out", root / "report", cwd=root)
        requests = list(server.requests)
    finally:
        server.stop()
    return Run(proc, root, root / "report", config, BUILD_ORIGIN, server.origin), requests


def external_keys(run):
    return Counter(k for k in run.keys() if k[2].startswith(EXTERNAL_KEY))


def test_external_findings_match_the_crawl(external_check, clinic_crawl):
    run, _ = external_check
    assert run.proc.returncode == 1, run.proc.stderr
    crawl = clinic_crawl
    assert external_keys(run) == external_keys(crawl)
    assert {rule for rule, _, _ in external_keys(run)} == {"broken-link", "broken-fragment", "unverifiable-link"}


def test_each_external_url_is_requested_once_per_method(external_check):
    _, requests = external_check
    assert requests, "no external request was made"
    repeated = [r for r, n in Counter(requests).items() if n > 1 and r[1] != "/robots.txt"]
    assert repeated == []
