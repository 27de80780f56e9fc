"""audits.identity: the site's own hosts, its names, and when two URLs are one page."""
from __future__ import annotations

from audits.config import from_dict
from audits.identity import SiteIdentity, page_key, path_key, slash_twin

CLINIC = SiteIdentity.from_config(from_dict({"site": {
    "start_urls": ["http://127.0.0.1:8000/"], "canonical_url": "https://clinic.test",
    "aliases": ["https://old-host.test"], "old_domains": ["clinic-old.test"]},
    "links": {"ignore": ["https://clinic.test/cart/*", "*.pdf"]}}))


def test_own_hosts_are_start_urls_aliases_and_canonical_www_and_apex_under_any_scheme():
    assert CLINIC.is_own("http://127.0.0.1:8000/a")
    assert CLINIC.is_own("http://www.clinic.test/x") and CLINIC.is_own("https://clinic.test:443/")
    assert CLINIC.is_own("http://old-host.test/") and CLINIC.is_own("https://www.old-host.test/")
    assert CLINIC.is_own("CLINIC.TEST.")  # a bare domain, in any case, with the root's dot
    assert not CLINIC.is_own("https://elsewhere.test/")
    assert not CLINIC.is_own("https://clinic-old.test/")  # an old domain is no longer the site
    assert CLINIC.hosts() == ["127.0.0.1:8000", "clinic.test", "old-host.test"]


def test_a_non_default_port_is_another_site():
    # Another service on the same machine (a test server standing in for an external site).
    assert not CLINIC.is_own("http://127.0.0.1:8001/a")
    assert not CLINIC.is_own("https://clinic.test:8443/")
    assert not CLINIC.is_own("http://127.0.0.1/")


def test_without_configured_hosts_the_pages_name_the_site():
    identity = SiteIdentity.from_config(from_dict({}), ["https://www.clinic.test/a/", "https://clinic.test/b/"])
    assert identity.is_own("http://clinic.test/") and not identity.is_own("https://other.test/")
    configured = SiteIdentity.from_config(from_dict({"site": {"start_urls": ["https://clinic.test/"]}}),
                                          ["https://staging.test/"])
    assert not configured.is_own("https://staging.test/")


def test_naming_problem_judges_the_canonical_twin_aliases_and_old_domains_but_not_start_urls():
    assert CLINIC.naming_problem("https://clinic.test/a/") is None
    assert CLINIC.naming_problem("http://clinic.test/a/") == "scheme"
    assert CLINIC.naming_problem("https://www.clinic.test/a/") == "host"
    assert CLINIC.naming_problem("https://clinic.test:8443/") == "port"
    assert CLINIC.naming_problem("https://old-host.test/") == "host"
    assert CLINIC.naming_problem("www.clinic-old.test/contact") == "old-domain"
    assert CLINIC.naming_problem("www.clinic.test/contact") == "host"  # no scheme: the host alone
    assert CLINIC.naming_problem("clinic.test/contact") is None
    # A staging crawl links to its own host by design.
    assert CLINIC.naming_problem("http://127.0.0.1:8000/a/") is None
    assert CLINIC.naming_problem("mailto:info@www.clinic.test") is None
    assert CLINIC.canonical_form("http://www.clinic.test/a/?b=1#c") == "https://clinic.test/a/?b=1#c"


def test_ignore_globs_match_the_target_as_written_or_without_its_fragment():
    assert CLINIC.ignored("https://clinic.test/cart/add?x=1")
    assert CLINIC.ignored("https://clinic.test/forms/intake.pdf#page=2")
    assert not CLINIC.ignored("https://clinic.test/about/")


def test_page_key_is_one_page_as_a_visitor_reaches_it():
    same = ["https://clinic.test/blog/café/", "http://www.clinic.test/blog/caf%C3%A9",
            "https://clinic.test:443/blog/café/#top"]
    assert len({page_key(u) for u in same}) == 1
    assert page_key("https://clinic.test/blog/?page=2") != page_key("https://clinic.test/blog/")
    assert page_key("https://clinic.test:8443/a") != page_key("https://clinic.test/a")
    assert page_key("https://clinic.test/a.html") != page_key("https://clinic.test/a")


def test_path_key_is_one_page_on_any_host_and_any_static_spelling():
    spellings = ["https://clinic.test/blog/a", "http://127.0.0.1:8000/blog/a/", "https://x.test/blog/a.html",
                 "https://clinic.test/blog/a/index.html"]
    assert {path_key(u) for u in spellings} == {"/blog/a"}
    assert path_key("https://clinic.test/") == "/" and path_key("https://clinic.test/?s=x") == "/?s=x"


def test_slash_twin_adds_or_drops_the_trailing_slash_and_keeps_the_query():
    assert slash_twin("https://clinic.test/post?x=1#f") == "https://clinic.test/post/?x=1"
    assert slash_twin("https://clinic.test/post/") == "https://clinic.test/post"
