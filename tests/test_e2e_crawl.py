"""`siteproof crawl` of the clinic fixture, end to end through the real CLI and loopback servers.

One crawl for the whole session (the clinic_crawl fixture). Its findings must be
exactly what tests/sites/clinic/EXPECTED.toml lists, in the contract's shape
(REPORT.md), in every file the contract names. Exit-code
thresholds are proven with `siteproof check` on the stored crawl, which
re-audits the crawl record without crawling again.
"""
from __future__ import annotations

import csv
import io
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from support.e2e import foreign_markup, parse_html, read_report, siteproof, write_config
from support.sites import load_expected

from audits.model import CONTEXTS

TOP_KEYS = {"tool", "site", "started_at", "finished_at", "config", "stats", "pages", "links", "findings"}
PAGE_KEYS = {"url", "status", "title", "is_article", "word_count", "readability", "related_posts", "ctas", "phones"}
LINK_KEYS = {"source", "target", "status", "error", "redirect_chain", "text", "context"}
FINDING_KEYS = {"rule", "severity", "url", "target", "message", "evidence"}
CSV_COLUMNS = ["rule", "severity", "url", "target", "message"]
# Rules whose target is a URL (REPORT.md's target table); the others name a number or nothing.
URL_TARGET_RULES = {"broken-link", "redirected-link", "broken-fragment", "missing-alt",
                    "irrelevant-related-post", "unverifiable-link"}
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@pytest.fixture(scope="module")
def crawl(clinic_crawl):
    run = clinic_crawl
    assert (run.out / "report.json").is_file(), run.proc.stderr
    return run


@pytest.fixture(scope="module")
def report(crawl):
    return crawl.report


@pytest.fixture(scope="module")
def expected(crawl):
    return load_expected(crawl.origin, crawl.external)


def is_absolute(url: str) -> bool:
    parts = urlsplit(url)
    return bool(parts.scheme) and (parts.scheme not in ("http", "https") or bool(parts.netloc))


def test_the_crawl_exits_1_because_the_site_has_errors(crawl, report):
    assert crawl.proc.returncode == 1, crawl.proc.stderr
    assert report["stats"]["findings"]["error"] > 0
    assert "Traceback" not in crawl.proc.stderr


def test_report_json_has_every_contract_key(crawl, report):
    assert TOP_KEYS <= set(report)
    assert report["tool"]["name"] == "siteproof" and report["tool"]["version"]
    assert report["site"].rstrip("/") == crawl.origin
    assert TIMESTAMP.match(report["started_at"]) and TIMESTAMP.match(report["finished_at"])
    assert report["started_at"] <= report["finished_at"]
    assert report["config"]["site"]["phone"] == "(559) 425-1118"  # the effective config, as given
    stats = report["stats"]
    assert stats["pages"] == len(report["pages"]) and stats["links_checked"] > 0
    by_severity = Counter(f["severity"] for f in report["findings"])
    assert stats["findings"] == {s: by_severity.get(s, 0) for s in ("error", "warning", "info")}

    for page in report["pages"]:
        assert PAGE_KEYS <= set(page), page["url"]
        assert isinstance(page["word_count"], int)
        for cta in page["ctas"]:
            assert cta["kind"] in {"tel", "appointment", "contact", "form"} and "text" in cta and "href" in cta
        assert all(E164.match(number) for number in page["phones"]), page["phones"]
    articles = [p for p in report["pages"] if p["is_article"]]
    assert articles
    for page in articles:
        scores = page["readability"]
        assert isinstance(scores["flesch_reading_ease"], float) and isinstance(scores["flesch_kincaid_grade"], float)

    for link in report["links"]:
        assert LINK_KEYS <= set(link)
        assert isinstance(link["redirect_chain"], list)
        # The contract's values in context; the finer region (header, sidebar too) beside it.
        assert link["context"] in {"related-post", "body", "nav", "footer", "asset"}, link
        assert link["region"] in CONTEXTS, link
    for finding in report["findings"]:
        assert FINDING_KEYS <= set(finding)
        assert finding["severity"] in {"error", "warning", "info"} and finding["message"]
        assert isinstance(finding["evidence"], dict)


def test_every_url_in_the_report_is_absolute(report):
    urls = [p["url"] for p in report["pages"]]
    urls += [u for p in report["pages"] for u in p["related_posts"]]
    urls += [u for link in report["links"] for u in (link["source"], link["target"])]
    urls += [f["url"] for f in report["findings"]]
    urls += [f["target"] for f in report["findings"] if f["rule"] in URL_TARGET_RULES]
    assert urls and [u for u in urls if not is_absolute(u)] == []


def test_findings_of_each_expected_rule_are_exactly_the_expected_ones(report, expected):
    wanted = Counter((f["rule"], f["url"], f["target"]) for f in expected["finding"])
    rules = {rule for rule, _, _ in wanted}
    found = Counter((f["rule"], f["url"], f["target"]) for f in report["findings"] if f["rule"] in rules)
    assert sorted(found - wanted) == [], "unexpected findings"
    assert sorted(wanted - found) == [], "missing findings"


def test_content_rules_fire_exactly_on_their_pages(report, expected):
    for rule, pages in expected["content"].items():
        fired = sorted(f["url"] for f in report["findings"] if f["rule"] == rule)
        assert fired == sorted(pages), rule


def test_findings_csv_has_one_row_per_finding(crawl, report):
    rows = list(csv.DictReader(io.StringIO((crawl.out / "findings.csv").read_text(encoding="utf-8"))))
    assert rows and CSV_COLUMNS == list(rows[0])[:len(CSV_COLUMNS)]
    as_csv = Counter(tuple(r[c] for c in CSV_COLUMNS) for r in rows)
    as_json = Counter(tuple(f[c] or "" for c in CSV_COLUMNS) for f in report["findings"])
    assert as_csv == as_json


