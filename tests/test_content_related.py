"""irrelevant-related-post on the labelled fixture site in tests/fixtures/related/."""
from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path

import pytest

from audits import registry
from audits.config import from_dict
from audits.engine import Site, run_rules
from audits.model import Fetch, Page
from audits.related import RelatedOptions, cosine, tfidf, tokens

_spec = importlib.util.spec_from_file_location(
    "related_fixtures", Path(__file__).parent / "fixtures" / "related" / "measure.py")
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)


def findings(pages, fetches=(), **sections):
    config = from_dict({"site": {"start_urls": [fixtures.ORIGIN + "/"]}, **sections})
    config = dataclasses.replace(config, rules={r: "off" for r in registry.load() if r != "irrelevant-related-post"})
    return [f for f in run_rules(Site.build(pages, fetches, config)) if f.rule == "irrelevant-related-post"]


def _pairs(label):
    return {(fixtures.url_of(src), fixtures.url_of(dst))
            for src, block in fixtures.labels().items() for dst in block.get(label, [])}


def test_labelled_pairs_are_separated_by_the_default_threshold():
    flagged = {(f.url, f.target) for f in findings(fixtures.pages())}
    unsure = _pairs("unsure")
    assert flagged - unsure == _pairs("off"), "precision and recall on the labelled pairs must both be 1"
    assert not flagged & _pairs("on")


def test_scores_leave_a_margin_around_the_threshold():
    rows = fixtures.scored_pairs()
    threshold = RelatedOptions().min_similarity
    on = [score for _, _, label, score in rows if label == "on"]
    off = [score for _, _, label, score in rows if label == "off"]
    # A threshold pressed against either cluster would flip on small wording changes.
    assert max(off) < threshold * 0.8 and min(on) > threshold * 1.2


def test_finding_shows_score_and_threshold():
    found = findings(fixtures.pages())
    f = next(f for f in found if f.url == fixtures.url_of("ketamine-ptsd")
             and f.target == fixtures.url_of("testosterone-replacement"))
    assert f.severity.value == "warning"
    assert f.evidence["min_similarity"] == RelatedOptions().min_similarity
    assert 0 <= f.evidence["similarity"] < f.evidence["min_similarity"]
    assert f"{f.evidence['similarity']:.3f}" in f.message


def test_trailing_slash_variant_resolves_to_the_crawled_article():
    # Related links written without the trailing slash; the crawled pages have it and no fetch joins them.
    pages = fixtures.pages(related_url=lambda slug: fixtures.url_of(slug).rstrip("/"))
    flagged = {(f.url, f.target + "/") for f in findings(pages)}
    assert flagged - _pairs("unsure") == _pairs("off")
    assert all(not f.target.endswith("/") for f in findings(pages))


def test_redirected_related_link_is_judged_against_where_it_lands():
    pages = {p.url: p for p in fixtures.pages()}
    ptsd = fixtures.url_of("ketamine-ptsd")
    old = fixtures.ORIGIN + "/old-ketamine-post"
    pages[ptsd] = dataclasses.replace(pages[ptsd], related_posts=(old,))
    fetch = Fetch(url=old, status=200, final_url=fixtures.url_of("ketamine-depression"))
    assert [f for f in findings(list(pages.values()), [fetch]) if f.url == ptsd] == []
    fetch = dataclasses.replace(fetch, final_url=fixtures.url_of("semaglutide-weight-loss"))
    assert [f.target for f in findings(list(pages.values()), [fetch]) if f.url == ptsd] == [old]


def test_uncrawled_short_and_non_article_targets_are_skipped():
    pages = {p.url: p for p in fixtures.pages()}
    ptsd = fixtures.url_of("ketamine-ptsd")
    short = Page(url=fixtures.ORIGIN + "/blog/short/", title="Semaglutide pricing", is_article=True,
                 body_text="Semaglutide costs vary by pharmacy and plan.", word_count=7)
    landing = Page(url=fixtures.ORIGIN + "/weight-loss/", title="Weight loss", is_article=False,
                   body_text=pages[fixtures.url_of("semaglutide-weight-loss")].body_text, word_count=299)
    pages[ptsd] = dataclasses.replace(pages[ptsd], related_posts=(
        fixtures.ORIGIN + "/blog/not-crawled/", short.url, landing.url, "https://elsewhere.test/diet/"))
    assert [f for f in findings([*pages.values(), short, landing]) if f.url == ptsd] == []


def test_threshold_is_configurable():
    assert findings(fixtures.pages(), audits={"related": {"min_similarity": 0.0}}) == []
    strict = findings(fixtures.pages(), audits={"related": {"min_similarity": 0.99}})
    assert len(strict) == sum(len(p.related_posts) for p in fixtures.pages())


def test_tokens_drop_stop_words_and_fold_plurals():
    assert tokens("The infusions and an infusion: what's in a week?") == ["infusion", "infusion"]
    vectors = tfidf({"a": tokens("ketamine infusion depression"), "b": tokens("ketamine infusions for depression"),
                     "c": tokens("semaglutide weight loss")})
    assert cosine(vectors["a"], vectors["b"]) == pytest.approx(1.0)
    assert cosine(vectors["a"], vectors["c"]) == 0.0
