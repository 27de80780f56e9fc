"""url-mismatch on Page objects built by hand."""
from __future__ import annotations

import dataclasses

from audits import registry
from audits.config import from_dict
from audits.engine import run_rules
from audits.extract import urls_in_text
from audits.model import Link, Page
from audits.site import Site

CANON = "https://omgwellnessmd.com"
SITE = {"start_urls": [CANON + "/"], "aliases": ["https://omg-wellness.net"], "old_domains": ["omgwellness.com"]}


def findings(pages, site=SITE):
    config = from_dict({"site": site})
    config = dataclasses.replace(config, rules={r: "off" for r in registry.load() if r != "url-mismatch"})
    return [f for f in run_rules(Site.build(pages, [], config)) if f.rule == "url-mismatch"]


def page(url, *targets, text_urls=()):
    return Page(url=url, links=tuple(Link(t, line=i + 1) for i, t in enumerate(targets)), text_urls=tuple(text_urls))


def test_scheme_host_alias_and_old_domain_links():
    p = page(CANON + "/post/",
             "http://omgwellnessmd.com/contact/",
             "https://www.omgwellnessmd.com/book/",
             "https://omg-wellness.net/",
             "https://www.omgwellness.com/ketamine/#faq",
             "http://omgwellness.com/old")
    found = {f.target: f for f in findings([p])}
    assert {t: f.evidence["reason"] for t, f in found.items()} == {
        "http://omgwellnessmd.com/contact/": "scheme",
        "https://www.omgwellnessmd.com/book/": "host",
        "https://omg-wellness.net/": "host",
        "https://www.omgwellness.com/ketamine/#faq": "old-domain",
        "http://omgwellness.com/old": "old-domain",
    }
    assert found["https://www.omgwellnessmd.com/book/"].evidence["canonical"] == CANON + "/book/"
    assert found["http://omgwellnessmd.com/contact/"].line == 1
    assert all(f.severity.value == "warning" for f in found.values())


def test_canonical_external_and_non_http_links_are_fine():
    p = page(CANON + "/", CANON + "/a/", "https://OMGWELLNESSMD.com/b", "https://omgwellnessmd.com:443/c",
             "https://example.org/omgwellnessmd.com", "mailto:info@omgwellnessmd.com", "tel:+15594251118",
             text_urls=["omgwellnessmd.com", "https://omgwellnessmd.com/contact/."])
    assert findings([p]) == []


def test_one_finding_per_page_and_target():
    bad = "http://omgwellnessmd.com/a/"
    found = findings([page(CANON + "/", bad, bad, bad), page(CANON + "/b/", bad)])
    assert sorted(f.url for f in found) == [CANON + "/", CANON + "/b/"]


def test_urls_written_in_text_drop_trailing_punctuation():
    # Extraction drops the punctuation that ends the sentence around a URL; the rule reports what is left.
    text = "Write via www.omgwellnessmd.com/contact. (Or http://omgwellness.com), or omgwellnessmd.com/about"
    p = page(CANON + "/", text_urls=urls_in_text(text))
    found = findings([p])
    assert sorted(f.target for f in found) == ["http://omgwellness.com", "www.omgwellnessmd.com/contact"]
    assert {f.evidence["where"] for f in found} == {"text"}


def test_trailing_punctuation_is_dropped_but_balanced_parentheses_kept():
    assert urls_in_text("See https://en.wikipedia.org/wiki/Ketamine_(drug).") == ["https://en.wikipedia.org/wiki/Ketamine_(drug)"]
    assert urls_in_text("“https://x.test/a/”;") == ["https://x.test/a/"]


def test_relative_links_on_a_page_served_under_an_alias_are_not_blamed_on_the_author():
    # The crawler met this page at the www twin; its relative links resolve there.
    p = page("https://www.omgwellnessmd.com/post/", "https://www.omgwellnessmd.com/a/", "http://omgwellness.com/x")
    assert [f.target for f in findings([p])] == ["http://omgwellness.com/x"]


def test_default_canonical_is_the_first_start_url_and_its_twins_count():
    site = {"start_urls": ["http://127.0.0.1:8123/"]}
    p = page("http://127.0.0.1:8123/", "http://127.0.0.1:8123/a/", "https://127.0.0.1:8123/b/",
             "http://127.0.0.2:8123/c/")
    found = findings([p], site=site)
    assert [(f.target, f.evidence["reason"]) for f in found] == [("https://127.0.0.1:8123/b/", "scheme")]
