"""The report's links table is made row by row when read (audits.site.LinkRows), never stored.

Each reader must still see one row per link of every page, in page order, with that
target's own check result, and report.json must hold the same rows as a list would.
"""
from __future__ import annotations

import json

from audits.config import from_dict
from audits.engine import audit
from audits.model import Fetch, Link, Page, Hop
from audits.report import render
from audits.report.common import LinkIndex, link_details
from audits.site import Site

ORIGIN = "https://clinic.test"


def _site() -> Site:
    template = (Link(ORIGIN + "/about/", "About", "header", line=3), Link(ORIGIN + "/gone/", "Old", "footer", line=90))
    pages = [Page(url=ORIGIN + "/", title="Home", links=template),
             Page(url=ORIGIN + "/a/", title="A", links=(*template, Link(ORIGIN + "/moved/#top", "Moved", "body", line=12))),
             Page(url=ORIGIN + "/b/", title="B", links=(Link(ORIGIN + "/gone/", "Gone, in the body", "body", line=7),))]
    fetches = [Fetch(url=ORIGIN + "/about/", status=200), Fetch(url=ORIGIN + "/gone/", status=404),
               Fetch(url=ORIGIN + "/moved/", status=200, final_url=ORIGIN + "/new/",
                     redirect_chain=(Hop(url=ORIGIN + "/moved/", status=301),))]
    return Site.build(pages, fetches, from_dict({"site": {"start_urls": [ORIGIN + "/"]}}))


def test_every_link_of_every_page_is_a_row_with_its_own_targets_result():
    rows = _site().link_rows()
    listed = list(rows)
    assert len(rows) == len(listed) == 6
    assert [(r["source"], r["target"], r["status"]) for r in listed] == [
        (ORIGIN + "/", ORIGIN + "/about/", 200), (ORIGIN + "/", ORIGIN + "/gone/", 404),
        (ORIGIN + "/a/", ORIGIN + "/about/", 200), (ORIGIN + "/a/", ORIGIN + "/gone/", 404),
        (ORIGIN + "/a/", ORIGIN + "/moved/#top", 200), (ORIGIN + "/b/", ORIGIN + "/gone/", 404)]
    moved = listed[4]
    assert moved["final_url"] == ORIGIN + "/new/" and moved["redirect_chain"] == [{"url": ORIGIN + "/moved/", "status": 301}]
    # The same link text and region as the page's own link, not the first page's with that target.
    assert (listed[5]["text"], listed[5]["region"], listed[5]["line"]) == ("Gone, in the body", "body", 7)
    assert listed[1]["context"] == "footer" and listed[0]["context"] == "nav"  # the contract's name for header
    assert rows[0] == listed[0] and rows[-1] == listed[-1] and rows[1:3] == listed[1:3] and rows == listed
    assert list(rows) == listed  # a second reading gives the same rows


def test_report_json_holds_the_rows_and_the_html_finds_each_findings_link():
    report = audit(_site())
    data = json.loads(render(report, "json"))
    assert data["links"] == list(report.links) == report.to_dict()["links"]
    broken = [f for f in report.findings if f.rule == "broken-link"]
    assert {f.url for f in broken} == {ORIGIN + "/", ORIGIN + "/a/", ORIGIN + "/b/"}
    index = LinkIndex(report.links, report.findings)
    # Only the rows a finding asks for are kept, and each finding gets its own page's link.
    assert {key[0] for key in index._rows} <= {f.url for f in report.findings}
    on_b = next(f for f in broken if f.url == ORIGIN + "/b/")
    assert link_details(on_b, index)["text"] == "Gone, in the body"
    assert "Gone, in the body" in render(report, "html")


def test_the_table_holds_no_rows_it_makes_them_when_read():
    # A stored list would hand back the same dict objects on every reading (and hold all of them
    # from the audit to the last report); LinkRows makes each row as it is read.
    report = audit(_site())
    first, second = list(report.links), list(report.links)
    assert first == second and len(first) == 6
    assert all(a is not b for a, b in zip(first, second))
    assert not any(isinstance(value, list) and value and isinstance(value[0], dict)
                   for value in vars(report.links).values())
