"""What extraction keeps between pages (the theme's links and phone lines) never changes a Page."""
from __future__ import annotations

from pathlib import Path

from audits import extract
from audits.extract import extract_page, link_text, urls_in_text
from lxml import etree

HTML = Path(__file__).parent / "fixtures" / "html"
THEME = """<html><head><title>{title}</title></head><body class="single-post">
<header class="site-header"><a href="/"><img src="/logo.png" alt="Valley Clinic"></a>
<nav><a href="/services/">Services</a> <a href="../up/">Up</a> <a href="//cdn.test/x.js">CDN</a></nav>
<p>Call (559) 555-0142 today</p></header>
<article><h1>{title}</h1><p>{body} Read more at <a href="/blog/">the blog</a>.</p></article>
<footer class="site-footer"><p>Fax: (559) 425-1119. Main line (559) 555-0142.</p>
<a href="/contact/">Contact <b>us</b><script>var x = 1;</script></a></footer></body></html>"""


def forget() -> None:
    """Clear what extraction keeps between pages, as in a freshly started worker."""
    extract._resolve_rooted.cache_clear()
    extract._matched_phones.cache_clear()
    extract._TEMPLATES.clear()
    extract._SEEN.clear()
    extract.phone_from_tel.cache_clear()


def theme_page(url: str, title: str, body: str):
    return extract_page(url, THEME.format(title=title, body=body).encode(), headers={"content-type": "text/html"})


def test_a_page_whose_theme_was_seen_before_is_the_page_extracted_fresh():
    pages = [("https://a.test/blog/one/", "One", "First words here."),
             ("https://a.test/blog/two/", "Two", "Other words there."),
             ("http://b.test/deep/three/", "Three", "Same theme, another host.")]
    forget()
    warm = [theme_page(*p) for p in pages]
    fresh = []
    for p in pages:
        forget()
        fresh.append(theme_page(*p))
    assert warm == fresh
    # The theme's root-relative links follow each page's own host, never the first one seen.
    assert [lk.target for lk in warm[2].links if lk.text == "Services"] == ["http://b.test/services/"]
    assert [lk.target for lk in warm[1].links if lk.text == "Up"] == ["https://a.test/blog/up/"]
    assert [lk.target for lk in warm[2].links if lk.text == "CDN"] == ["http://cdn.test/x.js"]
    # The fax line is still skipped and the main line still found, on every page.
    assert all({ph.number for ph in p.phones} == {"+15595550142"} for p in warm)


def test_fixture_themes_extract_the_same_after_other_pages_filled_the_memos():
    files = sorted(HTML.glob("*.html"))
    forget()
    warm = [extract_page(f"https://site.test/{f.stem}/", f.read_bytes()) for f in files]
    for f, page in zip(files, warm):
        forget()
        assert extract_page(f"https://site.test/{f.stem}/", f.read_bytes()) == page, f.name


SHARED = """<html><head><title>Post</title></head><body><header>
<a href="http://partner.test">Partner</a> <a href="HTTPS://Share.test/?u=1#top">Share</a>
<a href="https://
/x/">Broken</a> <a href="https:///path/">No host</a> <a href="http:rel/">Scheme only</a>
<a href="https://[::1/">Bad host</a></header><article><p>Text</p></article>
<nav class="site-BreadCrumbs"><a href="/">Home</a> <a href="/topic/care/">Care</a></nav></body></html>"""


def test_absolute_links_resolve_the_same_on_every_page_of_either_scheme():
    pages = ["https://a.test/blog/one/", "http://a.test/blog/two/", "https://b.test/deep/three/"]
    forget()
    warm = [extract_page(u, SHARED.encode()) for u in pages]
    for url, page in zip(pages, warm):
        forget()
        assert extract_page(url, SHARED.encode()) == page
    targets = [{lk.text: lk.target for lk in p.links} for p in warm]
    assert targets[0]["Partner"] == targets[1]["Partner"] == "http://partner.test"
    assert targets[0]["Share"] == "https://Share.test/?u=1#top"  # an https page keeps it as written
    assert targets[1]["Share"] == "HTTPS://Share.test/?u=1#top"  # an http page: another scheme, as written
    # Without a host the link is relative to each page: nothing may be carried over.
    assert targets[0]["No host"] == "https://a.test/path/" and targets[2]["No host"] == "https://b.test/path/"
    assert targets[1]["Scheme only"] == "http://a.test/blog/two/rel/"
    assert targets[0]["Broken"] == "https://a.test/x/" and targets[2]["Broken"] == "https://b.test/x/"
    assert targets[0]["Bad host"] == "https://[::1/"
    assert targets[1]["Broken"] == "https:///x/"  # another scheme: as cleaned, host-less
    assert all(p.topics == ("breadcrumb:care",) for p in warm)  # the trail found in any letter case


