"""Block boundaries in the article body: sentences for readability, and where an article ends."""
from __future__ import annotations

from audits.extract import extract_page
from audits.readability import measure, sentences

SIGNS = b"""<html><body class="single-post"><main><article><h1>Signs of depression</h1>
<p>Depression is more than feeling sad for a day or two, and it can change how you sleep, eat and think about
yourself over many weeks.</p>
<p>Common signs that doctors look for when they diagnose depression include</p>
<ul><li>persistent feelings of hopelessness and emptiness throughout most days</li>
<li>difficulty concentrating, remembering details and making everyday decisions</li>
<li>changes in appetite and unexplained weight fluctuation</li><li>fatigue and decreased energy</li>
<li>thoughts of death or suicide</li></ul>
<table><tr><td>Mild depression</td><td>Talk therapy and regular exercise</td></tr>
<tr><td>Severe depression</td><td>Medication combined with psychotherapy</td></tr></table>
<p>If you notice several of these signs for two weeks or more, talk to a doctor. Help works.</p>
</article></main></body></html>"""


def test_list_items_and_table_cells_end_sentences():
    page = extract_page("https://clinic.test/blog/signs/", SIGNS)
    run_together = measure(page.body_text.replace("\n\n", " "), [p.text for p in page.paragraphs])
    r = page.readability
    # Run together, the list and table read as one 60-word sentence at a college grade.
    assert run_together.flesch_kincaid_grade > 20 > 10 > r.flesch_kincaid_grade
    # The quoted sentences are each one block, never items glued to each other.
    items = ["persistent feelings", "difficulty concentrating", "changes in appetite", "Mild depression"]
    assert r.hardest_sentences and all(sum(i in s for i in items) <= 1 for s in r.hardest_sentences)
    # body_text keeps the words as written: no full stop is added to it.
    assert "fatigue and decreased energy\n\n" in page.body_text


def test_sentences_split_at_blank_lines_and_keep_written_punctuation():
    assert sentences("Symptoms include:\n\nfatigue.\n\nLow mood. Poor sleep!") == \
        ["Symptoms include:", "fatigue.", "Low mood.", "Poor sleep!"]


def _ctas(page):
    from audits.rules.cta import CtaOptions, calls_to_action
    return [(c.kind, c.text) for c in calls_to_action(page, CtaOptions())]


POST = ("<h1>Ketamine</h1><p>Ketamine can ease depression within hours for many patients who tried other "
        "medicines first.</p><p>Most patients start with a series of six infusions over two to three weeks.</p>")
BOOKING = ('<div class="booking-box"><h3>Ready to start?</h3><p>Call <a href="tel:+15594251118">(559) 425-1118</a>'
           ' or <a href="/appointments/">book online</a>.</p></div>')


def test_a_booking_box_right_after_the_article_is_its_call_to_action():
    html = (f'<body class="single-post"><div id="content"><main><article>{POST}</article>{BOOKING}</main>'
            '<aside class="sidebar"><a href="/contact/">Contact us</a></aside></div></body>')
    page = extract_page("https://clinic.test/blog/k/", html.encode())
    assert _ctas(page) == [("tel", "(559) 425-1118"), ("appointment", "book online")]


def test_a_call_to_action_past_a_decorative_star_still_closes_the_article():
    html = (f'<body class="single-post"><main><article>{POST}</article><p class="sep">&#9733; &#9733; &#9733;</p>'
            f"<hr>{BOOKING}</main></body>")
    page = extract_page("https://clinic.test/blog/k/", html.encode())
    assert _ctas(page) == [("tel", "(559) 425-1118"), ("appointment", "book online")]
    assert [p.context for p in page.phones] == ["body", "body"]


def test_the_next_section_of_the_page_is_not_the_articles_tail():
    # A long block (an author bio, the next section) is not a call-to-action box, however many links it has.
    bio = "<p>" + "Dr. Lee has treated depression for twenty years and trained at UCSF. " * 8 + "</p>"
    html = (f'<body class="single-post"><main><article>{POST}</article><section>{bio}'
            '<a href="/appointments/">book online</a></section></main></body>')
    assert _ctas(extract_page("https://clinic.test/blog/k/", html.encode())) == []


# Divi's text module: the class names are those Divi 4's Theme Builder writes (et-l--body, et_pb_post_content,
# et-l--post, et_pb_text_inner), as in the theme-builder templates of public Divi child themes; the text sits in
# the inner div between <br>s, with no <p>, and a blurb module elsewhere holds the page's only <p>.
DIVI = """<body class="post-template-default single single-post postid-812 et-tb-has-template et-tb-has-body">
<div id="page-container"><div id="et-boc" class="et-boc"><div id="et-main-area"><div id="main-content">
<div class="et-l et-l--body"><div class="et_builder_inner_content et_pb_gutters3">
<div class="et_pb_section et_pb_section_0_tb_body et_section_regular"><div class="et_pb_row et_pb_row_0_tb_body">
<div class="et_pb_column et_pb_column_4_4 et_pb_column_0_tb_body et-last-child">
<div class="et_pb_module et_pb_post_title et_pb_post_title_0_tb_body"><div class="et_pb_title_container">
<h1 class="entry-title">Ketamine and depression</h1></div></div>
<div class="et_pb_module et_pb_post_content et_pb_post_content_0_tb_body"><div class="et-l et-l--post">
<div class="et_builder_inner_content et_pb_gutters3"><div class="et_pb_section et_pb_section_0 et_section_regular">
<div class="et_pb_row et_pb_row_0"><div class="et_pb_column et_pb_column_4_4 et_pb_column_0 et-last-child">
<div class="et_pb_module et_pb_text et_pb_text_0 et_pb_text_align_left et_pb_bg_layout_light">
<div class="et_pb_text_inner">Ketamine is an anesthetic that has been used in hospitals for decades.<br>
In low doses it can ease the symptoms of depression within hours, where pills take weeks to help.<br><br>
Most patients start with a series of six infusions over two to three weeks.<br>
Each visit lasts about an hour, and a nurse stays with you the whole time.</div></div>
</div></div></div></div></div></div>
</div></div></div>
<div class="et_pb_section et_pb_section_1_tb_body"><div class="et_pb_module et_pb_blurb">
<div class="et_pb_blurb_description"><p>We are open Monday to Friday, 9 to 5.</p></div></div></div>
</div></div></div></div></div></body>"""


def test_divi_post_text_written_straight_into_the_inner_div_is_the_body():
    page = extract_page("https://clinic.test/blog/ketamine/", DIVI.encode())
    # Before, the blurb's one <p> was the densest text and the body was its 9 words.
    assert page.kind == "article" and page.word_count >= 60
    assert page.body_text.startswith("Ketamine is an anesthetic")
