"""report.html: escaped, self-contained, with the readability and consistency sections filled in."""
from __future__ import annotations

import dataclasses
import re

import lxml.html
import pytest

from audits import registry
from audits.model import Finding, Link, Page, PhoneSeen, Readability, Severity
from audits.report import render
from audits.report.html import LIMITS
from support.sample import EVIL_TARGET, EVIL_TITLE, SITE, build_report


@pytest.fixture(scope="module")
def report():
    return build_report()


@pytest.fixture(scope="module")
def html(report):
    return render(report, "html")


@pytest.fixture(scope="module")
def doc(html):
    return lxml.html.fromstring(html)


def test_crawled_text_is_escaped(html, doc):
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert len(doc.xpath("//script")) == 1  # only our own inline filter script
    assert EVIL_TITLE in doc.text_content()  # shown as text, exactly
    assert "Contact <us>" in doc.text_content() and "<us>" not in html


def test_only_web_urls_become_links(html, doc):
    hrefs = doc.xpath("//@href")
    assert not [h for h in hrefs if h.lower().startswith("javascript:")]
    assert EVIL_TARGET not in hrefs


def test_self_contained(report, html, doc):
    assert not doc.xpath("//*[@src]") and not doc.xpath("//link") and not doc.xpath("//iframe")
    assert not re.search(r"@import|url\(", html)
    allowed = {p.url for p in report.pages} | {row["target"] for row in report.links} | {
        f.target for f in report.findings if f.target} | {r.help_uri for r in registry.load().values()} | {
        report.site}
    external = {h for h in doc.xpath("//@href") if h.startswith(("http://", "https://"))}
    assert external and external <= allowed


def test_findings_grouped_by_rule_and_page(report, doc):
    for rule_id, n in report.by_rule().items():
        group = doc.get_element_by_id(f"rule-{rule_id}")
        assert len(group.xpath(".//tr[@class='f']")) == n
    by_page = doc.get_element_by_id("by-page")
    assert len(by_page.xpath(".//tr[@class='f']")) == len(report.findings)
    alt = doc.get_element_by_id("rule-missing-alt").text_content()
    assert "public/blog/sleep.html:17" in alt
    broken = doc.get_element_by_id("rule-broken-link").text_content()
    assert "“Our services”" in broken  # anchor text looked up from the links table


def test_glossary_lists_every_rule(doc):
    for rule in registry.load().values():
        entry = doc.get_element_by_id(f"doc-{rule.id}")
        assert rule.description.replace("`", "") in entry.text_content()


def test_pages_table(report, doc):
    rows = doc.xpath("//table[@id='pages-table']/tbody/tr")
    assert len(rows) == len(report.pages)
    titles = [r.xpath("./td[3]")[0].text_content() for r in rows]
    assert EVIL_TITLE in titles


def test_readability_histogram_and_hardest_first(report, doc):
    section = doc.get_element_by_id("readability")
    scored = [p for p in report.pages if p.is_article and p.readability]
    assert sum(int(t.text_content().split(": ")[1].split()[0]) for t in section.xpath(".//rect/title")) == len(scored)
    max_grade = report.config.audit_options("readability").max_grade
    assert f"limit {max_grade:.1f}" in section.text_content()
    over = section.xpath(".//rect[@class='bar-over']/title")
    assert sum(int(t.text_content().split(": ")[1].split()[0]) for t in over) == sum(
        1 for p in scored if p.readability.flesch_kincaid_grade >= max_grade + 1)
    grades = [float(r.xpath("./td[2]")[0].text_content()) for r in section.xpath(".//tbody/tr")]
    assert grades == sorted((p.readability.flesch_kincaid_grade for p in scored), reverse=True)
    ketamine = section.xpath(".//tbody/tr")[0].text_content()
    assert "45%" in ketamine and "25%" in ketamine  # long-sentence and long-paragraph shares


def test_consistency_phones_and_url_variants(report, doc):
    section = doc.get_element_by_id("consistency")
    phones, variants = section.xpath(".//table")
    rows = {r.xpath("./td[1]//div")[0].text_content(): r for r in phones.xpath("./tbody/tr")}
    assert set(rows) == {ph.number for p in report.pages for ph in p.phones}
    assert "canonical" in rows["+15594251118"].text_content()
    assert "(559) 425-1118" in rows["+15594251118"].text_content()
    assert "canonical" not in rows["+15595550100"].text_content()
    assert "(559) 555-0100" in rows["+15595550100"].text_content()
    assert "/blog/ketamine/" in rows["+15595550100"].text_content()
    origins = {r.xpath("./td[1]")[0].text_content().split()[0]: r.text_content() for r in variants.xpath("./tbody/tr")}
    assert set(origins) == {"https://clinic.test", "http://www.clinic.test", "https://oldclinic.test",
                            "http://clinic.test"}
    assert "canonical" in origins["https://clinic.test"] and "old domain" in origins["https://oldclinic.test"]
    assert "variant" in origins["http://clinic.test"]  # found only as a plain-text URL


