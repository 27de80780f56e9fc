"""Related-post blocks as real plugins and themes render them (tests/fixtures/related/markup/)."""
from __future__ import annotations

from pathlib import Path

import pytest

from audits.extract import extract_page
from audits.model import RelatedBlock
from audits.rules.related import related_links
from audits.model import Page

MARKUP = Path(__file__).parent / "fixtures" / "related" / "markup"
ORIGIN = "https://clinic.test"
SHELL = """<!doctype html><html lang="en"><head><title>Signs of treatment-resistant depression | Clinic</title>
<meta property="og:type" content="article"></head>
<body class="post-template-default single single-post postid-7">
<header class="site-header"><nav class="main-navigation"><ul><li><a href="/">Home</a></li>
<li><a href="/blog/">Blog</a></li><li><a href="/contact/">Contact</a></li></ul></nav></header>
<div class="site-content"><main id="main" class="site-main">
<article id="post-7" class="post-7 post type-post status-publish category-depression tag-trd">
<header class="entry-header"><h1 class="entry-title">Signs of treatment-resistant depression</h1>
<div class="entry-meta"><a href="/category/depression/" rel="category tag">Depression</a></div></header>
<div class="entry-content"><p>{body}</p><p>Read our guide to <a href="/blog/body-link/">choosing a therapist</a>.</p></div>
{inside}</article>
{after}</main>
<aside id="secondary" class="widget-area"><section id="recent-posts-2" class="widget widget_recent_entries">
<h2 class="widget-title">Recent Posts</h2><ul><li><a href="/blog/recent-1/">Clinic news</a></li>
<li><a href="/blog/recent-2/">Holiday hours</a></li></ul></section></aside></div>
<footer class="site-footer"><a href="/privacy/">Privacy</a></footer></body></html>"""
BODY = ("When two antidepressants taken at a full dose for long enough have not lifted your mood, "
        "psychiatrists call it treatment-resistant depression. ") * 12
FILES = sorted(p.name for p in MARKUP.glob("*.html"))


def page_with(name: str, where: str) -> Page:
    block = (MARKUP / name).read_text(encoding="utf-8")
    html = SHELL.format(body=BODY, inside=block if where == "inside" else "", after=block if where == "after" else "")
    return extract_page(ORIGIN + "/blog/trd-signs/", html.encode(), headers={"Content-Type": "text/html"})


@pytest.mark.parametrize("where", ["inside", "after"])
@pytest.mark.parametrize("name", FILES)
def test_block_is_recognised_with_exactly_its_post_links(name, where):
    page = page_with(name, where)
    block_text = (MARKUP / name).read_text(encoding="utf-8")
    expected = {f"{ORIGIN}/blog/rel-{c}/" for c in "abc" if f"/blog/rel-{c}/" in block_text}
    assert [set(b.links) for b in page.related_blocks] == [expected]
    assert page.is_article and "treatment-resistant" in page.body_text
    assert "Is ketamine safe" not in page.body_text  # the block is not the article's text
    if name.startswith("latest-posts"):
        assert page.related_posts == () and "wp-block-latest-posts" in page.related_blocks[0].markers
    else:
        assert set(page.related_posts) == expected
    assert {"category:depression", "tag:trd"} <= set(page.topics)


def test_recent_posts_widget_alone_is_no_block():
    page = page_with("crp.html", "nowhere")
    assert page.related_blocks == () and page.related_posts == ()


def _post(slug: str, links: tuple[str, ...], heading: str = "You may also like") -> Page:
    block = RelatedBlock(links=tuple(f"{ORIGIN}/blog/{s}/" for s in links), heading=heading,
                         markers=("elementor-widget-posts",))
    return Page(url=f"{ORIGIN}/blog/{slug}/", is_article=True, related_blocks=(block,))


def test_same_posts_on_most_pages_is_a_latest_posts_list_not_related_posts():
    newest = ("n1", "n2", "n3")
    pages = [_post(f"p{i}", newest) for i in range(6)]
    pages += [_post("n1", ("n2", "n3", "n4")), _post("n2", ("n1", "n3"))]  # the newest posts leave themselves out
    pages.append(_post("p9", ("x1", "x2"), heading="Related posts"))  # a real selection elsewhere on the site
    related = related_links(pages)
    assert related == {f"{ORIGIN}/blog/p9/": (f"{ORIGIN}/blog/x1/", f"{ORIGIN}/blog/x2/")}


def test_per_article_selections_are_kept_even_when_they_overlap():
    # Four posts, each showing the other three: every set differs, so each is a selection.
    slugs = ("a", "b", "c", "d")
    pages = [_post(s, tuple(o for o in slugs if o != s)) for s in slugs]
    assert len(related_links(pages)) == 4


def test_a_call_to_action_box_named_related_is_no_related_posts_block():
    """nextsteptherapy.ca (jhcynamon1/NextStepTherapySite-v2 @02b2123, blog/workplace/how-to-recover-from-burnout.html):
    the post ends with an `<aside class="related-cta">` booking box, then its own related articles."""
    after = """<aside class="related-cta">
 <h3>Need Support?</h3>
 <p>If burnout is affecting your work, therapy can help you rebuild boundaries and energy with a plan tailored to your role.</p>
 <a href="/workplace-stress-therapy-ontario.html" class="btn-primary">Learn About Therapy Options</a>
 <a href="https://nextsteptherapy.janeapp.com/" class="btn-secondary">Schedule 15-Min Call</a>
 </aside>
 <nav class="related-posts">
 <h3>Related Articles</h3>
 <ul>
 <li><a href="/blog/workplace/imposter-syndrome-at-work.html">Imposter Syndrome at Work</a></li>
 <li><a href="/perfectionism-and-burnout-therapy-toronto.html">Perfectionism and Burnout</a></li>
 <li><a href="/virtual-therapy-effectiveness-research.html">Virtual Therapy Effectiveness</a></li>
 </ul>
 </nav>"""
    html = SHELL.format(body=BODY, inside=after, after="")
    page = extract_page(ORIGIN + "/blog/how-to-recover-from-burnout.html", html.encode(),
                        headers={"Content-Type": "text/html"})
    assert page.related_posts == tuple(ORIGIN + p for p in (
        "/blog/workplace/imposter-syndrome-at-work.html", "/perfectionism-and-burnout-therapy-toronto.html",
        "/virtual-therapy-effectiveness-research.html"))
    # The box is the article's call to action, not a list of posts.
    assert any(a.text == "Schedule 15-Min Call" for a in page.actions)
