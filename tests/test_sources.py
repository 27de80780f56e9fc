"""Local HTML as a site: URL mapping, file-existence fetches, fragments, lines, partial input."""
from pathlib import Path
from urllib.request import Request, urlopen
from urllib.error import HTTPError

import pytest

from audits import sources, store
from audits.config import ConfigError, from_dict
from audits.engine import run_rules
from audits.model import Fetch

BUILD = Path(__file__).parent / "sites" / "build"
ORIGIN = "https://clinic.test"
CONFIG = from_dict({"site": {"canonical_url": ORIGIN}}, "test")


def line_of(rel: str, needle: str) -> int:
    """The 1-based line of the first line in a fixture file containing needle."""
    lines = (BUILD / rel).read_text().splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


def keyed(findings):
    return {(f.rule, f.url.removeprefix(ORIGIN), (f.target or "").removeprefix(ORIGIN)): f for f in findings}


@pytest.fixture(scope="module")
def whole():
    return sources.pages_from_paths([BUILD], CONFIG, path_base=BUILD.parent)


@pytest.fixture(scope="module")
def findings(whole):
    return keyed(run_rules(whole.site()))


def test_files_map_to_the_urls_the_site_serves(whole):
    by_url = {p.url.removeprefix(ORIGIN): p.source_path for p in whole.pages}
    assert by_url == {
        "/": "build/index.html",
        "/about": "build/about.html",
        "/contact": "build/contact.html",
        "/services/": "build/services/index.html",
        "/blog/first-post/": "build/blog/first-post/index.html",
        "/legacy/old": "build/legacy/old.html",
        "/404": "build/404.html",
    }
    assert not whole.partial and whole.note == ""


def test_internal_targets_are_fetched_from_the_folder(whole):
    fetches = {f.url.removeprefix(ORIGIN): f for f in whole.fetches}
    assert fetches["/missing-page"].status == 404
    assert fetches["/404"].status == 404  # the host's error page is served as one
    assert fetches["/img/team.jpg"].status == 404  # relative src on /about
    assert fetches["/img/logo.png"].status == 200 and fetches["/img/logo.png"].content_type == "image/png"
    assert fetches["/css/site.css"].status == 200
    # pretty URL, .html spelling and a folder without its slash all reach the page's file
    assert fetches["/about"].status == 200
    assert (fetches["/about.html"].status, fetches["/about.html"].final_url) == (200, ORIGIN + "/about")
    assert fetches["/blog/first-post"].final_url == ORIGIN + "/blog/first-post/"
    assert fetches["/contact.html"].anchors == ("booking",)
    # external links stay unchecked without a checker
    assert not [u for u in fetches if "example.test" in u]


def test_rules_find_the_fixture_problems_with_lines(findings):
    broken = findings[("broken-link", "/", "/missing-page")]
    assert broken.line == line_of("index.html", 'href="/missing-page"')
    assert broken.source_path == "build/index.html"
    assert ("broken-link", "/about", "/img/team.jpg") in findings
    assert ("broken-fragment", "/", "/services/#no-such-section") in findings
    assert ("broken-fragment", "/", "/services/#pricing") not in findings
    assert ("broken-fragment", "/blog/first-post/", "/contact.html#directions") in findings
    assert ("broken-fragment", "/blog/first-post/", "/contact#booking") not in findings
    alt = findings[("missing-alt", "/blog/first-post/", "/img/logo.png")]
    assert alt.line == line_of("blog/first-post/index.html", '<img src="/img/logo.png">')
    assert ("missing-cta", "/legacy/old", "") in findings
    assert not [k for k in findings if k[1] == "/404"]  # the error page's template is not judged
    assert ("missing-cta", "/blog/first-post/", "") not in findings
    assert not [k for k in findings if k[0] == "broken-link" and k[2] in
                ("/about", "/about.html", "/blog/first-post", "/contact", "/contact.html", "/services/")]


def test_sitemap_is_moved_onto_the_origin_and_orphans_found(whole, findings):
    assert whole.sitemap_found
    assert ORIGIN + "/legacy/old" in whole.sitemap_urls
    assert [k for k in findings if k[0] == "orphan-page"] == [("orphan-page", "/legacy/old", "")]


def test_one_file_is_partial_and_still_resolves_against_the_root():
    post = BUILD / "blog" / "first-post" / "index.html"
    local = sources.pages_from_paths([post], CONFIG)  # root found by climbing to build/index.html
    assert local.partial and "orphan-page" in local.note and "sites/build/ (set it" in local.note
    assert [p.url for p in local.pages] == [ORIGIN + "/blog/first-post/"]
    found = keyed(run_rules(local.site()))
    assert not [k for k in found if k[0] == "broken-link"]  # ../../about, /contact... exist
    # contact.html was not given, yet its anchors are read for the fragment check
    assert ("broken-fragment", "/blog/first-post/", "/contact.html#directions") in found
    assert ("broken-fragment", "/blog/first-post/", "/contact#booking") not in found
    assert not [k for k in found if k[0] == "orphan-page"]

    explicit = sources.pages_from_paths([post, BUILD / "about.html"], CONFIG, site_root=BUILD)
    assert explicit.partial and len(explicit.pages) == 2 and "site root" not in explicit.note


