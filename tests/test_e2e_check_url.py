"""`siteproof check URL` audits a staging draft: that page only, its links checked, nothing crawled."""
from __future__ import annotations

import pytest
from support.e2e import read_report, siteproof, write_config
from support.sites import new_clinic_server, start_external


DRAFT = "/blog/ketamine-therapy-for-depression/"


@pytest.fixture(scope="module")
def draft_check(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e-check-url")
    external = start_external()
    try:
        with new_clinic_server(external) as site:
            config = write_config(root / "check.toml", canonical_url=site.origin)
            proc = siteproof("check", site.url(DRAFT), "--config", config, "--format", "json",
                             "--out", root / "out", cwd=root)
            requests = list(site.requests)
    finally:
        external.stop()
    return proc, read_report(root / "out"), requests, site.origin


def test_only_the_draft_is_audited(draft_check):
    proc, report, _, origin = draft_check
    assert proc.returncode == 1, proc.stderr
    assert [p["url"] for p in report["pages"]] == [origin + DRAFT]
    assert "partial input" in proc.stderr
    found = {(f["rule"], f["target"]) for f in report["findings"]}
    assert ("broken-link", origin + "/blog/ketamine-aftercare-tips/") in found
    assert ("unlinked-source", None) in found
    assert all(f["url"] == origin + DRAFT for f in report["findings"])


def test_links_are_checked_but_no_other_page_is_fetched(draft_check):
    _, report, requests, origin = draft_check
    gets = {path for method, path in requests if method == "GET"}
    heads = {path for method, path in requests if method == "HEAD"}
    # The draft itself, robots.txt and the sitemaps are read; every linked page is only checked.
    assert {p for p in gets if not p.endswith(".xml")} == {DRAFT, "/robots.txt"}
    internal_links = {link["target"].split("#")[0][len(origin):] for link in report["links"]
                      if link["target"].startswith(origin + "/")}
    assert internal_links - {DRAFT} <= heads
    assert "/blog/ketamine-aftercare-tips/" in heads
