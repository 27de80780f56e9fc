"""Facts a report shows are settled once by the rules and carried on the report; renderers agree."""
from __future__ import annotations

import json

import lxml.html

from audits.config import from_dict
from audits.engine import audit
from audits.model import Link, Page, PhoneSeen
from audits.report import render
from audits.site import Site

ORIGIN = "https://clinic.test"


def _two_page_tie() -> Site:
    # Each number is on one page; the tie goes to the number written more often (phone-mismatch's rule).
    home = Page(url=ORIGIN + "/", title="Home", phones=(PhoneSeen("+15594251118", "(559) 425-1118"),),
                links=(Link("http://www.clinic.test/about/"), Link("https://elsewhere.test/")))
    about = Page(url=ORIGIN + "/about/", title="About", phones=(
        PhoneSeen("+15594251100", "(559) 425-1100"), PhoneSeen("+15594251100", "559-425-1100", line=9),
        PhoneSeen("+18002738255", "1-800-273-8255", line=12)))
    return Site.build([home, about], [], from_dict({"site": {"start_urls": [ORIGIN + "/"]}}))


def _phone_rows(html: str) -> dict[str, str]:
    section = lxml.html.fromstring(html).get_element_by_id("consistency")
    table = section.xpath(".//table")[0]
    return {r.xpath("./td[1]//div")[0].text_content(): r.xpath("./td[1]")[0].text_content()
            for r in table.xpath("./tbody/tr")}


def test_phone_mismatch_and_report_html_agree_on_the_canonical_number_when_pages_tie():
    report = audit(_two_page_tie())
    mismatches = [f for f in report.findings if f.rule == "phone-mismatch"]
    assert [(f.target, f.evidence["canonical"]) for f in mismatches] == [("+15594251118", "+15594251100")]
    assert report.facts.canonical_phone == "+15594251100"
    rows = _phone_rows(render(report, "html"))
    assert "canonical" in rows["+15594251100"] and "canonical" not in rows["+15594251118"]
    # The help line phone-mismatch lets pass is shown as allowed, not as another number.
    assert "allowed" in rows["+18002738255"]


def test_report_json_carries_the_facts():
    facts = json.loads(render(audit(_two_page_tie()), "json"))["site_facts"]
    assert facts["canonical_phone"] == "+15594251100" and "+18002738255" in facts["allowed_phones"]
    assert facts["canonical_origin"] == ORIGIN and facts["hosts"] == ["clinic.test"]
    assert facts["max_grade"] == 8.0


def test_notes_are_part_of_the_finished_report():
    report = audit(_two_page_tie(), notes=["partial input: 2 of 9 pages"])
    assert json.loads(render(report, "json"))["notes"] == ["partial input: 2 of 9 pages"]
    assert "notes" not in json.loads(render(audit(_two_page_tie()), "json"))


def test_a_template_link_to_a_missing_fragment_of_its_own_page_is_one_row_for_all_pages():
    # A real theme's share box (github.com/blatinier/melmelboo-static @ 286ac96c, blog/*/index.html):
    # <a href="index.html#nop" id="no-share-box"> on every post (read from the folder), 1,183 rows before.
    from audits.extract import extract_page

    def post(slug: str) -> Page:
        html = (f'<html><head><title>{slug}</title></head><body><article><h1>{slug}</h1><p>Text.</p>'
                f'<a href="#sources">Sources</a></article><aside><p><a href="#nop" id="no-share-box">'
                f'Non merci</a></p></aside></body></html>')
        return extract_page(f"{ORIGIN}/blog/{slug}/", html.encode())

    posts = [post(s) for s in ("a", "b", "c", "d")]
    report = audit(Site.build(posts, [], from_dict({"site": {"start_urls": [ORIGIN + "/"]}})))
    fragments = [f for f in report.findings if f.rule == "broken-fragment"]
    assert len(fragments) == 8 and all(f.evidence["same_page"] for f in fragments)
    assert {f.target for f in fragments} >= {f"{ORIGIN}/blog/a/#nop", f"{ORIGIN}/blog/a/#sources"}
    text = render(report, "text")
    assert "#nop (on the page itself) · 4 pages" in text and "#sources (on the page itself) · 4 pages" in text
    doc = lxml.html.fromstring(render(report, "html"))
    rows = doc.xpath("//details[@id='rule-broken-fragment']//table[contains(@class, 'repeated')]/tbody/tr")
    cells = sorted(" ".join(r.text_content().split()) for r in rows)
    assert len(cells) == 2 and "#nop (on the page itself) · broken-fragment · 4 pages" in cells[0], cells
    assert "#sources (on the page itself) · broken-fragment · 4 pages" in cells[1], cells
