"""[ignore] URL-glob rule ignores and [links] ignore, through the real engine and rules."""
from audits.config import from_dict
from audits.engine import run_rules
from audits.model import Fetch, Link, Page
from audits.site import Site

ORIGIN = "https://clinic.test"


def article(path, links=(), source_path=None):
    return Page(url=ORIGIN + path, title=path, is_article=True, links=tuple(links), source_path=source_path)


def site(config_data, pages, fetches=()):
    config = from_dict({"site": {"canonical_url": ORIGIN}, **config_data}, "test")
    return Site.build(pages, fetches, config)


def ids(findings):
    return sorted((f.rule, f.url.removeprefix(ORIGIN), (f.target or "").removeprefix(ORIGIN)) for f in findings)


def test_url_glob_ignores_only_the_named_rule_on_matching_pages():
    pages = [article("/legacy/old", source_path="public/legacy/old.html"), article("/blog/a")]
    without = [f for f in run_rules(site({}, pages)) if f.rule == "missing-cta"]
    assert {f.url for f in without} == {ORIGIN + "/legacy/old", ORIGIN + "/blog/a"}

    findings = run_rules(site({"ignore": {"/legacy/*": ["missing-cta"]}}, pages))
    assert [f.url for f in findings if f.rule == "missing-cta"] == [ORIGIN + "/blog/a"]


def test_url_glob_star_and_source_path_patterns():
    gone = Link(target=ORIGIN + "/gone", line=7)
    pages = [article("/legacy/old", [gone], source_path="public/legacy/old.html"), article("/blog/a", [gone])]
    fetches = [Fetch(url=ORIGIN + "/gone", status=404)]
    everything = run_rules(site({"ignore": {"/legacy/*": ["*"]}}, pages, fetches))
    assert not [f for f in everything if f.url.startswith(ORIGIN + "/legacy/")]
    assert ("broken-link", "/blog/a", "/gone") in ids(everything)

    by_file = run_rules(site({"ignore": {"public/legacy/*.html": ["broken-link"]}}, pages, fetches))
    assert ("broken-link", "/legacy/old", "/gone") not in ids(by_file)
    assert ("missing-cta", "/legacy/old", "") in ids(by_file)


def test_link_ignore_drops_checked_targets_and_marks_unchecked_ones():
    links = [Link(target=ORIGIN + "/old-team/", line=3), Link(target=ORIGIN + "/gone", line=4),
             Link(target="https://partner.example.test/page#x", line=5)]
    pages = [article("/", links)]
    fetches = [Fetch(url=ORIGIN + "/old-team/", status=404), Fetch(url=ORIGIN + "/gone", status=404)]
    config = {"links": {"ignore": [ORIGIN + "/old-*", "https://partner.example.test/*"]}}

    checked = site(config, pages, fetches)
    broken = [t for rule, _, t in ids(run_rules(checked)) if rule == "broken-link"]
    assert broken == ["/gone"]

    rows = {r["target"]: r for r in checked.link_rows()}
    assert rows["https://partner.example.test/page#x"]["error"] == "ignored"
    assert rows[ORIGIN + "/gone"]["status"] == 404


def test_unignored_baseline_reports_both_links():
    links = [Link(target=ORIGIN + "/old-team/"), Link(target=ORIGIN + "/gone")]
    fetches = [Fetch(url=ORIGIN + "/old-team/", status=404), Fetch(url=ORIGIN + "/gone", status=404)]
    broken = [t for rule, _, t in ids(run_rules(site({}, [article("/", links)], fetches))) if rule == "broken-link"]
    assert broken == ["/gone", "/old-team/"]
