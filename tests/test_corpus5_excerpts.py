"""Excerpts of the third corpus of real sites (tests/fixtures/realsites/README.md, "corpus5"): the classes its
first held-out run showed outside the phone and call-to-action rules (docs/accuracy.md, "A third corpus"), each on
the real markup or text."""
from __future__ import annotations

from audits.rules.citations import CitationOptions, cited_source
from support.realsites import check

CONTENT_RULES = {"missing-cta", "thin-content", "hard-to-read", "phone-not-clickable", "unlinked-source"}


def test_a_practitioners_profile_under_a_base_path_is_no_article():
    # greenleafclinic practitioners/clare-park/: a practitioner's biography (161 words, one h1) on a site served
    # under the base path /greenleafclinic-web/. Its section, "practitioners", is the second segment of the path.
    pages, findings = check("greenleafclinic")
    page = pages["/greenleafclinic-web/practitioners/clare-park/"]
    assert (page.kind, page.kind_evidence) == ("other", ("url /practitioners/: a page about the practice",))
    assert [f.rule for f in findings if f.url == page.url and f.rule in CONTENT_RULES] == []


def test_an_author_year_citation_names_its_paper():
    # greenleafclinic blog/the-reliable-ally-in-implantation-…/, the paragraph "What the research shows:".
    sentences = [
        "A 2019 meta-analysis (Xie et al., PLOS ONE) found improved implantation and pregnancy rates when Chinese "
        "herbal medicine supplemented IVF-ET for unexplained recurrent miscarriage.",
        "Additional studies (Liang 2018; Ushiroyama et al. 2012; Hullender Rubin et al. 2015) report improved "
        "endometrial receptivity, thickness, and overall IVF outcomes with combined acupuncture and herbal treatment.",
    ]
    assert [cited_source(s, CitationOptions()) for s in sentences] == ["Xie et al", "Ushiroyama et al"]


def test_textbooks_credited_by_name_are_a_cited_source():
    # greenleafclinic blog/st36-location-why-classical-and-modern-textbooks-differ/, its sixth paragraph.
    sentence = ("Modern textbooks (WHO, Deadman's A Manual of Acupuncture, Maciocia) converge on a single, precise "
                "coordinate: a fixed distance from a fixed landmark, on a named muscle.")
    assert cited_source(sentence, CitationOptions()) == "WHO"
    # The word alone credits nothing: "the textbook answer" names no body.
    assert cited_source("The textbook answer is rest, ice and time.", CitationOptions()) is None


def test_a_search_form_sending_to_the_site_under_another_scheme_and_host_is_a_url_mismatch():
    # emeraldental cosmetic-dentistry/: the theme's search form posts to http://emeraldental.com/ on a site whose
    # canonical address is https://www.emeraldental.com (WordPress's home URL left at http and the apex).
    _, findings = check("emeraldental", canonical_url="https://www.emeraldental.com")
    hits = [(f.target, f.evidence["where"], f.evidence["canonical"]) for f in findings if f.rule == "url-mismatch"]
    assert hits == [("http://emeraldental.com/", "form", "https://www.emeraldental.com/")]