def test_link_text_leaves_out_scripts_and_reads_nested_elements():
    root = etree.HTML('<p><a id="a">Plain  text</a><a id="b">Contact <b>us</b><script>x()</script></a>'
                      '<a id="c"><img alt="Logo"></a></p>')
    assert [link_text(root.find(f".//a[@id='{i}']")) for i in "abc"] == ["Plain text", "Contact us", "Logo"]


def test_prose_with_no_address_in_it_has_no_urls_and_each_kind_of_address_is_found():
    assert urls_in_text("Studies suggest a short daily walk helps. Ask your provider.") == []
    assert urls_in_text("See https://x.test/a, www.clinic.org and fresno.health.") == [
        "https://x.test/a", "www.clinic.org", "fresno.health"]


TEMPLATE = """<html><head><title>{title}</title></head><body>{before}
<header class="site-header" id="masthead"><a href="#main">Skip</a>
<nav class="main-menu"><a href="/services/"{current}>Services</a> <a href="{menu}">Menu</a></nav>
<p>Call (559) 555-0142</p></header>{after}
<article id="main"><h1>{title}</h1><p>{body}</p></article>
<footer class="site-footer"><a href="#masthead">Top</a> <a href="tel:+15595550142">Call us</a>
<img src="../logo.png" alt="Logo"><h4 id="visit">Visit</h4><p>12 Main St</p></footer></body></html>"""


def template_page(url: str, title: str = "Post", body: str = "Words.", before: str = "", after: str = "",
                  menu: str = "/blog/", current: str = ""):
    html = TEMPLATE.format(title=title, body=body, before=before, after=after, menu=menu, current=current)
    return url, html.encode()


def test_a_repeated_header_and_footer_give_each_page_its_own_facts():
    pages = [
        template_page("https://a.test/one/"),
        template_page("https://a.test/two/", body="Longer.\n\nIt has\nmore lines\nso the footer moves down."),
        template_page("https://a.test/three/", menu="/contact/"),  # one menu link differs
        template_page("https://a.test/four/", current=' class="current"'),  # the menu marks this page
        template_page("https://a.test/five/", before='<a name="visit"></a>'),  # the footer's id seen first
        template_page("https://a.test/six/", before="<div hidden>", after="</div>"),  # a hidden header
        template_page("https://a.test/nine/", before="<div>", after="</div>"),  # the same, shown
        template_page("http://b.test/seven/x/"),  # another host and scheme
    ]
    # The same header with a line break inside a tag: the same markup, other line numbers.
    moved = template_page("https://a.test/eight/")
    pages.append((moved[0], moved[1].replace(b'<a href="/services/"', b'<a\nhref="/services/"')))
    forget()
    rounds = [[extract_page(url, html) for url, html in pages] for _ in range(3)]  # seen, recorded, replayed
    assert extract._TEMPLATES, "the header and footer were kept"
    for url, html in pages:
        forget()
        fresh = extract_page(url, html)
        assert all(r[pages.index((url, html))] == fresh for r in rounds), url
    one, two, three, four, five, six, nine, seven, eight = rounds[2]
    skip = {p.url: next(lk.target for lk in p.links if lk.text == "Skip") for p in rounds[2]}
    assert skip["https://a.test/two/"] == "https://a.test/two/#main"  # the page's own URL, not the first one's
    assert [lk.target for lk in seven.links if lk.text in ("Services", "Logo")] == [
        "http://b.test/services/", "http://b.test/seven/logo.png"]
    assert [lk.target for lk in three.links if lk.text == "Menu"] == ["https://a.test/contact/"]
    top = {p.url: next(lk.line for lk in p.links if lk.text == "Top") for p in (one, two)}
    assert top["https://a.test/two/"] == top["https://a.test/one/"] + 4
    assert [h.line for h in two.headings if h.text == "Visit"] == [top["https://a.test/two/"] + 1]
    assert one.anchors == ("masthead", "main", "visit") and five.anchors == ("visit", "masthead", "main")
    assert {ph.number for ph in six.phones if ph.via == "text"} == set()  # hidden: not shown to a reader
    assert {ph.number for ph in nine.phones if ph.via == "text"} == {"+15595550142"}
    assert [lk.line for lk in eight.links if lk.text == "Menu"] == [lk.line + 1 for lk in one.links if lk.text == "Menu"]