def test_without_canonical_url_the_address_the_build_names_itself_by_is_taken(tmp_path):
    local = sources.pages_from_paths([BUILD], from_dict({}, "test"))
    assert {p.url for p in local.pages} >= {ORIGIN + "/", ORIGIN + "/about"}
    assert f"taking {ORIGIN}, which sitemap.xml names" in local.note
    # Its absolute links to itself are internal then: checked in the folder, and the sitemap's pages linked.
    found = {(f.rule, f.url, f.target) for f in run_rules(local.site())}
    assert ("broken-link", ORIGIN + "/", ORIGIN + "/missing-page") in found
    assert [k for k in found if k[0] == "orphan-page"] == [("orphan-page", ORIGIN + "/legacy/old", None)]

    home = tmp_path / "index.html"  # the home page's own canonical link outweighs the sitemap
    home.write_text('<link rel="canonical" href="https://www.clinic.example/"><title>Home</title>', encoding="utf-8")
    (tmp_path / "sitemap.xml").write_text("https://other.example/\n", encoding="utf-8")
    assert sources.pages_from_paths([tmp_path], from_dict({}, "test")).pages[0].url == "https://www.clinic.example/"


def test_a_build_served_under_a_folder_is_read_under_that_base_path(tmp_path):
    """A GitHub Pages project site links /clinic-site/about/ for the build's about/: read at the root, a real
    one (greenleafclinic) had 13,211 broken links; read under its base path, the same 656 findings as when
    its folder is placed at that path."""
    def page(path: str, body: str) -> None:
        (tmp_path / path).mkdir(parents=True, exist_ok=True)
        (tmp_path / path / "index.html").write_text(f"<title>{path or 'Home'}</title><h1>x</h1>{body}", "utf-8")
    page("", '<link rel="stylesheet" href="/clinic-site/css/site.css"><a href="/clinic-site/about/">About</a>'
             '<a href="/clinic-site/gone/">Gone</a><a href="/elsewhere/">Outside the base</a>')
    page("about", '<a href="/clinic-site/">Home</a> <a href="../">Home again</a>')
    (tmp_path / "css").mkdir()
    (tmp_path / "css" / "site.css").write_text("body {}", "utf-8")
    (tmp_path / "sitemap.xml").write_text("https://clinic.test/\nhttps://clinic.test/about/\n", "utf-8")
    local = sources.pages_from_paths([tmp_path], CONFIG)
    assert sorted(p.url for p in local.pages) == [ORIGIN + "/clinic-site/", ORIGIN + "/clinic-site/about/"]
    assert "links carry the base path /clinic-site/" in local.note
    broken = {f.target for f in run_rules(local.site()) if f.rule == "broken-link"}
    assert broken == {ORIGIN + "/clinic-site/gone/", ORIGIN + "/elsewhere/"}
    assert not [f for f in run_rules(local.site()) if f.rule == "orphan-page"]  # production's sitemap, moved

    (tmp_path / "elsewhere").mkdir()  # a folder of the build by that name: its links are the build's own
    (tmp_path / "elsewhere" / "index.html").write_text("<title>E</title>", "utf-8")
    page("", '<a href="/elsewhere/">E</a><a href="/about/">About</a>')
    assert "base path" not in sources.pages_from_paths([tmp_path], CONFIG).note


def test_a_build_that_names_no_address_gets_a_local_origin_and_a_note(tmp_path):
    (tmp_path / "index.html").write_text('<title>Home</title><a href="/missing-page">x</a>', encoding="utf-8")
    local = sources.pages_from_paths([tmp_path], from_dict({}, "test"))
    assert [p.url for p in local.pages] == ["http://localhost/"]
    assert "no [site] canonical_url configured: pages are mapped to http://localhost" in local.note
    assert ("broken-link", "http://localhost/", "http://localhost/missing-page") in {
        (f.rule, f.url, f.target) for f in run_rules(local.site())}


def test_link_ignores_apply_to_local_checks():
    config = from_dict({"site": {"canonical_url": ORIGIN}, "links": {"ignore": [ORIGIN + "/missing-*"]},
                        "ignore": {"/legacy/*": ["orphan-page", "missing-cta"]}}, "test")
    local = sources.pages_from_paths([BUILD], config)
    assert ORIGIN + "/missing-page" not in {f.url for f in local.fetches}
    found = keyed(run_rules(local.site()))
    assert ("broken-link", "/", "/missing-page") not in found
    assert ("broken-link", "/about", "/img/team.jpg") in found
    assert not [k for k in found if k[0] in ("orphan-page", "missing-cta")]
    assert ("thin-content", "/legacy/old", "") in found  # only the named rules are ignored there


