"""Page kinds: extraction records the facts, audits.kinds decides, report.json shows kind and evidence."""
from __future__ import annotations

import pytest

from audits.extract import extract_page
from audits.kinds import PageFacts, classify, first_page, paginated

SITE = "https://clinic.test"
PROSE = " ".join(["Ketamine can ease depression within hours for many patients who tried other medicines."] * 20)


def kind_of(path: str, html: str):
    page = extract_page(SITE + path, html.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
    return page.kind, page.kind_evidence, page


@pytest.mark.parametrize("path, html, kind, evidence", [
    # WordPress's tag archive and its /page/1/ copy (the copy carries no body class in some exports).
    ("/tag/anxiety/", '<body class="archive tag tag-anxiety"><h1>Anxiety</h1><p>x</p></body>', "archive",
     "body class archive"),
    ("/tag/anxiety/page/1/", f"<body><h1>Anxiety</h1><p>{PROSE}</p></body>", "archive", "tag, category or author"),
    ("/blog/page/2/", f"<body><h1>Blog</h1><p>{PROSE}</p></body>", "listing", "page 2 of a paginated list"),
    ("/2023/05/", f"<body><h1>May 2023</h1><p>{PROSE}</p></body>", "archive", "date archive"),
    ("/blog/", f"<body><main><h1>Blog</h1><p>{PROSE}</p></main></body>", "listing", "blog index"),
    ("/old-page/", '<head><meta http-equiv="refresh" content="0; url=/new-page/"></head>'
                   '<body><p>Redirecting to <a href="/new-page/">the new page</a>.</p></body>',
     "redirect", "meta refresh after 0 s"),
    ("/dev/condition-template/", "<body><h1>[Condition Name] Treatment in [City]</h1>"
                                 f"<p>[Condition Name] affects many adults. {PROSE}</p></body>", "template",
     "3 placeholders ([Condition Name], [City])"),
    ("/privacy-policy/", f'<head><meta property="og:type" content="article"></head><body><h1>Privacy Policy</h1>'
                         f"<p>{PROSE}</p></body>", "legal", "url /privacy-policy/"),
    ("/notice.html", f"<head><title>Notice of Privacy Practices | Smith Dental</title></head><body><h1>Notice</h1>"
                     f"<p>{PROSE}</p></body>", "legal", "title 'Notice of Privacy Practices'"),
    ("/request/", '<body><main><h1>Request a visit</h1><form action="/send"><label>Name <input name="n"></label>'
                  '<button>Send</button></form></main></body>', "form", "1 form in the main body"),
    ("/about-us/", f"<body><main><h1>About us</h1><p>{PROSE}</p></main></body>", "other",
     "a page about the practice"),
    # A team profile with a contact form (the real newhorizonbehavioral export's our-team pages).
    ("/our-team/dr-lee/", '<body><main><h1>Dr. Lee</h1><p>Dr. Lee treats anxiety.</p><form><input name="n">'
                          '<button>Send</button></form></main></body>', "other", "url /our-team/"),
    ("/ketamine-and-depression/", f"<body><main><h1>Ketamine and depression</h1><p>{PROSE}</p></main></body>",
     "article", "long body (260 words), one h1"),
    ("/", f"<body><h1>Welcome</h1><p>{PROSE}</p></body>", "home", "url path /"),
])
def test_kind_and_the_signal_that_decided_it(path, html, kind, evidence):
    got, why, page = kind_of(path, html)
    assert (got, page.is_article) == (kind, kind == "article")
    assert any(evidence in e for e in why), why


def test_declared_posts_stay_articles_even_beside_a_blog_module():
    # Divi's Blog module puts <article>s under a post; the post's own body class says what it is.
    html = ('<body class="post-template-default single single-post postid-9"><main><article><h1>A</h1>'
            f"<p>{PROSE}</p></article><div class='et_pb_blog_grid'><article><h2>B</h2></article>"
            "<article><h2>C</h2></article></div></main></body>")
    kind, why, _ = kind_of("/a/", html)
    assert (kind, why[0]) == ("article", "body class single-post")


def test_placeholders_are_capitalised_blanks_not_footnotes_or_hidden_emails():
    html = ("<body><h1>Sleep</h1><p>Adults need seven hours [1]. Write to [email protected] [sic]. "
            f"[Read More] [Read More] [Read More] {PROSE}</p></body>")
    assert kind_of("/sleep/", html)[0] == "article"


def test_a_page_that_shows_itself_before_refreshing_is_not_a_stub():
    html = (f'<head><meta http-equiv="refresh" content="600; url=/news/"></head><body><h1>News</h1><p>{PROSE}</p>'
            "</body>")
    assert kind_of("/news-today/", html)[0] == "article"


def test_pagination_helpers():
    assert paginated(SITE + "/tag/x/page/3/") == 3 and paginated(SITE + "/?paged=2") == 2
    assert paginated(SITE + "/tag/x/") is None
    assert first_page(SITE + "/tag/x/page/1/") == SITE + "/tag/x/"


def test_classify_is_pure_and_total():
    kind, why = classify(PageFacts(url=SITE + "/x/"))
    assert kind == "other" and why


def test_report_json_page_entry_has_kind_and_evidence():
    _, _, page = kind_of("/tag/anxiety/", '<body class="archive tag"><h1>Anxiety</h1></body>')
    entry = page.summary()
    assert entry["kind"] == "archive" and entry["is_article"] is False
    assert entry["kind_evidence"] == ["body class archive", "body class tag"]