def test_large_site_stays_small_and_fast():
    base = build_report()
    pages, links, findings = [], [], []
    for i in range(2000):
        url = f"{SITE}/blog/post-{i}/"
        page_links = tuple(Link(f"{SITE}/blog/post-{(i + k) % 2000}/", f"Post {k}", "body") for k in range(30))
        pages.append(Page(url=url, title=f"Post {i}", is_article=True, word_count=800,
                          readability=Readability(60.0, 4 + (i % 13), long_sentence_share=0.1),
                          links=page_links, phones=(PhoneSeen("+15594251118", "(559) 425-1118"),)))
        links += [{"source": url, "target": l.target, "status": 200, "error": None, "redirect_chain": [],
                   "text": l.text, "context": "body"} for l in page_links]
        findings += [Finding("broken-link", Severity.ERROR, url, f"{SITE}/gone-{i % 50}/", "Returns 404.",
                             {"status": 404}),
                     Finding("hard-to-read", Severity.WARNING, url, None, "Reads at grade 12.", {})]
    big = dataclasses.replace(base, pages=pages, links=links, findings=findings, links_checked=2050)
    out = render(big, "html")
    assert len(out) < 4_000_000, len(out)
    # 2,000 broken links to 50 targets: one row per target, its 40 pages behind a disclosure.
    doc = lxml.html.fromstring(out)
    repeated = doc.xpath("//details[@id='rule-broken-link']//table[contains(@class, 'repeated')]/tbody/tr")
    assert len(repeated) == 50
    assert all("/gone-" in r.text_content() and "40 pages" in r.text_content() for r in repeated)
    hidden = sum(1 for f in findings if f.rule == "hard-to-read") - LIMITS["rows_per_rule"]
    assert f"…and {hidden:,} more hard-to-read findings" in out  # capped per rule, pointed at the full data
    assert len(lxml.html.fromstring(out).xpath("//table[@id='pages-table']/tbody/tr")) == len(pages)


def test_a_rule_group_shows_severity_per_row_only_when_its_findings_differ(report):
    """A rule whose findings are all errors says so once, in its heading; mixed ones keep the column."""
    def columns(doc, rule_id):
        group = doc.get_element_by_id(f"rule-{rule_id}")
        return [th.text_content() for th in group.xpath(".//table[contains(@class,'findings')]//th")], group

    uniform = lxml.html.fromstring(render(report, "html"))
    heads, group = columns(uniform, "missing-alt")
    assert heads and "Severity" not in heads
    assert group.xpath("./summary//span[contains(@class,'sev')]")  # the heading still names it
    assert all(tr.get("data-sev") for tr in group.xpath(".//tr[@class='f']"))  # the filter still works

    first = next(f for f in report.findings if f.rule == "broken-link")  # the sample has two
    other = Severity.INFO if first.severity is not Severity.INFO else Severity.WARNING
    mixed_report = dataclasses.replace(report, findings=[
        dataclasses.replace(f, severity=other) if f is first else f for f in report.findings])
    heads, group = columns(lxml.html.fromstring(render(mixed_report, "html")), "broken-link")
    assert "Severity" in heads
    assert {tr.get("data-sev") for tr in group.xpath(".//tr[@class='f']")} == {first.severity.value, other.value}


def test_the_grade_limit_label_is_readable_over_a_bar():
    from audits.report import trend

    svg = trend.svg([{"run": "r1", "started_at": "2026-12-01T00:00:00", "findings": {"error": 40},
                      "median_grade": 9.0}], max_grade=8)
    label = lxml.html.fromstring(svg).xpath("//text[contains(., 'grade limit 8')]")[0]
    assert label.get("paint-order") == "stroke" and label.get("stroke") == "#fff"


def test_since_the_last_crawl_groups_a_target_that_broke_on_many_pages(report):
    """The first section a scheduled crawl's reader sees: one row for a link that broke on every page."""
    login = [Finding(rule="broken-link", severity=Severity.ERROR, url=f"{SITE}/p{i}/", target=f"{SITE}/wp-login.php",
                     message=f"Link \"Log in\" points to {SITE}/wp-login.php, which returns 404.").to_dict()
             for i in range(6)]
    single = Finding(rule="missing-alt", severity=Severity.WARNING, url=f"{SITE}/about/", target=f"{SITE}/team.jpg",
                     message="Image has no alt text.").to_dict()
    since = {"base": "r1", "base_started_at": "2026-12-01T00:00:00Z", "new": 7, "fixed": 0, "open": 0,
             "new_findings": login + [single], "fixed_findings": []}
    recorded = dataclasses.replace(report, history={"run": "r2", "since_last": since, "trend": []})

    section = lxml.html.fromstring(render(recorded, "html")).get_element_by_id("since-last")
    rows = section.xpath(".//tbody/tr")
    assert len(rows) == 2
    grouped = rows[0].text_content()
    assert "wp-login.php" in grouped and "6 pages" in grouped and "broken-link" in grouped
    assert len(rows[0].xpath(".//details//li")) == 6  # each page behind the disclosure
    assert "about/" in rows[1].text_content() and "missing-alt" in rows[1].text_content()

    summary = render(recorded, "markdown")
    lines = [line for line in summary.splitlines() if line.startswith("| new |")]
    assert len(lines) == 2
    assert "6 pages, e.g." in lines[0] and "wp-login.php" in lines[0]


def test_written_in_pieces_as_the_template_makes_them(report, html):
    """report.html is streamed to the file, never held whole (it is MBs on a large crawl)."""
    from audits.report import html as html_renderer

    pieces = list(html_renderer.chunks(report))
    assert len(pieces) > 100 and "".join(pieces) == html
