"""An unchanged re-crawl takes the rules' findings from the last crawl: what the key covers.

The key is the only thing between a re-crawl and a stale answer, so each input
the rules read must move it, and what it leaves out (a page's depth, a fetch's
timing) must be something no rule reads.
"""
from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

from audits.config import from_dict
from audits.model import Fetch, Page
from audits.site import Site
from crawler.recrawl import audit_key, outcome_digest

REPO = Path(__file__).resolve().parent.parent
HOME, GONE = "https://clinic.test/", "https://clinic.test/gone/"


def _site(*, title="Home", status=404, config=None, sitemap=(), partial=False) -> Site:
    return Site.build([Page(url=HOME, title=title)], [Fetch(url=GONE, status=status, elapsed_ms=12.0)],
                      config or from_dict({"site": {"start_urls": [HOME]}}), sitemap_urls=sitemap, partial=partial)


def _key(site: Site):
    pages = {url: f"model of {page.title}" for url, page in site.pages.items()}  # a key per distinct model
    return audit_key(site, pages, {url: outcome_digest(f) for url, f in site.fetches.items()})


def test_every_input_the_rules_read_changes_the_key():
    base = _key(_site())
    assert base is not None and base == _key(_site())
    changed = [_site(title="Home, revised"), _site(status=200), _site(sitemap=[HOME]), _site(partial=True),
               _site(config=from_dict({"site": {"start_urls": [HOME]}, "audits": {"readability": {"max_grade": 10}}}))]
    keys = [_key(s) for s in changed]
    assert base not in keys and len(set(keys)) == len(keys)


def test_a_fetchs_timing_and_method_do_not_change_the_key_and_a_gap_gives_none():
    site = _site()
    slower = dataclasses.replace(site.fetches[GONE], elapsed_ms=900.0)
    assert outcome_digest(slower) == outcome_digest(site.fetches[GONE])
    # Whether a HEAD or a GET answered depends on which link to the URL was met first (a real WordPress
    # export flipped 9 of 5,365 between two unchanged crawls, and every rule ran again).
    assert outcome_digest(dataclasses.replace(site.fetches[GONE], method="HEAD")) == outcome_digest(site.fetches[GONE])
    assert audit_key(site, {}, {GONE: outcome_digest(site.fetches[GONE])}) is None  # a page not recorded
    assert audit_key(site, {HOME: "k"}, {}) is None  # an outcome not recorded


def _attributes(path: Path) -> set[str]:
    return {node.attr for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))) if isinstance(node, ast.Attribute)}


def test_no_rule_reads_what_the_key_leaves_out():
    for path in [*(REPO / "audits" / "rules").glob("*.py"), REPO / "audits" / "engine.py", REPO / "audits" / "site.py"]:
        assert not {"depth", "elapsed_ms", "method"} & _attributes(path), path
