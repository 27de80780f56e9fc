"""extract_page on fixture pages of many WordPress themes: fields, regions, related posts, CTAs, phones."""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

import pytest

from audits.extract import ExtractOptions, anchors_of, extract_page, is_html
from audits.readability import sentences
from audits.rules.cta import CtaOptions, calls_to_action

HTML = Path(__file__).parent / "fixtures" / "html"
EXPECTED = tomllib.loads((HTML / "expected.toml").read_text())
THEMES = [name for name, exp in EXPECTED.items() if "first" in exp]


@lru_cache(maxsize=None)
def page(name: str):
    return extract_page(EXPECTED[name]["url"], (HTML / f"{name}.html").read_bytes(),
                        headers={"Content-Type": "text/html; charset=utf-8"})


def ctas(p, opts: CtaOptions = CtaOptions()):
    """The page's calls to action as missing-cta decides them from the recorded body actions."""
    return calls_to_action(p, opts)


def source_line(name: str, needle: str, nth: int = 0) -> int:
    """1-based line of the nth occurrence of needle in the fixture (so tests never hard-code lines)."""
    lines = [i for i, line in enumerate((HTML / f"{name}.html").read_text().splitlines(), 1) if needle in line]
    return lines[nth]


# --------------------------------------------------------------------------- main body per theme

@pytest.mark.parametrize("name", THEMES)
def test_body_starts_and_ends_with_the_articles_own_sentences(name):
    exp, p = EXPECTED[name], page(name)
    sents = sentences(p.body_text)
    assert sents[0] == exp["first"]
    assert sents[-1] == exp["last"]


@pytest.mark.parametrize("name", THEMES)
def test_body_leaves_out_nav_header_footer_sidebar_related_and_comments(name):
    p = page(name)
    leaked = [text for text in EXPECTED[name]["not_in_body"] if text in p.body_text]
    assert leaked == []


@pytest.mark.parametrize("name", list(EXPECTED))
def test_article_detection(name):
    assert page(name).is_article is EXPECTED[name]["is_article"]


@pytest.mark.parametrize("name", list(EXPECTED))
def test_related_posts_by_heading_or_plugin_markup(name):
    p = page(name)
    assert list(p.related_posts) == EXPECTED[name]["related"]
    related_links = {link.fetch_url for link in p.links if link.context == "related-post"}
    assert related_links == set(EXPECTED[name]["related"])


@pytest.mark.parametrize("name", [n for n in EXPECTED if "cta_kinds" in EXPECTED[n]])
def test_calls_to_action_in_the_body_only(name):
    assert [c.kind for c in ctas(page(name))] == EXPECTED[name]["cta_kinds"]


def test_readability_only_for_articles():
    assert page("astra").readability is not None and page("astra").readability.sentences > 5
    assert page("home").readability is None and page("listing").readability is None


def test_word_count_counts_the_body():
    p = page("astra")
    assert 150 < p.word_count < 260
    assert p.word_count == len(p.body_text.split())


# --------------------------------------------------------------------------- head fields

def test_head_fields():
    p = page("astra")
    assert p.title == "What to Expect From Bioidentical Hormone Therapy - OMG Wellness"
    assert p.meta_description.startswith("A plain guide to bioidentical hormone therapy")
    assert p.canonical == "https://omgwellnessmd.com/blog/bioidentical-hormone-therapy/"
    assert p.meta_robots == "index, follow, max-image-preview:large"
    assert p.lang == "en-US"
    assert p.h1s == ["What to Expect From Bioidentical Hormone Therapy"]
    assert [(h.level, h.text) for h in p.headings][1:3] == [(2, "Who is it for?"), (2, "Your first visit")]
    assert page("home").canonical is None and page("plain").lang is None