def test_report_html_is_self_contained(crawl):
    page = (crawl.out / "report.html").read_text(encoding="utf-8")
    parser = parse_html(page)
    assert [a for t, a in parser.tags if t == "script" and a.get("src")] == []
    assert [a for t, a in parser.tags if t == "link" and "stylesheet" in (a.get("rel") or "")] == []
    fetched = [a for t, a in parser.tags for k in ("src", "srcset", "data") if (a.get(k) or "").startswith(("http", "//"))]
    assert fetched == []
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", page)
    assert "cdn" not in page.lower()


def test_report_html_escapes_what_pages_wrote(crawl, report):
    page = (crawl.out / "report.html").read_text(encoding="utf-8")
    parser = parse_html(page)
    assert foreign_markup(parser) == []
    marked_up = [f["message"] for f in report["findings"] if "<" in f["message"]]
    marked_up += [p["title"] for p in report["pages"] if p["title"] and ("&" in p["title"] or "<" in p["title"])]
    assert marked_up  # the fixture has "<title>"-style messages and a title with "&"
    shown = parser.shown_text()
    for text in marked_up:
        assert text not in page, text  # written raw, it would be markup
        assert " ".join(text.split())[:40] in shown, text  # escaped, it reads as the page wrote it


def test_stdout_summarises_the_crawl(crawl, report):
    out, stats = crawl.proc.stdout, report["stats"]
    counts = stats["findings"]
    assert f"{stats['pages']} pages crawled" in out
    assert f"{stats['links_checked']} links checked" in out
    assert f"{sum(counts.values())} findings ({counts['error']} errors, {counts['warning']} warnings, " \
           f"{counts['info']} info)" in out
    for rule in {f["rule"] for f in report["findings"]}:
        assert re.search(rf"^\s+{re.escape(rule)}\s+\d+\s+(error|warning|info)$", out, re.M), rule
    assert f"Report: {crawl.out / 'report.html'}" in out


def test_check_of_the_stored_crawl_gives_the_same_findings(crawl, report, tmp_path):
    again = tmp_path / "again"
    proc = siteproof("check", crawl.out, "--config", crawl.config, "--format", "json", "--out", again, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    fields = ("rule", "severity", "url", "target", "message")
    rechecked = read_report(again)["findings"]
    assert Counter(tuple(f[k] for k in fields) for f in rechecked) == \
           Counter(tuple(f[k] for k in fields) for f in report["findings"])


def test_check_of_the_stored_crawl_applies_changed_cta_patterns(crawl, report, tmp_path):
    # The crawl recorded what each article body holds; what counts as a call to action is decided
    # when auditing, so other [audits.cta] options give another answer without crawling again.
    config = write_config(tmp_path / "cta.toml")
    config.write_text(config.read_text() + '\n[audits.cta]\npatterns = ["hormone therapy for menopause"]\n'
                      'href_patterns = []\n')
    proc = siteproof("check", crawl.out, "--config", config, "--format", "json", "--out", tmp_path / "o", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    again = read_report(tmp_path / "o")

    def missing(r):
        return {urlsplit(f["url"]).path for f in r["findings"] if f["rule"] == "missing-cta"}

    def ctas(r, path):
        [page] = [p for p in r["pages"] if urlsplit(p["url"]).path == path]
        return [(c["kind"], c["text"]) for c in page["ctas"]]

    assert "/perimenopause-sleep-problems/" in missing(report) and "/blog/shock-wave-therapy-ed/" not in missing(report)
    assert missing(again) - missing(report) == {"/blog/shock-wave-therapy-ed/", "/testosterone-replacement-therapy/"}
    assert missing(report) - missing(again) == {"/perimenopause-sleep-problems/"}
    assert ctas(again, "/perimenopause-sleep-problems/") == [("contact", "hormone therapy for menopause")]
    assert ctas(report, "/blog/shock-wave-therapy-ed/") == [("appointment", "Book a Visit")]
    assert ctas(again, "/blog/shock-wave-therapy-ed/") == []


# (severities switched off with [rules] X = "off", --fail-on, exit code)
FAIL_ON = [
    ((), "info", 1),
    (("error",), "error", 0),
    (("error",), "warning", 1),
    (("error", "warning"), "warning", 0),
    (("error", "warning"), "info", 1),
    (("error", "warning", "info"), "info", 0),
]


@pytest.fixture(scope="module")
def exit_codes(crawl, report, tmp_path_factory):
    """{(off, fail_on): the finished `siteproof check` of the stored crawl}, run side by side."""
    root = tmp_path_factory.mktemp("e2e-fail-on")

    def check(off, fail_on):
        rules = {f["rule"]: "off" for f in report["findings"] if f["severity"] in off}
        config = write_config(root / f"off-{'-'.join(off) or 'none'}.toml", rules=rules)
        return siteproof("check", crawl.out, "--config", config, "--fail-on", fail_on, "-q", cwd=root)

    with ThreadPoolExecutor(2) as pool:
        runs = {(off, fail_on): pool.submit(check, off, fail_on) for off, fail_on, _ in FAIL_ON}
    return {key: run.result() for key, run in runs.items()}


@pytest.mark.parametrize("off, fail_on, code", FAIL_ON)
def test_fail_on_counts_only_findings_at_or_above_it(exit_codes, off, fail_on, code):
    proc = exit_codes[(off, fail_on)]
    assert proc.returncode == code, (off, fail_on, proc.stdout[-2000:], proc.stderr)
