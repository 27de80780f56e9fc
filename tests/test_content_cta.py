"""missing-cta on Page objects, plus theme buttons through extraction."""
from __future__ import annotations

import dataclasses

import pytest

from audits import registry
from audits.config import from_dict
from audits.engine import run_rules
from audits.extract import extract_options, extract_page
from audits.model import Action, Page
from audits.site import Site

ORIGIN = "https://clinic.test"


def findings(pages, **sections):
    config = from_dict({"site": {"start_urls": [ORIGIN + "/"]}, **sections})
    config = dataclasses.replace(config, rules={r: "off" for r in registry.load() if r != "missing-cta"})
    return [f for f in run_rules(Site.build(pages, [], config)) if f.rule == "missing-cta"]


def test_article_without_a_call_to_action():
    [f] = findings([Page(url=ORIGIN + "/post/", is_article=True)])
    assert (f.url, f.target, f.severity.value) == (ORIGIN + "/post/", None, "error")


@pytest.mark.parametrize("action", [Action("link", "(559) 425-1118", "tel:+15594251118"),
                                    Action("link", "Request an appointment", ORIGIN + "/appointment/"),
                                    Action("form", "Book your visit", ORIGIN + "/post/"),
                                    Action("embed", "", "https://calendly.com/clinic/intake")])
def test_any_call_to_action_satisfies_the_rule(action):
    assert findings([Page(url=ORIGIN + "/post/", is_article=True, actions=(action,))]) == []


def test_a_body_link_that_is_no_call_to_action_does_not():
    read_more = Action("link", "Read more about ketamine", ORIGIN + "/blog/ketamine/")
    assert len(findings([Page(url=ORIGIN + "/post/", is_article=True, actions=(read_more,))])) == 1


def test_pages_that_are_not_articles_need_none():
    assert findings([Page(url=ORIGIN + "/about/")]) == []


ARTICLE = """<html><head><title>Ketamine for PTSD | Clinic</title></head><body>
<header><a href="/book/">Book now</a> <a href="tel:+15594251118">(559) 425-1118</a></header>
<main><article><h1>Ketamine for PTSD</h1>
{paragraphs}
{cta}
</article></main>
<footer><a href="/contact/">Contact us</a></footer></body></html>"""
PARAS = "\n".join(
    f"<p>Paragraph {i}: ketamine can ease the flashbacks and nightmares of post-traumatic stress "
    "for many veterans and first responders, and therapy helps the change last.</p>" for i in range(12))


def _extracted(cta_html, **sections):
    config = from_dict({"site": {"start_urls": [ORIGIN + "/"]}, **sections})
    html = ARTICLE.format(paragraphs=PARAS, cta=cta_html).encode()
    page = extract_page(ORIGIN + "/blog/ketamine-ptsd/", html, options=extract_options(config))
    assert page.is_article, "the fixture must read as an article for this test to mean anything"
    return findings([page], **sections)


def test_header_and_footer_ctas_do_not_count_for_the_article():
    assert len(_extracted("")) == 1


def test_theme_specific_button_in_the_body_counts():
    button = ('<div class="wp-block-buttons"><a class="wp-block-button__link has-accent-background" '
              'href="/request-appointment/">Request an appointment</a></div>')
    assert _extracted(button) == []


def test_theme_button_with_custom_wording_counts_when_configured():
    button = '<a class="elementor-button elementor-size-md" href="/visit/"><span>Reserve your visit</span></a>'
    assert len(_extracted(button)) == 1
    assert _extracted(button, audits={"cta": {"patterns": ["reserve your visit"]}}) == []


def test_an_action_judged_on_one_page_is_judged_afresh_for_another_line_and_host():
    # The judge remembers verdicts per action and host: each page still gets its own line, and
    # an href pattern ("/appointment/") only counts on the page's own host.
    from audits.rules.cta import CtaOptions, calls_to_action

    book = Action("link", "Our team", ORIGIN + "/appointment/", line=10)
    mine = Page(url=ORIGIN + "/a/", actions=(book,))
    later = Page(url=ORIGIN + "/b/", actions=(dataclasses.replace(book, line=42),))
    elsewhere = Page(url="https://other.test/c/", actions=(book,))
    assert [(c.kind, c.href, c.line) for p in (mine, later, elsewhere) for c in calls_to_action(p, CtaOptions())] == [
        ("appointment", ORIGIN + "/appointment/", 10), ("appointment", ORIGIN + "/appointment/", 42)]