def test_anchors_are_ids_and_a_names():
    p = page("astra")
    assert {"who-is-it-for", "first-visit", "jp-relatedposts", "masthead", "comments"} <= set(p.anchors)
    assert "who-is-it-for" in anchors_of((HTML / "astra.html").read_bytes())
    body = b'<html><body><a name="top"></a><h2 id="faq">FAQ</h2><a name=" spaced ">x</a></body></html>'
    assert anchors_of(body) == ("top", "faq", "spaced")


# --------------------------------------------------------------------------- links

def test_links_resolve_against_base_href():
    p = page("generatepress")
    targets = {link.target for link in p.links}
    # <base href="https://clinic.test/blog/2024/">, page at /blog/ketamine-therapy-guide/
    assert "https://clinic.test/blog/2024/infusion-safety/" in targets
    assert "https://clinic.test/treatments/ketamine/#cost" in targets  # ../../ with whitespace around it
    assert "https://www.ncbi.nlm.nih.gov/books/NBK470357/" in targets  # protocol-relative
    assert "https://clinic.test/blog/therapy-vs-medication/#summary" in targets  # fragment kept
    assert p.canonical == "https://clinic.test/blog/ketamine-therapy-guide/"
    assert "https://clinic.test/wp-content/themes/generatepress/assets/css/main.min.css?ver=3.4.0" in targets


def test_srcset_picture_source_and_assets():
    p = page("generatepress")
    assets = {link.target for link in p.links if link.context == "asset"}
    assert {"https://cdn.clinic.test/img/w_600,h_338/ketamine-room.jpg",  # a comma inside a srcset URL
            "https://cdn.clinic.test/img/w_1200,h_675/ketamine-room.jpg",
            "https://clinic.test/wp-content/uploads/ketamine-room.webp",
            "https://clinic.test/wp-content/uploads/ketamine-room@2x.webp",
            "https://clinic.test/wp-content/uploads/ketamine-room.jpg",
            "https://clinic.test/wp-content/themes/generatepress/assets/js/menu.min.js?ver=3.4.0",
            "https://clinic.test/wp-content/themes/generatepress/assets/fonts/generatepress.woff2"} <= assets


def test_no_fetch_hints_are_not_links():
    rels = {link.rel for link in page("astra").links if link.tag == "link"}
    assert "stylesheet" in rels and "icon" in rels and "canonical" in rels
    assert not {"dns-prefetch", "preconnect"} & rels


def test_link_contexts_and_tags():
    p = page("astra")
    by_target = {}
    for link in p.links:
        by_target.setdefault(link.target, []).append(link)
    assert by_target["https://omgwellnessmd.com/services/"][0].context == "nav"
    assert by_target["https://omgwellnessmd.com/contact/"][0].context == "nav"
    assert by_target["https://omgwellnessmd.com/contact/"][1].context == "body"
    assert by_target["https://omgwellnessmd.com/blog/ketamine-therapy-faq/"][0].context == "sidebar"
    assert by_target["https://omgwellnessmd.com/author/dr-gonzalez/"][0].context == "header"
    assert {link.context for link in by_target["https://omgwellnessmd.com/blog/low-testosterone-signs/"]} == {"related-post"}
    assert [link.context for link in by_target["tel:5594251118"]] == ["footer"]
    assert by_target["https://omgwellnessmd.com/wp-content/uploads/2024/03/hormone-consult.jpg"][0].tag == "img"
    assert all(link.context == "asset" for link in p.links if link.tag in ("img", "script", "link", "source"))


def test_anchor_text_falls_back_to_image_alt():
    p = page("astra")
    image_link = [link for link in p.links if link.target == "https://omgwellnessmd.com/blog/low-testosterone-signs/"][0]
    assert image_link.text == "Man resting after a run"
    assert [link.text for link in p.links if link.target == "https://omgwellnessmd.com/services/"] == ["Our Services"]


