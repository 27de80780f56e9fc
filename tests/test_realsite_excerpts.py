"""Excerpts of real sites nobody here wrote (tests/fixtures/realsites/README.md): the false-alarm classes
measured in docs/accuracy.md, each on the real markup that showed it."""
from __future__ import annotations

import pytest

from support.realsites import ORIGIN, PAGE_RULES, check


@pytest.mark.parametrize("site, path, kind, evidence", [
    # thenorthclinic: 295 srcset names saved with the server's plain-text answer as their body.
    ("thenorthclinic", "/300w", "error", "the whole text is 'Not Found'"),
    ("thenorthclinic", "/about/concat_r", "error", "the whole text is 'Forbidden'"),
    # miami: WordPress's 404 page saved under an image's name (its blog list has one h1 per post).
    ("miamiclinicalpsychotherapy", "/wp-content/uploads/2016/03/adhd-1.jpg", "error", "body class error404"),
    ("alignpointchiro", "/contact/", "fragment", "empty document"),  # a file holding one space
    ("cardstonsmiles", "/main", "fragment", "no doctype, <html>, <head>, <body> or <title>: a piece of a page"),
    ("cardstonsmiles", "/fonts/flaticon/font/flaticon", "asset",
     "inside a fonts/ folder: a theme's, plugin's or font's own file"),
    # smilepointdental: the booking form every page shows in an iframe.
    ("smilepointdental", "/appointment-form/form1", "fragment", "shown in an <iframe> on 1 page, linked from none"),
])
def test_a_file_that_is_no_page_gets_its_kind_and_no_page_findings(site, path, kind, evidence):
    pages, findings = check(site)
    assert (pages[path].kind, pages[path].kind_evidence) == (kind, (evidence,))
    assert not pages[path].is_article
    assert [f.rule for f in findings if f.url == ORIGIN + path and f.rule in PAGE_RULES] == []


def test_the_pages_beside_them_are_still_judged():
    pages, findings = check("smilepointdental", phone="+91 94872 71222", phone_region="IN")
    assert pages["/"].kind == "home"
    # The home page excerpt has no h1 of its own: still reported, on the page and not on its form.
    assert [(f.rule, f.url) for f in findings if f.rule == "missing-h1"] == [("missing-h1", ORIGIN + "/")]


def test_a_mobile_and_a_landline_offered_together_are_both_the_clinics():
    # "Call Us +91 94872 71222 | 0427 3587703" in the header, "Mobile:" and "Phone:" in the footer: 1 page
    # of 25 with the same two phone-mismatch errors before.
    _, findings = check("smilepointdental", phone="+91 94872 71222", phone_region="IN")
    assert [f for f in findings if f.rule == "phone-mismatch"] == []
    assert [f for f in findings if f.rule == "invalid-tel-link"] == []


def test_a_second_office_named_beside_the_first_is_not_a_mismatch():
    # "call us at (724) 376-7161 (Sandy Lake Office) or (814) 724-6890 (Meadville Office)"
    pages, findings = check("sandylakedental", phone="(724) 376-7161", phone_region="US")
    numbers = {p.number for p in pages["/"].phones}
    assert numbers == {"+17243767161", "+18147246890"}
    assert [f for f in findings if f.rule == "phone-mismatch"] == []


def test_a_reviews_date_is_not_a_phone_number():
    # A German review card dated "03.06.2025" read as the Berlin number +493062025 before.
    pages, findings = check("elaesthetics", phone="+49 1556 6919635", phone_region="DE")
    assert [p.raw for p in pages["/hyaluron/profhilo/"].phones] == ["+4915566919635"]
    assert [f for f in findings if f.rule == "phone-mismatch"] == []


def test_an_h1_nested_in_an_h1_is_one_heading_as_a_browser_shows_it():
    # <h1 class="titleheading"><h1 class="headings"><span>About Us</span></h1></h1>
    pages, findings = check("miamiclinicalpsychotherapy")
    assert [h.text for h in pages["/about-us/"].headings if h.level == 1] == ["", "About Us"]
    assert [f for f in findings if f.rule == "multiple-h1"] == []


def test_template_images_without_alt_are_reported_once_per_image():
    # fabozzidental: four social icons without alt in the sidebar of all 65 pages; the rule left out
    # header, nav, sidebar and footer images (recall 0.00 on the site). A dental-crowns WordPress page.
    pages, findings = check("fabozzidental")
    assert pages["/dental-crowns/"].kind == "other"  # body class page page-id-89: a page, not a post
    assert pages["/dental-crowns/"].kind_evidence == ("body class page-id-89: a WordPress page, not a post",)
    alt = sorted((f.target.rsplit("/", 1)[-1], f.evidence["context"]) for f in findings if f.rule == "missing-alt")
    assert alt == [("facebook.png", "sidebar"), ("googleplus.png", "sidebar"), ("twitter.png", "sidebar"),
                   ("yelp.png", "sidebar")]


