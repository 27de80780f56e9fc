"""Excerpts of the second corpus of real sites (tests/fixtures/realsites/README.md, "corpus3"): the classes its
first held-out run showed (docs/accuracy.md, "A second corpus nobody here had seen"), each on the real markup."""
from __future__ import annotations

from audits.rules.citations import CitationOptions, cited_source
from support.realsites import ORIGIN, PAGE_RULES, check

NEXTSTEP = {"phone": "(416) 306-2157", "phone_region": "CA"}


def test_a_snippet_naming_a_tag_in_its_comment_is_no_page():
    # "<!-- Add in <head> section after favicon links -->": the snippet says where it goes; it has no <head>.
    pages, findings = check("nextsteptherapy", **NEXTSTEP)
    page = pages["/templates/html/ga4-tracking"]
    assert page.kind == "fragment"
    assert [f.rule for f in findings if f.url == page.url and f.rule in PAGE_RULES | {"missing-title"}] == []


def test_crisis_lines_listed_for_readers_are_not_the_clinics_number():
    # "In Crisis?" box and footer "Crisis Resources": a university wellness line, Good2Talk, 988, 911.
    pages, findings = check("nextsteptherapy", **NEXTSTEP)
    page = pages["/western-university-student-therapy"]
    assert [f for f in findings if f.url == page.url and f.rule in ("phone-mismatch", "invalid-tel-link")] == []
    # The clinic's own call to action after the box is still read.
    assert {p.number for p in page.phones} == {"+14163062157"}


def test_lines_listed_under_a_resources_heading_are_the_resources_not_the_clinic():
    # "Crisis Support in Toronto:" (Gerstein, Distress Centre, CAMH, Good2Talk) then "Additional Toronto
    # Resources:" (CAMH, ConnexOntario): other services' numbers listed for readers.
    pages, findings = check("nextsteptherapy", **NEXTSTEP)
    url = ORIGIN + "/anxiety-therapy-toronto"
    assert url in {p.url for p in pages.values()}
    assert [f for f in findings if f.url == url and f.rule == "phone-mismatch"] == []


def test_the_footer_after_a_crisis_section_is_the_practices_again():
    # "Crisis Resources" lists five lines (tel: links); the footer after it gives "289-234-1853", which is not
    # the practice's number: that one is still a mismatch.
    _, findings = check("nextsteptherapy", **NEXTSTEP)
    url = ORIGIN + "/first-job-anxiety-therapy-toronto"
    assert [f.target for f in findings if f.url == url and f.rule == "phone-mismatch"] == ["+12892341853"]


def test_a_number_offered_beside_the_emergency_codes_is_a_help_line():
    # The footer of the student pages: "In Crisis? Call 988 | 911 | <a href="tel:18665312600">1-866-531-2600</a>"
    # (Ontario's Mental Health Helpline). Written as the alternative to 988 and 911, it is an outside line.
    pages, findings = check("nextsteptherapy", **NEXTSTEP)
    page = pages["/homesick-university"]
    assert page.phones == ()
    assert [f for f in findings if f.url == page.url and f.rule.startswith("phone")] == []


def test_a_call_button_dialling_a_placeholder_abroad_is_an_invalid_tel_link():
    # Duda's header button: href "tel:+555-555-1234" (read as a Brazilian number) around "(416) 306-2157".
    _, findings = check("nextsteptherapy", **NEXTSTEP)
    url = ORIGIN + "/public/how-core-values-shape-peak-performance-and-professional-fulfillment"
    assert [(f.rule, f.target) for f in findings if f.url == url and f.rule.startswith(("phone", "invalid"))] == \
        [("invalid-tel-link", "tel:+555-555-1234")]