def test_special_schemes_stay_links():
    body = (b'<html><body><main><p><a href="mailto:hi@x.test">Mail</a> <a href="javascript:void(0)">JS</a> '
            b'<a href=" tel:+1 559 425 1118 ">Call</a> <img src="data:image/gif;base64,' + b"A" * 500 + b'" alt="">'
            b'</p></main></body></html>')
    p = extract_page("https://x.test/a/", body)
    targets = [link.target for link in p.links]
    assert targets[:3] == ["mailto:hi@x.test", "javascript:void(0)", "tel:+1 559 425 1118"]
    assert targets[3].startswith("data:image/gif;base64,") and len(targets[3]) < 130


def test_meta_refresh_is_a_link():
    body = b'<html><head><meta http-equiv="refresh" content="0; url=\'/new-home/\'"></head><body></body></html>'
    links = extract_page("https://x.test/old/", body).links
    assert [(link.target, link.tag) for link in links] == [("https://x.test/new-home/", "meta-refresh")]


def test_line_numbers_point_at_the_source():
    p = page("astra")
    body_contact = [link for link in p.links if link.target == "https://omgwellnessmd.com/contact/" and link.context == "body"][0]
    assert body_contact.line == source_line("astra", "request an appointment online")
    img = [i for i in p.images if i.src.endswith("hormone-consult.jpg")][0]
    assert img.line == source_line("astra", "hormone-consult.jpg")
    assert p.headings[1].line == source_line("astra", 'id="who-is-it-for"')
    assert p.paragraphs[0].line == source_line("astra", "Many of our patients come to us")
    assert ctas(p)[1].line == source_line("astra", 'href="tel:+15594251118">call our office')
    footer_phone = [s for s in p.phones if s.context == "footer" and s.via == "text"][0]
    assert footer_phone.line == source_line("astra", "559.425.1118")


def test_paragraph_links_are_absolute():
    p = page("generatepress")
    para = [x for x in p.paragraphs if x.text.startswith("A typical first course")][0]
    assert para.links == ("https://clinic.test/blog/2024/infusion-safety/",
                          "https://clinic.test/treatments/ketamine/#cost",
                          "https://www.ncbi.nlm.nih.gov/books/NBK470357/")


# --------------------------------------------------------------------------- images

def test_images_keep_missing_and_empty_alt_apart():
    alts = {i.src.rsplit("/", 1)[-1]: i.alt for i in page("generatepress").images}
    assert alts["ketamine-room.jpg"] == ""
    genesis = {i.src.rsplit("/", 1)[-1]: (i.alt, i.context) for i in page("genesis").images}
    assert genesis["checklist.jpg"] == (None, "body")
    divi = {i.src.rsplit("/", 1)[-1]: i.context for i in page("divi").images}
    assert divi["clinic-5594251118-logo.png"] in ("header", "nav")  # the logo shares Divi's menu container
    assert divi["pen-400x250.jpg"] == "related-post"


# --------------------------------------------------------------------------- phones

def test_phone_numbers_come_from_visible_text_only():
    p = page("divi")
    # 5594251118 also sits in an image file name, a data- attribute and a gtag script: none of them count.
    assert [(s.via, s.context, s.raw) for s in p.phones] == [
        ("text", "body", "(559) 425-1118"),
        ("text", "footer", "(559) 425-1118"),
        ("tel", "footer", "+1-559-425-1118"),
    ]
    assert {s.number for s in p.phones} == {"+15594251118"}
    top = extract_page("https://x.test/", b"<html><body><header><span id='p'>559-425-1118</span></header></body></html>")
    assert [(s.number, s.context) for s in top.phones] == [("+15594251118", "header")]


def test_tracking_ids_and_hidden_numbers_are_not_phones():
    body = (b"<html><body><main><p>Order 2024061233 shipped. Ref 1234567890.</p>"
            b"<p style='display:none'>(559) 425-1118</p><script>var n='(559) 425-1118'</script>"
            b"<img src='/img/call-559-425-1118.png' alt=''></main></body></html>")
    assert extract_page("https://x.test/", body).phones == ()


