"""A fixed Report built straight from model objects (no crawl), shared by the report tests.

It holds what the renderers must cope with: several rules and severities, a
finding from a local file with a line number, phone numbers and URL variants,
readability scores, a hostile page title, and a javascript: link target.
tests/goldens/ holds its text, markdown, github, junit and sarif renderings
(tests/test_report_goldens.py).
"""
from __future__ import annotations

from audits.config import from_dict
from audits.engine import site_facts
from audits.model import Finding, Link, Page, PhoneSeen, Readability, Severity
from audits.site import Report, Site

SITE = "https://clinic.test"
EVIL_TITLE = "<script>alert(1)</script> & \"quotes\""
EVIL_TARGET = "javascript:alert(2)"
CONFIG = {
    "site": {"start_urls": [SITE + "/"], "phone": "(559) 425-1118", "old_domains": ["oldclinic.test"]},
    "audits": {"readability": {"max_grade": 8.0}},
}


def _read(grade: float, long_s: float = 0.2, long_p: float = 0.0, hardest: str = "") -> Readability:
    return Readability(flesch_reading_ease=round(100 - grade * 5, 1), flesch_kincaid_grade=grade, sentences=40,
                       long_sentence_share=long_s, long_paragraph_share=long_p,
                       hardest_sentences=(hardest,) if hardest else ())


def build_report(config: dict | None = None) -> Report:
    cfg = from_dict(config or CONFIG)
    pages = [
        Page(url=SITE + "/", title="Clinic home", word_count=250,
             links=(Link(SITE + "/about/", "About us", "nav", line=12),
                    Link("http://www.clinic.test/old-page/", "Old page", "body", line=30),
                    Link(SITE + "/missing/", "Our services", "body", line=31),
                    Link(EVIL_TARGET, "click", "body", line=32)),
             phones=(PhoneSeen("+15594251118", "(559) 425-1118", "text", "header", line=5),
                     PhoneSeen("+15594251118", "tel:+15594251118", "tel", "header", line=5))),
        Page(url=SITE + "/blog/ketamine/", title=EVIL_TITLE, is_article=True, word_count=900,
             readability=_read(12.4, 0.45, 0.25, "Ketamine-assisted psychotherapy facilitates neuroplasticity."),
             links=(Link("https://oldclinic.test/contact", "Contact <us>", "body", line=40),
                    Link(SITE + "/missing/", "Services", "body", line=41)),
             text_urls=("http://clinic.test/book",),
             phones=(PhoneSeen("+15595550100", "559.555.0100", "text", "body", line=44),)),
        Page(url=SITE + "/blog/sleep/", title="Sleep tips", is_article=True, word_count=450,
             readability=_read(6.1, 0.05, 0.0, "Sleep helps."), source_path="public/blog/sleep.html",
             phones=(PhoneSeen("+15594251118", "559-425-1118", "text", "body", line=9),)),
        Page(url=SITE + "/blog/short/", title="Short", is_article=True, word_count=90, readability=None),
        Page(url=SITE + "/gone/", status=404, title=None),
    ]
    links = [{"source": p.url, "target": l.target, "status": 404 if "missing" in l.target else 200,
              "error": None, "redirect_chain": [], "text": l.text, "context": l.context, "tag": l.tag,
              "line": l.line} for p in pages for l in p.links]
    f = Finding
    findings = [
        f("broken-link", Severity.ERROR, SITE + "/", SITE + "/missing/",
          f"Links to {SITE}/missing/, which returns 404.", {"status": 404}),
        f("broken-link", Severity.ERROR, SITE + "/blog/ketamine/", SITE + "/missing/",
          f"Links to {SITE}/missing/, which returns 404.", {"status": 404}),
        f("phone-mismatch", Severity.ERROR, SITE + "/blog/ketamine/", "+15595550100",
          "Shows 559.555.0100; the clinic's number is (559) 425-1118.", {"raw": "559.555.0100"}),
        f("missing-alt", Severity.WARNING, SITE + "/blog/sleep/", SITE + "/img/bed.jpg",
          "Image has no alt text, so: readers\r\nwith 100% screen readers miss it, really.", {},
          line=17, source_path="public/blog/sleep.html"),
        f("redirected-link", Severity.WARNING, SITE + "/", "http://www.clinic.test/old-page/",
          "Redirects to https://clinic.test/new-page/.",
          {"chain": [{"url": "http://www.clinic.test/old-page/", "status": 301}]}),
        f("hard-to-read", Severity.WARNING, SITE + "/blog/ketamine/", None,
          "Reads at grade 12.4 (limit 8).", {"flesch_kincaid_grade": 12.4, "max_grade": 8.0}),
        f("url-mismatch", Severity.WARNING, SITE + "/blog/ketamine/", "https://oldclinic.test/contact",
          "Links to the old domain oldclinic.test.", {"text": "Contact <us>"}),
        f("missing-title", Severity.ERROR, SITE + "/gone/", None, "Page has no <title>.", {}),
        f("unlinked-source", Severity.INFO, SITE + "/blog/sleep/", None,
          "Cites \"Harvard Health\" without a link.", {"source": "Harvard Health"},
          line=21, source_path="public/blog/sleep.html"),
    ]
    findings.sort(key=Finding.sort_key)
    return Report(site=SITE + "/", config=cfg, pages=pages, links=links, findings=findings,
                  links_checked=7, started_at="2026-11-27T08:00:00Z", finished_at="2026-11-27T08:01:10Z",
                  facts=site_facts(Site.build(pages, [], cfg)))


def empty_report() -> Report:
    cfg = from_dict(CONFIG)
    return Report(site=SITE + "/", config=cfg, pages=[], links=[], findings=[], links_checked=0,
                  started_at="2026-11-27T08:00:00Z", finished_at="2026-11-27T08:00:01Z",
                  facts=site_facts(Site.build([], [], cfg)))