def test_a_number_set_with_an_en_dash_is_read_and_its_fax_line_is_not_compared():
    pages, findings = check("wkdental", phone="(270) 846-9994", phone_region="US")
    assert [(f.url, f.evidence["written"]) for f in findings if f.rule == "phone-format"] == [
        (ORIGIN + "/", ["(270) 846 – 9994"]), (ORIGIN + "/contact-us/", ["(270) 846 – 9994"])]
    # "Fax : (270) 846 – 9934" on the contact page is the practice's fax.
    assert [f for f in findings if f.rule == "phone-mismatch"] == []


def test_feeds_saved_as_pages_do_not_count_against_the_menu():
    # Four pages with the WordPress menu, five comment feeds saved as feed/index.html: the menu links
    # meet-the-staff/ from every page there is, so it is a section of the site, not an article.
    pages, _ = check("wkdental", phone="(270) 846-9994", phone_region="US")
    page = pages["/meet-the-staff/"]
    assert (page.kind, page.is_article) == ("other", False)
    assert page.kind_evidence[0].startswith("in the site's navigation on 4 of 4 pages")


def test_a_wordpress_testimonial_is_no_article_and_a_post_is():
    pages, findings = check("suzelisholistic", phone="330-872-1577", phone_region="US")
    testimonial = pages["/testimonial/love-dr-ted/"]
    assert (testimonial.kind, testimonial.kind_evidence) == (
        "other", ("body class single-testimonial: a WordPress 'testimonial' entry, not a post",))
    assert [f.rule for f in findings if f.url == testimonial.url and f.rule in ("missing-cta", "thin-content")] == []
    assert pages["/2023/08/29/important-update-pricing-adjustments-reflecting-value-and-commitment/"].is_article


def test_a_floating_call_button_does_not_make_the_articles_number_clickable():
    # "Contact us at (440) 299-7171" in the post; the only tel: link is the theme's mobile "Call" bar after </main>.
    pages, findings = check("chardonpt", phone="(440) 299-7171", phone_region="US")
    url = ORIGIN + "/blog/desk-job-pain-discomfort/"
    assert pages["/blog/desk-job-pain-discomfort/"].is_article
    assert [(f.rule, f.target) for f in findings if f.url == url and f.rule == "phone-not-clickable"] == \
        [("phone-not-clickable", "+14402997171")]


def test_the_practices_own_number_in_a_list_of_resources_is_still_its_own():
    # "Prevention & resources": "Courtney Crawford, PT at Chardon Performance Therapy — (440) 299-7171" beside two
    # hospitals' programmes. A "resources" heading opens a list of outside lines, but this number is the one the
    # header gives; written as text in the post, it is not clickable there.
    pages, findings = check("chardonpt", phone="(440) 299-7171", phone_region="US")
    page = pages["/blog/concussions/"]
    assert page.is_article
    assert [p.context for p in page.phones if p.via == "text"] == ["header", "body"]
    assert [(f.rule, f.target) for f in findings if f.url == page.url and f.rule.startswith("phone")] == \
        [("phone-not-clickable", "+14402997171")]


def test_a_bodys_definition_is_a_cited_source():
    # nextsteptherapy blog/workplace/how-to-recover-from-burnout.html, its second paragraph's first sentence.
    sentence = ("Burnout is more than being tired. The World Health Organization defines it as a syndrome resulting "
                "from chronic workplace stress that has not been successfully managed—characterized by exhaustion, "
                "cynicism, and reduced efficacy.")
    assert cited_source(sentence.split(". ", 1)[1], CitationOptions()) == "World Health Organization"


SUZELIS = {"phone": "330-872-1577", "phone_region": "US"}


def test_a_number_the_page_gives_as_another_providers_is_not_the_practices():
    # "New Hope Thermal Imaging" (a provider the practice hosts): its page writes the name on its own line, then
    # "To schedule an appointment, please call: 330-715-3406"; the home page's widget joins the two in one excerpt.
    pages, findings = check("suzelisholistic", **SUZELIS)
    for path in ("/about-our-doctors/about-new-hope/", "/"):
        page = pages[path]
        assert [(p.number, p.owner) for p in page.phones if p.number == "+13307153406"] == \
            [("+13307153406", "New Hope Thermal Imaging")]
        assert [f for f in findings if f.url == page.url and f.rule == "phone-mismatch"] == []