def test_a_tracking_pixel_is_not_an_image_without_alt():
    # thenorthclinic: the Facebook pixel's <noscript><img height="1" width="1"> in the head of every page.
    pages, findings = check("thenorthclinic")
    assert pages["/"].images == ()
    assert [f for f in findings if f.rule == "missing-alt"] == []


def test_a_number_between_line_breaks_is_written_in_the_text():
    # thenorthclinic about/content.html: "<br />(+351) 220 968 468<br /><span>Chamada para a rede fixa</span>"
    # read as "…968 468Chamada", so the number was not seen in the text and phone-format missed 18 copies.
    pages, findings = check("thenorthclinic", phone="+351 220 968 468", phone_region="PT")
    assert [(p.raw, p.via) for p in pages["/about/content"].phones] == [("(+351) 220 968 468", "text"),
                                                                          ("+351220968468", "tel")]
    assert [f.evidence["written"] for f in findings if f.rule == "phone-format"] == [["(+351) 220 968 468"]]


def test_bodies_named_with_a_verb_of_judgement_are_cited_sources():
    # fabozzidental: "Both the American Dental Association and the World Health Organization rate dental amalgam
    # as safe. In addition, … the Food and Drug Administration all consider silver amalgam safe" (no link).
    pages, findings = check("fabozzidental")
    assert pages["/blog/theres-always-silver-lining/"].kind == "article"
    cited = [f.evidence["source"] for f in findings if f.rule == "unlinked-source"]
    assert cited == ["World Health Organization", "Food and Drug Administration"]


def test_a_link_to_ask_the_practice_closes_an_article():
    # fabozzidental: eight of its 14 posts end with 'You can "Ask the Dentists" and Drs. Fabozzi and Winter will
    # respond', linking the practice's question form; missing-cta reported all eight (precision 0.38 there).
    pages, findings = check("fabozzidental")
    assert pages["/blog/theres-always-silver-lining/"].kind == "article"
    assert [f.url for f in findings if f.rule == "missing-cta"] == []


CONTENT_RULES = {"hard-to-read", "thin-content", "missing-cta", "phone-not-clickable", "unlinked-source"}


def test_a_page_in_the_menu_of_most_pages_is_no_article_whatever_its_cms_declares():
    # sandylakedental (Publii): JSON-LD Article and og:type article on every page, the about, specials and
    # social pages among them, each in the menu of every page; the AMP copy names the about page canonical.
    site = "https://chandandentistry.com"
    pages, findings = check("sandylakedental", canonical_url=site, phone="(724) 376-7161", phone_region="US")
    for path in ("/about-the-dentists/", "/specials/", "/see-us-on/"):
        page = pages[site + path]
        assert (page.kind, page.kind_evidence) == ("other", (
            "in the site's navigation on 3 of 5 pages: a section of the site, not an article", "declared: json-ld article"))
    amp = pages[site + "/amp/about-the-dentists/"]
    assert (amp.kind, amp.kind_evidence) == ("other", (
        f"a copy of {site}/about-the-dentists/ (its canonical link), which is other",))
    assert [f.url for f in findings if f.rule in CONTENT_RULES] == []


def test_a_medical_web_page_and_a_profile_are_no_articles():
    # abacoapodiatry: JSON-LD MedicalWebPage (schema.org's WebPage about a medical topic) on a condition page,
    # og:type profile on a surgeon's page, whose biography named "the American Diabetes Association" she
    # volunteered with (unlinked-source) and whose length made it an article.
    pages, findings = check("abacoapodiatry")
    assert (pages["/conditions/arthritis/"].kind, pages["/conditions/arthritis/"].kind_evidence) == \
        ("other", ("og:type website",))
    assert (pages["/meet-dr-mustafa/"].kind, pages["/meet-dr-mustafa/"].kind_evidence) == \
        ("other", ("og:type profile: a person's page",))
    assert [f.url for f in findings if f.rule in CONTENT_RULES] == []


def test_the_hardest_sentences_quoted_do_not_break_at_an_abbreviation():
    # fabozzidental: "In addition, the U.S. Public Health Service, the Centers for Disease Control, and the Food
    # and Drug Administration all consider silver amalgam safe for patients." was quoted by hard-to-read from
    # "Public Health Service, …": the sentence was cut after "U.S." (1 of 23 quotes on the labelled articles).
    pages, _ = check("fabozzidental")
    hardest = pages["/blog/theres-always-silver-lining/"].readability.hardest_sentences
    assert "In addition, the U.S. Public Health Service, the Centers for Disease Control, and the Food and Drug " \
           "Administration all consider silver amalgam safe for patients." in hardest
    assert not [s for s in hardest if s.startswith("Public Health Service")]
