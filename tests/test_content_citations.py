"""unlinked-source: attributions to named sources in paragraphs without links."""
from __future__ import annotations

import dataclasses

import pytest

from audits import registry
from audits.rules.citations import CitationOptions, cited_source
from audits.config import from_dict
from audits.engine import run_rules
from audits.model import Page, Paragraph
from audits.site import Site

ORIGIN = "https://clinic.test"


def findings(paragraphs, title="Ketamine for depression | OMG Wellness MD", article=True, **sections):
    config = from_dict({"site": {"start_urls": [ORIGIN + "/"]}, **sections})
    config = dataclasses.replace(config, rules={r: "off" for r in registry.load() if r != "unlinked-source"})
    page = Page(url=ORIGIN + "/post/", title=title, is_article=article, paragraphs=tuple(paragraphs))
    return [f for f in run_rules(Site.build([page], [], config)) if f.rule == "unlinked-source"]


CITED = [
    ("According to Harvard Health, ketamine can ease depression within hours.", "Harvard Health"),
    ("WebMD reports that about half of men over 40 have some erectile dysfunction.", "WebMD"),
    ("A 2019 study in JAMA found that most patients improved.", "JAMA"),
    ("The results were published in The Lancet last year.", "The Lancet"),
    ("Research from the Mayo Clinic shows that ketamine acts within hours.", "Mayo Clinic"),
    ("The CDC recommends 150 minutes of moderate exercise a week.", "CDC"),
    ("Per the NIH, one in five adults lives with a mental illness.", "NIH"),
    ("Researchers at Stanford University found that ketamine also acts on opioid receptors.", "Stanford University"),
    ("A study published in Obesity Reviews found large effects on appetite.", "Obesity Reviews"),
    ("The World Health Organization estimates that 280 million people live with depression.",
     "World Health Organization"),
    ("According to the American Urological Association, ED affects 30 million men.",
     "American Urological Association"),
]
NOT_CITED = [
    "According to your doctor, you may need a different dose.",
    "According to our patients, the first infusion feels dreamy.",
    "According to Dr. Lee, our medical director, most patients relax within minutes.",
    "Dr. Lee trained at Johns Hopkins before moving to Fresno.",
    "Spravato is FDA-approved for treatment-resistant depression.",
    "Who is a good candidate for ketamine?",
    "Studies show ketamine works quickly for many people.",
    "Clinic staff found the new recliners comfortable.",
    "OMG Wellness MD recommends a free consultation before any treatment.",
    "33 Joints Per Foot",  # a Title Case figure label on abacoapodiatry's arthritis page, read as citing "Foot"
]


@pytest.mark.parametrize("sentence, source", CITED)
def test_attributed_claims_are_recognised(sentence, source):
    assert cited_source(sentence, CitationOptions()) == source


@pytest.mark.parametrize("sentence", NOT_CITED)
def test_non_attributions_are_not_sources(sentence):
    assert cited_source(sentence, CitationOptions(), {"omg wellness md"}) is None


def test_unlinked_citation_is_a_finding_with_sentence_and_source():
    sentence = "According to Harvard Health, ketamine can ease depression within hours."
    [f] = findings([Paragraph("Ketamine is different. " + sentence + " Ask us about it.", (), 14)])
    assert (f.severity.value, f.target, f.line) == ("info", None, 14)
    assert f.evidence == {"source": "Harvard Health", "sentence": sentence}


def test_citation_with_a_link_in_its_paragraph_is_fine():
    linked = Paragraph("According to Harvard Health, ketamine can ease depression within hours.",
                       ("https://www.health.harvard.edu/blog/ketamine",))
    assert findings([linked]) == []


def test_every_unlinked_paragraph_counts_and_negatives_add_nothing():
    paras = [Paragraph(s) for s, _ in CITED] + [Paragraph(s) for s in NOT_CITED]
    assert sorted(f.evidence["source"] for f in findings(paras)) == sorted(src for _, src in CITED)


def test_extra_sources_and_ignored_names_are_configurable():
    para = [Paragraph("Fresno County Public Health recommends a flu shot every autumn.")]
    assert findings(para) == []
    [f] = findings(para, audits={"citations": {"sources": ["Fresno County Public Health"]}})
    assert f.evidence["source"] == "Fresno County Public Health"
    own = [Paragraph("Researchers at Valley Wellness Institute found that most patients improve.")]
    assert len(findings(own)) == 1
    assert findings(own, audits={"citations": {"ignore": ["Valley Wellness Institute"]}}) == []


def test_clinic_name_from_the_title_is_not_a_source_and_non_articles_are_skipped():
    para = [Paragraph("Researchers at OMG Wellness Institute found that patients sleep better.")]
    assert findings(para, title="Sleep | OMG Wellness Institute") == []
    assert findings([Paragraph(CITED[0][0])], article=False) == []


@pytest.mark.parametrize("sentence, source", [
    ("The CDC REPORTS that most adults sleep too little.", "CDC"),  # a cue in capitals
    ("Le CDC reports que café drinkers sleep less.", "CDC"),  # non-ASCII text takes the case-insensitive search
    ("We toured the CDC campus in Atlanta.", None),  # a name without a cue word
    ("The CDC reportedly toured the campus.", None),  # a cue word only as part of a longer word
])
def test_cue_words_are_found_in_any_case_and_only_as_whole_words(sentence, source):
    assert cited_source(sentence, CitationOptions()) == source