def test_tel_links_in_every_format_and_what_they_show():
    p = page("genesis")
    tel = [s for s in p.phones if s.via == "tel"]
    assert [(s.number, s.raw, s.shown) for s in tel] == [("+15594251119", "+15594251119", "+15594251118")]
    astra = [s for s in page("astra").phones if s.via == "tel"]
    assert [(s.raw, s.context, s.shown) for s in astra] == [
        ("+15594251118", "header", "+15594251118"), ("+15594251118", "body", None), ("5594251118", "footer", "+15594251118")]
    plain = [s for s in page("plain").phones if s.via == "tel"]
    assert [(s.number, s.raw) for s in plain] == [("+15594251118", "(559)425-1118")]


def test_same_number_twice_is_kept_twice():
    numbers = [s.number for s in page("astra").phones if s.via == "text"]
    assert numbers == ["+15594251118"] * 3  # header, sidebar, footer


def test_phone_region_option():
    body = "<html><body><main><p>Appelez le 01 42 68 53 00.</p></main></body></html>".encode()
    assert extract_page("https://x.test/", body).phones == ()
    fr = extract_page("https://x.test/", body, options=ExtractOptions(phone_region="FR"))
    assert [s.number for s in fr.phones] == ["+33142685300"]


# --------------------------------------------------------------------------- CTAs

def test_theme_button_is_a_cta_and_footer_phone_is_not():
    el = page("elementor")
    assert [(c.kind, c.text, c.href) for c in ctas(el)] == [
        ("appointment", "Schedule a Consultation", "https://sunrise.test/book-appointment/")]
    assert any(link.target == "tel:+15594251118" and link.context == "footer" for link in el.links)
    assert ctas(page("avada"))[0].text == "Talk to Our Team"


def test_cta_patterns_come_from_options():
    p = page("avada")
    opts = CtaOptions(patterns=("talk to our team",), href_patterns=())
    assert [(c.kind, c.text) for c in ctas(p, opts)] == [("contact", "Talk to Our Team")]
    assert ctas(p, CtaOptions(patterns=(), href_patterns=())) == ()


def test_external_href_is_not_matched_by_href_patterns():
    # "/books/" on ncbi.nlm.nih.gov is not this clinic's booking page.
    assert [c.href for c in ctas(page("generatepress"))] == ["https://clinic.test/book-online/"]


def test_buttons_and_forms_in_the_body():
    body = (b"<html><body><main><article><h1>T</h1><p>Text.</p>"
            b"<button type='button' onclick=\"location='/x'\">Book now</button>"
            b"<form action='/search'><input type='search' name='s'><button>Go</button></form>"
            b"<form action='/request/'><input name='email'><input type='submit' value='Request a call'></form>"
            b"</article></main><footer><form action='/news'><button>Subscribe</button></form></footer></body></html>")
    p = extract_page("https://x.test/post/", body)
    assert [(c.kind, c.text, c.href) for c in ctas(p)] == [
        ("appointment", "Book now", None), ("form", "Request a call", "https://x.test/request/")]


# --------------------------------------------------------------------------- text URLs

def test_urls_written_in_text():
    assert page("elementor").text_urls == ("ods.od.nih.gov", "https://ods.od.nih.gov/factsheets/VitaminD-Consumer/")
    assert page("oceanwp").text_urls == ("www.kingsriver.test/classes",)
    body = b"<html><body><p>Request an appointment here: https://omgwellnessmd.com. Or email a@omg.com (see www.omg.com).</p></body></html>"
    assert extract_page("https://x.test/", body).text_urls == ("https://omgwellnessmd.com", "www.omg.com")


# --------------------------------------------------------------------------- decoding and content types

def test_latin1_page_from_meta_and_from_http_header():
    raw = (HTML / "latin1.html").read_bytes()
    p = extract_page("https://x.test/", raw)
    assert p.title == "Clínica Mañana - Información"
    assert "La clínica está abierta de lunes a sábado." in p.body_text
    assert [s.number for s in p.phones] == ["+15594251118"]
    stripped = raw.replace(b'<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">', b"")
    assert extract_page("https://x.test/", stripped, headers={"content-type": "text/html; charset=ISO-8859-1"}).title == p.title
    assert extract_page("https://x.test/", stripped).title == p.title  # no declaration at all: detected


