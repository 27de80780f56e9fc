"""`siteproof check` of a build folder finds what a crawl of the same site finds, through the real CLI.

The clinic fixture is rendered as a production build (support.e2e.render_build)
and compared, by rule + page path + target path, with the HTTP crawl of the
same fixture. A folder has no server behaviours (statuses, redirects,
timeouts) and does not check external links by default: those differences
are asserted one by one, so nothing differs silently.
"""
from __future__ import annotations

from collections import Counter

import pytest
from support.e2e import EXTERNAL_KEY, read_report, siteproof

# Rules that judge the HTML alone: the folder must find exactly what the crawl found.
CONTENT_RULES = {
    "missing-title", "duplicate-title", "missing-meta-description", "duplicate-meta-description",
    "missing-h1", "multiple-h1", "missing-alt", "missing-cta", "phone-mismatch", "phone-format", "hard-to-read",
    "thin-content", "url-mismatch", "irrelevant-related-post", "unlinked-source",
    "orphan-page",  # the orphan is a file listed in the build's sitemap and linked from no page, as when crawled
}
# What the fixture's server does to links that have no file behind them (tests/sites/clinic/_routes.toml).
SERVER_FAILURES = {(500, None), (503, None), (None, "timeout"), (None, "redirect-loop")}


@pytest.fixture(scope="module")
def crawl(clinic_crawl):
    return clinic_crawl


@pytest.fixture(scope="module")
def build(build_check):
    run = build_check
    assert (run.out / "report.json").is_file(), run.proc.stderr
    return run


def keyed(run):
    return {key: f for f in run.report["findings"] for key in run.keys([f])}


def is_external(key):
    return key[2].startswith(EXTERNAL_KEY)


def test_the_folder_check_exits_1_and_reads_every_page(build, crawl):
    assert build.proc.returncode == 1, build.proc.stderr
    assert "Traceback" not in build.proc.stderr
    folder = {p["url"].removeprefix(build.origin) for p in build.report["pages"]}
    crawled = {p["url"].removeprefix(crawl.origin) for p in crawl.report["pages"]}
    # A folder has every file: the sitemap-only orphan and the robots.txt-disallowed page too;
    # a crawl also records /about and /blog/keeping-weight-off as linked without their slash
    # (the server answers them directly).
    assert folder - crawled == {"/blog/summer-hydration-weight-loss/", "/private/secret/"}
    assert crawled - folder == {"/about", "/blog/keeping-weight-off"}


def test_html_rules_find_the_same_problems_in_the_folder(build, crawl):
    for rule in sorted(CONTENT_RULES):
        folder = [k for k in build.keys() if k[0] == rule]
        crawled = [k for k in crawl.keys() if k[0] == rule]
        assert folder == crawled, rule


def test_internal_fragments_are_judged_alike(build, crawl):
    folder = [k for k in build.keys() if k[0] == "broken-fragment"]
    crawled = [k for k in crawl.keys() if k[0] == "broken-fragment"]
    assert folder == [k for k in crawled if not is_external(k)] and folder


def test_links_to_missing_files_are_broken_in_both(build, crawl):
    folder, crawled = keyed(build), keyed(crawl)
    plain_404 = [k for k, f in crawled.items()
                 if k[0] == "broken-link" and not is_external(k) and f["evidence"]["status"] == 404]
    assert plain_404
    for key in plain_404:
        assert folder[key]["evidence"]["status"] == 404, key


def test_server_failures_are_missing_files_in_the_folder(build, crawl):
    """500, 503, a timeout and a redirect loop are server behaviour; the folder has no file there: a 404."""
    folder, crawled = keyed(build), keyed(crawl)
    by_server = {k: (f["evidence"]["status"], f["evidence"]["error"]) for k, f in crawled.items()
                 if k[0] == "broken-link" and not is_external(k) and f["evidence"]["status"] != 404}
    assert set(by_server.values()) == SERVER_FAILURES
    for key in by_server:
        assert (folder[key]["evidence"]["status"], folder[key]["evidence"]["error"]) == (404, None), key


def test_redirects_exist_only_on_a_server(build, crawl):
    """A redirect is a server rule; in the folder the redirecting path is a missing file, so broken-link."""
    folder, crawled = keyed(build), keyed(crawl)
    redirected = [k for k in crawled if k[0] == "redirected-link"]
    assert redirected and not [k for k in folder if k[0] == "redirected-link"]
    for _, page, target in redirected:
        assert folder[("broken-link", page, target)]["evidence"]["status"] == 404


def test_external_links_are_not_checked_from_a_folder_by_default(build, crawl):
    crawled_external = [k for k in crawl.keys() if is_external(k)]
    assert {rule for rule, _, _ in crawled_external} == {"broken-link", "broken-fragment", "unverifiable-link"}
    assert [k for k in build.keys() if is_external(k)] == []
    rows = [link for link in build.report["links"] if link["target"].startswith("https://external.test/")]
    assert rows and {(r["status"], r["error"]) for r in rows} == {(None, "not-checked")}


def test_nothing_else_differs(build, crawl):
    """The folder's findings are the crawl's, minus external targets, with redirects as broken links."""
    expected = Counter()
    for rule, page, target in crawl.keys():
        if target.startswith(EXTERNAL_KEY):
            continue
        expected[("broken-link" if rule == "redirected-link" else rule, page, target)] += 1
    assert Counter(build.keys()) == expected


def test_a_single_file_is_checked_as_part_of_its_site(build, tmp_path):
    page = "build/ed-treatment-options/index.html"
    out = tmp_path / "one"
    proc = siteproof("check", page, "--config", build.config, "--format", "json", "--out", out, cwd=build.root)
    assert proc.returncode == 1, proc.stderr  # a broken link is an error
    assert "partial input: 1 of" in proc.stderr and "Traceback" not in proc.stderr
    report = read_report(out)
    assert [p["url"] for p in report["pages"]] == [build.origin + "/ed-treatment-options/"]
    single = sorted((f["rule"], f["url"], f["target"], f.get("line")) for f in report["findings"])
    whole = sorted((f["rule"], f["url"], f["target"], f.get("line")) for f in build.report["findings"]
                   if f["source_path"] == page)
    # Links still resolve against the whole folder, so the page's own findings are the same;
    # no orphan-page from a partial view (the page is in the sitemap, and nothing given links to it).
    assert single == whole and single
    assert not [f for f in report["findings"] if f["rule"] == "orphan-page"]
