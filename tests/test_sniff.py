"""A feed or JSON saved with an HTML name (static exports do this) is not a page."""
from __future__ import annotations

from pathlib import Path

from audits import sources
from audits.config import from_dict
from audits.engine import run_rules
from audits.sniff import media_type_of

SITE = Path(__file__).parent / "fixtures" / "realsites" / "newhorizonbehavioral"


def test_media_type_from_the_first_bytes():
    assert media_type_of((SITE / "category/uncategorized/feed/index.htm").read_bytes()) == "application/rss+xml"
    assert media_type_of((SITE / "wp-json/index.htm").read_bytes()) == "application/json"
    assert media_type_of(b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">') \
        == "application/atom+xml"
    assert media_type_of(b'\xef\xbb\xbf<?xml version="1.0"?>\n<!DOCTYPE html>\n<html>') == "text/html"  # XHTML
    assert media_type_of(b"<!DOCTYPE html><html><title>x</title>") == "text/html"


def test_binary_bytes_under_an_html_name_are_not_a_page_but_wide_text_is():
    # A PNG or a zip saved as page.html has a signature; data with none still has NUL bytes in it.
    assert media_type_of(bytes(range(256)) * 4) == "application/octet-stream"
    for encoding in ("utf-16", "utf-16-le", "utf-16-be", "utf-32"):  # with and without a BOM
        assert media_type_of("<html><title>Clinic</title>".encode(encoding)) == "text/html", encoding


def test_a_feed_saved_as_index_htm_gets_no_page_findings():
    # On this real export the feed and the REST index had missing-title, missing-h1, duplicate-title and
    # missing-meta-description findings before they were sniffed.
    config = from_dict({"site": {"canonical_url": "https://newhorizonbehavioral.test"}})
    local = sources.pages_from_paths([SITE], config, path_base=SITE)
    kinds = {p.url.removeprefix("https://newhorizonbehavioral.test"): p.content_type for p in local.pages}
    assert kinds == {"/": "text/html", "/category/uncategorized/feed/": "application/rss+xml",
                     "/wp-json/": "application/json"}
    findings = run_rules(local.site())
    assert [f for f in findings if "/feed/" in f.url or "/wp-json/" in f.url] == []
    assert {f.rule for f in findings if f.url.endswith(".test/")} >= {"missing-meta-description"}
