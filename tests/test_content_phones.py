"""phone-mismatch, phone-format and phone-not-clickable on Page objects built by hand."""
from __future__ import annotations

import dataclasses

from audits import registry
from audits.config import from_dict
from audits.engine import run_rules
from audits.model import Action, Page, PhoneSeen
from audits.rules.phones import canonical_number, to_e164, written_format
from audits.site import Site

ORIGIN = "https://clinic.test"
CANON = "+15594251118"


def findings(rule_id, pages, site=None, **sections):
    config = from_dict({"site": {"start_urls": [ORIGIN + "/"], **(site or {})}, **sections})
    config = dataclasses.replace(config, rules={r: "off" for r in registry.load() if r != rule_id})
    return [f for f in run_rules(Site.build(pages, [], config)) if f.rule == rule_id]


def text(raw, number=None, context="body", line=None):
    return PhoneSeen(number=number or to_e164(raw), raw=raw, via="text", context=context, line=line)


def tel(href, shown=None, context="body", line=None):
    return PhoneSeen(number=to_e164(href.removeprefix("tel:")), raw=href, via="tel", context=context,
                     shown=to_e164(shown) if shown else None, line=line)


def page(path, *phones, article=False, actions=()):
    return Page(url=ORIGIN + path, phones=tuple(phones), is_article=article, actions=tuple(actions))


HOUSE = {"phone": "(559) 425-1118"}


def test_e164_and_written_format():
    assert to_e164("(559) 425-1118") == to_e164("tel:+15594251118".removeprefix("tel:")) == CANON
    assert to_e164("559-425-1118") == CANON
    assert to_e164("not a number") is None
    assert written_format("(559) 425-1118") == "(ddd) ddd-dddd"
    assert written_format("(559)\u00a0425-1118") == written_format("(559) 425-1118")
    assert written_format("559.425.1118") != written_format("559-425-1118")


def test_vanity_letters_are_digits_and_the_spelled_out_repeat_is_dropped():
    # Not the 14 digits "(555) 010-CARE (2273)" reads as when the repeat is kept.
    assert to_e164("(559) 425-CARE (2273)") == to_e164("(559) 425-CARE") == to_e164("559-425-2273") == "+15594252273"
    assert to_e164("(559) 425-CARE (2274)") is None  # not the letters spelled out: not one number
    assert written_format("(559) 425-CARE (2273)") == written_format("(559) 425-2273")


# -- phone-mismatch -----------------------------------------------------------------------------

def test_same_number_in_every_format_is_not_a_mismatch():
    pages = [page("/", text("(559) 425-1118"), tel("tel:+15594251118", "(559) 425-1118"),
                  tel("tel:559-425-1118"), text("559.425.1118", context="footer"))]
    assert findings("phone-mismatch", pages, site=HOUSE) == []


def test_other_number_is_one_finding_per_page_and_number():
    pages = [page("/", text("(559) 425-1118")),
             page("/old-post/", text("(559) 425-1100", line=7), text("559-425-1100"), tel("tel:5594251100")),
             page("/other/", text("(559) 425-1100"))]
    found = findings("phone-mismatch", pages, site=HOUSE)
    assert sorted((f.url, f.target) for f in found) == [
        (ORIGIN + "/old-post/", "+15594251100"), (ORIGIN + "/other/", "+15594251100")]
    assert all(f.severity.value == "error" for f in found)
    first = next(f for f in found if f.url.endswith("/old-post/"))
    assert first.evidence["canonical"] == CANON


def test_tel_link_dialling_another_number_than_it_shows():
    pages = [page("/", tel("tel:5594251119", "(559) 425-1118"), text("(559) 425-1118"))]
    [f] = findings("phone-mismatch", pages, site=HOUSE)
    assert f.target == "+15594251119"
    assert "dials +15594251119 but shows +15594251118" in f.message
    assert f.evidence["dials"] == "+15594251119" and f.evidence["shown"] == CANON


def test_tel_link_showing_a_wrong_number_names_the_shown_one():
    pages = [page("/", tel("tel:+15594251118", "(559) 425-1119"), text("(559) 425-1119"))]
    [f] = findings("phone-mismatch", pages, site=HOUSE)
    assert f.target == "+15594251119" and "shows +15594251119" in f.message