def test_external_links_go_through_the_checker_given(tmp_path):
    from crawler.siteserver import SiteServer

    (tmp_path / "ext").mkdir()
    (tmp_path / "ext" / "ok.html").write_text("<title>ok</title>")
    with SiteServer(tmp_path / "ext") as ext:
        site_dir = tmp_path / "public"
        site_dir.mkdir()
        (site_dir / "index.html").write_text(
            f'<title>Home</title><h1>Home</h1><a href="{ext.url("/ok")}">ok</a>\n'
            f'<a href="{ext.url("/gone")}#x">gone</a>\n<a href="mailto:a@clinic.test">mail</a>')
        asked = []

        def checker(urls, config):
            asked.extend(urls)
            results = []
            for url in urls:
                url = url.split("#", 1)[0]
                try:
                    with urlopen(Request(url, method="HEAD"), timeout=config.crawl.timeout_s) as answer:
                        results.append(Fetch(url=url, status=answer.status))
                except HTTPError as err:
                    results.append(Fetch(url=url, status=err.code))
            return results

        local = sources.pages_from_paths([site_dir], CONFIG, external_checker=checker)
    # A URL whose fragment must be judged is asked for with it, so the checker reads its ids.
    assert sorted(asked) == [ext.url("/gone") + "#x", ext.url("/ok")]
    assert all(f.external for f in local.fetches if f.url in asked)
    found = {(f.rule, f.target) for f in run_rules(local.site())}
    assert ("broken-link", ext.url("/gone")) in found
    assert ("broken-link", ext.url("/ok")) not in found


def test_stored_crawl_audits_like_the_folder(tmp_path, whole, findings):
    with store.RecordWriter(tmp_path) as writer:
        for record in (*whole.pages, *whole.fetches):
            writer.write(record)
    store.write_sitemap(tmp_path, list(whole.sitemap_urls), whole.sitemap_found)
    assert sources.is_stored_crawl(tmp_path) and sources.is_stored_crawl(tmp_path / "pages.jsonl")
    assert not sources.is_stored_crawl(BUILD)
    loaded = sources.pages_from_store(tmp_path / "pages.jsonl", CONFIG)
    again = keyed(run_rules(loaded.site()))
    assert {k: (f.line, f.severity) for k, f in again.items()} == {k: (f.line, f.severity) for k, f in findings.items()}


def test_pages_from_urls_hands_the_fetcher_a_depth_zero_config(whole):
    wanted = [ORIGIN + "/blog/first-post/"]
    seen = []

    def fetcher(config):
        seen.append(config)
        urls = set(config.site.start_urls)
        return [p for p in whole.pages if p.url in urls] + list(whole.fetches)

    local = sources.pages_from_urls(wanted, CONFIG, fetcher)
    assert seen[0].crawl.max_depth == 0 and seen[0].site.start_urls == tuple(wanted)
    assert seen[0].canonical_origin == ORIGIN
    assert local.partial and [p.url for p in local.pages] == wanted
    with pytest.raises(ConfigError):
        sources.pages_from_urls(["ftp://clinic.test/"], CONFIG, fetcher)


def test_bad_inputs_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="no such file"):
        sources.pages_from_paths([tmp_path / "nope"], CONFIG)
    with pytest.raises(ConfigError, match="no .html"):
        sources.pages_from_paths([tmp_path], CONFIG)
    with pytest.raises(ConfigError, match="no .html"):
        sources.pages_from_paths([BUILD / "css" / "site.css"], CONFIG)
    with pytest.raises(ConfigError, match="not inside"):
        sources.pages_from_paths([BUILD / "about.html"], CONFIG, site_root=tmp_path)
    with pytest.raises(ConfigError, match="not a stored crawl"):
        sources.pages_from_store(tmp_path, CONFIG)


def test_a_large_build_is_extracted_on_several_processes_with_the_same_pages(tmp_path):
    import dataclasses

    site_dir = tmp_path / "public"
    for i in range(sources.PARALLEL_FROM_FILES + 5):
        page = site_dir / f"post-{i}" / "index.html"
        page.parent.mkdir(parents=True)
        page.write_text(f'<title>Post {i}</title><h1>Post {i}</h1><p>Call (559) 425-1118.</p>'
                        f'<a href="/post-{i + 1}/">next</a><img src="/missing-{i}.png">')
    (site_dir / "index.html").write_text('<title>Home</title><a href="/post-0/">first</a>')

    def pages(workers):
        config = dataclasses.replace(CONFIG, crawl=dataclasses.replace(CONFIG.crawl, workers=workers))
        return sorted((p.to_dict() for p in sources.pages_from_paths([site_dir], config).pages),
                      key=lambda p: p["url"])

    in_process, in_workers = pages(1), pages(2)
    assert len(in_process) == sources.PARALLEL_FROM_FILES + 6
    assert in_workers == in_process
