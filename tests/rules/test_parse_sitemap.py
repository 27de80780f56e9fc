"""parse_sitemap: url sets, sitemap indexes, gzip, text lists, and junk."""
import gzip

import pytest

from audits.sitemap import MAX_SITEMAP_BYTES, parse_sitemap

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>
      https://clinic.test/
    </loc>
    <lastmod>2026-01-01</lastmod>
  </url>
  <url><loc>https://clinic.test/a/</loc>
       <image:image><image:loc>https://clinic.test/img/a.jpg</image:loc></image:image></url>
  <url><loc>https://clinic.test/a/</loc></url>
  <url><loc>https://clinic.test/b/?x=1&amp;y=2</loc></url>
</urlset>"""

INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://clinic.test/post-sitemap.xml</loc></sitemap>
  <sitemap><loc> https://clinic.test/page-sitemap.xml.gz </loc><lastmod>2026-01-01</lastmod></sitemap>
</sitemapindex>"""


def test_urlset_with_namespaces_whitespace_and_image_extension():
    pages, children = parse_sitemap(URLSET)
    assert pages == ["https://clinic.test/", "https://clinic.test/a/", "https://clinic.test/b/?x=1&y=2"]
    assert children == []


def test_sitemap_index_lists_children():
    assert parse_sitemap(INDEX) == ([], ["https://clinic.test/post-sitemap.xml",
                                         "https://clinic.test/page-sitemap.xml.gz"])


def test_gzip_body_is_recognised_by_its_magic_bytes():
    assert parse_sitemap(gzip.compress(URLSET)) == parse_sitemap(URLSET)


def test_no_namespace_bom_and_leading_blank_lines():
    body = b"\xef\xbb\xbf\n\n  <?xml version='1.0'?><urlset><url><loc>https://clinic.test/x</loc></url></urlset>"
    assert parse_sitemap(body) == (["https://clinic.test/x"], [])


def test_text_sitemap_one_url_a_line():
    body = b"https://clinic.test/\nhttps://clinic.test/a/\n\nnot a url\n"
    assert parse_sitemap(body) == (["https://clinic.test/", "https://clinic.test/a/"], [])


@pytest.mark.parametrize("body", [
    b"", b"   ", b"<html><body>Not found</body></html>", b"\x1f\x8bnot really gzip",
    b"<urlset><url><loc>javascript:alert(1)</loc></url><url><loc>/relative</loc></url></urlset>",
    b"\x00\x01\x02binary", b"<<<>>>", "<urlset><url><loc>https://clinic.test/é</loc>".encode("latin-1"),
])
def test_junk_gives_empty_lists_not_errors(body):
    pages, children = parse_sitemap(body)
    assert children == []
    assert all(p.startswith("https://clinic.test/") for p in pages)


def test_truncated_xml_keeps_what_was_readable():
    pages, _ = parse_sitemap(URLSET[: URLSET.index(b"<url><loc>https://clinic.test/b/")])
    assert pages == ["https://clinic.test/", "https://clinic.test/a/"]


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("https://leak.test/")
    body = (f'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY x SYSTEM "file://{secret}">]>'
            '<urlset><url><loc>&x;</loc></url><url><loc>https://clinic.test/ok</loc></url></urlset>').encode()
    pages, _ = parse_sitemap(body)
    assert "https://leak.test/" not in pages
    assert pages == ["https://clinic.test/ok"]


def test_gzip_bomb_is_refused():
    bomb = gzip.compress(b"<urlset>" + b" " * (MAX_SITEMAP_BYTES + 10) + b"</urlset>")
    assert parse_sitemap(bomb) == ([], [])
