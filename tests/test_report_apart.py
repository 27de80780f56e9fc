"""On a site of MIN_PAGES pages or more, report.json is written by a forked child while
the other files are written here: the files must be what each renderer gives, whole."""
from __future__ import annotations

import json

from audits.config import from_dict
from audits.engine import audit
from audits.forked import MIN_PAGES
from audits.model import Fetch, Link, Page
from audits.report import render, write_reports
from audits.site import Site

ORIGIN = "https://clinic.test"


def test_every_report_file_of_a_large_site_is_whole_and_as_rendered(tmp_path):
    n = MIN_PAGES + 20
    pages = [Page(url=f"{ORIGIN}/p{i}/", title=f"Page {i}", meta_description=f"About page {i}",
                  word_count=400,
                  links=(Link(f"{ORIGIN}/p{(i + 1) % n}/", "next", "body", line=5), Link(f"{ORIGIN}/gone/", "old", "footer", line=9)))
             for i in range(n)]
    fetches = [Fetch(url=f"{ORIGIN}/p{i}/", status=200) for i in range(n)] + [Fetch(url=f"{ORIGIN}/gone/", status=404)]
    report = audit(Site.build(pages, fetches, from_dict({"site": {"start_urls": [ORIGIN + "/p0/"]}})))
    written = write_reports(report, tmp_path, ["json", "csv", "html", "text"])
    assert [p.name for p in written] == ["report.json", "findings.csv", "report.html", "report.txt"]
    data = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert data == json.loads(render(report, "json"))
    assert len(data["pages"]) == n and len(data["links"]) == 2 * n
    assert sum(f["rule"] == "broken-link" for f in data["findings"]) == n
    assert (tmp_path / "findings.csv").read_bytes().decode("utf-8") == render(report, "csv")
    assert (tmp_path / "report.html").read_bytes().decode("utf-8") == render(report, "html")
    assert not list(tmp_path.glob(".*.tmp"))  # no half-written file left behind