def test_bom_beats_a_wrong_http_charset():
    p = extract_page("https://x.test/", (HTML / "bom.html").read_bytes(), headers={"Content-Type": "text/html; charset=iso-8859-1"})
    assert p.title == "Naïve questions — café talk"
    assert p.h1s == ["Résumé of our naïve café clinic — “quotes”"]


def test_non_html_is_not_parsed():
    assert is_html("text/html; charset=utf-8", b"<p>x</p>")
    assert is_html("application/xhtml+xml", b"<html/>")
    assert is_html(None, b"  <!DOCTYPE html><html></html>")
    assert not is_html("application/pdf", b"%PDF-1.7")
    assert not is_html("text/html", b"%PDF-1.7 mislabelled")
    assert not is_html("image/png", b"\x89PNG")
    assert not is_html("application/json", b'{"html": "<p>"}')
    assert not is_html(None, b'{"a": 1}')
    p = extract_page("https://x.test/f.pdf", b"%PDF-1.7 <a href='/x'>", headers={b"Content-Type": [b"application/pdf"]})
    assert p.content_type == "application/pdf" and p.links == () and p.title is None


def test_empty_and_odd_documents_do_not_crash():
    assert extract_page("https://x.test/", b"").links == ()
    assert extract_page("https://x.test/", b"   ").title is None
    x = extract_page("https://x.test/", b'<?xml version="1.0" encoding="utf-8"?><html><body><p id="a">x</p></body></html>')
    assert x.anchors == ("a",)
    assert anchors_of(b"") == ()


def test_round_trips_through_the_store_format():
    p = page("astra")
    assert type(p).from_dict(p.to_dict()) == p


# Held-out site (tests/sites/heldout): assets that page builders and lazy loaders hide from src/href.
def test_style_background_images_are_assets_never_crawled():
    body = (b'<html><body><div style="background-image:url(/hero.jpg)"></div>'
            b"<section style=\"background: #fff url( 'img/b.png' ) no-repeat\"></section>"
            b'<a href="/x/" style="mask:url(#m)"><span style="background:url(data:image/gif;base64,AAAA)">X</span></a>'
            b'</body></html>')
    links = extract_page("https://x.test/a/", body).links
    assert [(link.target, link.tag) for link in links if link.tag == "style"] == [
        ("https://x.test/hero.jpg", "style"), ("https://x.test/a/img/b.png", "style")]


def test_lazy_source_and_iframe_urls_are_assets():
    body = (b'<html><body><picture><source data-srcset="/hero.webp 1x, /hero@2x.webp 2x" type="image/webp">'
            b'<img src="/hero.jpg" alt=""></picture>'
            b'<iframe src="about:blank" data-src="/embed/video/"></iframe><iframe data-lazy-src="/embed/map/"></iframe>'
            b'<iframe src="/embed/real/" data-src="/embed/other/"></iframe></body></html>')
    targets = [link.target for link in extract_page("https://x.test/", body).links]
    assert targets == ["https://x.test/hero.webp", "https://x.test/hero@2x.webp", "https://x.test/hero.jpg",
                       "https://x.test/embed/video/", "https://x.test/embed/map/", "https://x.test/embed/real/"]


def test_pingback_is_not_a_resource():
    body = b'<html><head><link rel="pingback" href="/xmlrpc.php"><link rel="icon" href="/f.png"></head></html>'
    assert [link.target for link in extract_page("https://x.test/", body).links] == ["https://x.test/f.png"]


def test_meta_refresh_keeps_its_content_as_text():
    body = b'<html><head><meta http-equiv="refresh" content="5;  URL=/next/"></head><body></body></html>'
    assert [link.text for link in extract_page("https://x.test/", body).links] == ["5; URL=/next/"]