def test_a_number_given_with_a_venues_address_is_the_venues():
    # "… at the Ohio Naturopathic Wellness Center, 755 Boardman-Canfield Rd., Suite D3, …" then "For more
    # information or to register, call 330-729-1350": the event's venue, not the practice's header line.
    pages, findings = check("suzelisholistic", **SUZELIS)
    page = pages["/learning-experiences/acupuncture-happy-hour/"]
    assert {p.number: p.owner for p in page.phones} == {
        "+13308721577": "", "+13307291350": "Ohio Naturopathic Wellness Center"}
    assert [f for f in findings if f.url == page.url and f.rule == "phone-mismatch"] == []


def test_numbers_written_under_another_organisations_name_are_theirs():
    # "Kids Help Phone: 1-800-668-6868" (faq), "a crisis line such as Talk Suicide Canada at 1-833-456-4566"
    # (terms), insurers' list items "Manulife: … Check your benefits portal or call 1-800-268-6195" and
    # "ConnexOntario (1-866-531-2600)" (therapist-toronto).
    pages, findings = check("nextsteptherapy", **NEXTSTEP)
    owners = {p.number: p.owner for path in ("/faq", "/terms", "/therapist-toronto") for p in pages[path].phones}
    assert owners == {"+18006686868": "Kids Help Phone", "+18334564566": "Talk Suicide Canada",
                      "+18002686195": "Manulife", "+18777865433": "Sun Life", "+18009579777": "Canada Life",
                      "+18667322583": "Blue Cross", "+18887111119": "Green Shield Canada",
                      "+18665312600": "ConnexOntario"}
    assert [f.url for f in findings if f.rule == "phone-mismatch" and f.url.endswith(("/faq", "/terms", "-toronto"))] \
        == [ORIGIN + "/first-job-anxiety-therapy-toronto"]


def test_a_wrong_number_in_the_practices_own_sentence_is_still_a_mismatch():
    # fabozzidental dentures/: "At Fabozzi Dental, we … contact Dr. Fabozzi today at 909-579-4711" (the practice
    # is (909) 597-4711: two digits swapped). Its own doctor, in its own voice: no other party's number.
    pages, findings = check("fabozzidental", phone="(909) 597-4711", phone_region="US")
    page = pages["/dentures/"]
    assert [(p.number, p.owner) for p in page.phones] == [("+19095794711", "")]
    assert [f.target for f in findings if f.url == page.url and f.rule == "phone-mismatch"] == ["+19095794711"]


def test_a_call_to_action_box_named_footer_closes_the_article():
    # The grounding-techniques guide ends with <div class="footer-cta"> ("When Grounding Techniques Aren't Enough",
    # "Book Free 15-Min Consultation" on Jane) inside the page's content, before its print footer. A name that says
    # call to action is the box's purpose; it is the site's footer only where it sits in one.
    from audits.rules.cta import CtaOptions, calls_to_action

    pages, _ = check("nextsteptherapy", **NEXTSTEP)
    page = pages["/resources/grounding-techniques-guide"]
    assert [(c.kind, c.text) for c in calls_to_action(page, CtaOptions())] == [
        ("appointment", "📅 Book Free 15-Min Consultation")]
    # The print footer after it is still no part of the article.
    assert "Ontario Association of Mental Health Professionals" not in page.body_text


def test_a_page_whose_json_ld_says_profile_page_is_a_persons_page():
    # "Jesse Cynamon, RP": the therapist's profile, with JSON-LD "@type": "ProfilePage" and 800 words about his
    # practice under one h1; og:type profile was already a person's page, schema.org's type says the same.
    pages, _ = check("nextsteptherapy", **NEXTSTEP)
    page = pages["/jesse-cynamon-psychotherapist-ontario"]
    assert (page.kind, page.kind_evidence) == ("other", ("json-ld ProfilePage: a person's page",))