def test_allowed_numbers_in_any_format_are_never_mismatches():
    pages = [page("/", text("(559) 425-1118"), text("559.425.2000"), tel("tel:+1-559-425-2000", "(559) 425-1118"))]
    assert findings("phone-mismatch", pages, site=HOUSE, audits={"phone": {"allow": ["(559) 425-2000"]}}) == []
    assert len(findings("phone-mismatch", pages, site=HOUSE)) == 1


def test_without_site_phone_the_number_on_most_pages_is_canonical():
    pages = [page("/", text("(559) 425-1118")), page("/a/", text("559-425-1118")),
             page("/b/", text("(559) 425-1118"), text("(800) 555-0199")), page("/c/", text("(800) 555-0199"))]
    site = Site.build(pages, [], from_dict({}))
    assert canonical_number(site) == CANON
    found = findings("phone-mismatch", pages)
    assert sorted(f.url for f in found) == [ORIGIN + "/b/", ORIGIN + "/c/"]
    assert {f.target for f in found} == {"+18005550199"}


def test_no_numbers_anywhere_is_no_finding():
    assert findings("phone-mismatch", [page("/"), page("/a/")]) == []


# -- phone-format -------------------------------------------------------------------------------

def test_canonical_number_in_another_format_than_the_configured_one():
    pages = [page("/", text("(559) 425-1118")), page("/a/", text("559-425-1118", line=4), text("559.425.1118")),
             page("/b/", tel("tel:559-425-1118"), text("(559)\u00a0425-1118"))]
    [f] = findings("phone-format", pages, site=HOUSE)
    assert (f.url, f.target, f.line) == (ORIGIN + "/a/", CANON, 4)
    assert f.evidence == {"written": ["559-425-1118", "559.425.1118"], "house_format": "(ddd) ddd-dddd"}
    assert f.severity.value == "info"


def test_without_site_phone_the_most_common_written_format_is_the_house_format():
    pages = [page("/", text("559-425-1118")), page("/a/", text("559-425-1118")), page("/b/", text("(559) 425-1118"))]
    [f] = findings("phone-format", pages)
    assert f.url == ORIGIN + "/b/" and f.evidence["house_format"] == "ddd-ddd-dddd"


def test_other_numbers_are_not_judged_for_format():
    pages = [page("/", text("(559) 425-1118"), text("800.555.0199"))]
    assert findings("phone-format", pages, site=HOUSE) == []


# -- phone-not-clickable ------------------------------------------------------------------------

def test_number_in_article_text_without_tel_link():
    pages = [page("/post/", text("(559) 425-1118", line=12), text("559-425-1118"), article=True)]
    [f] = findings("phone-not-clickable", pages)
    assert (f.target, f.line, f.severity.value) == (CANON, 12, "info")


def test_number_with_tel_link_in_the_body_is_clickable():
    # Extraction records the article's own links as its actions, the tel: link among them.
    pages = [page("/post/", text("(559) 425-1118"), tel("tel:+15594251118", "(559) 425-1118", line=14),
                  article=True, actions=[Action(kind="link", text="(559) 425-1118", href="tel:+15594251118", line=14)])]
    assert findings("phone-not-clickable", pages) == []


def test_a_tel_link_outside_the_article_does_not_make_its_number_clickable():
    # A theme's floating "Call" bar after </main>: in the page's body region, not one of the article's actions.
    pages = [page("/post/", text("(559) 425-1118", line=12), tel("tel:+15594251118", line=40), article=True)]
    assert [f.line for f in findings("phone-not-clickable", pages)] == [12]


def test_tel_link_only_in_the_header_does_not_make_body_text_clickable():
    pages = [page("/post/", text("(559) 425-1118"), tel("tel:+15594251118", context="header"), article=True)]
    assert len(findings("phone-not-clickable", pages)) == 1


def test_plain_numbers_outside_articles_or_body_are_not_judged():
    pages = [page("/contact/", text("(559) 425-1118")),
             page("/post/", text("(559) 425-1118", context="footer"), article=True)]
    assert findings("phone-not-clickable", pages) == []
