"""Every report format through `siteproof check` of a build folder: CI formats point at the local files.

The build is the clinic fixture (support.e2e.render_build) plus one draft page
whose title, heading, link and image carry markup-like text, to prove that
nothing a page writes becomes markup in report.html.
"""
from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from pathlib import Path

import jsonschema
import pytest
from support.e2e import BUILD_ORIGIN, foreign_markup, parse_html, read_report, render_build, siteproof, write_config

SCHEMA = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
ANNOTATION = re.compile(r"^::(error|warning|notice) file=[^,]+,line=\d+(,title=[^:]+)?::.+$")
FILE_ANNOTATION = re.compile(r"^::(error|warning|notice) file=[^,]+(,title=[^:]+)?::.+$")  # a page-level finding
LEVEL = {"error": "error", "warning": "warning", "info": "notice"}
HOSTILE = "build/blog/hostile-draft/index.html"
HOSTILE_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Tips &lt;script&gt;alert("title")&lt;/script&gt; | OMG Wellness</title>
<meta name="description" content="A draft &lt;b&gt;with markup&lt;/b&gt; in its description.">
</head><body><main>
<h1>Draft &lt;img src=x onerror=alert(1)&gt;</h1>
<p>Book a visit: <a href="/no-such-page/?q=&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;">our &lt;b&gt;team&lt;/b&gt;</a>.</p>
<p><a href="javascript:alert(4)">Call us</a> or <a href="data:text/html,&lt;script&gt;alert(5)&lt;/script&gt;">us</a>.</p>
<img src="/missing.png?&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;">
</main></body></html>
"""


class Runs:
    def __init__(self, root: Path):
        self.root, self.out = root, root / "out"
        render_build(root / "build")
        (root / HOSTILE).parent.mkdir(parents=True)
        (root / HOSTILE).write_text(HOSTILE_PAGE, encoding="utf-8")
        config = write_config(root / "siteproof.toml", canonical_url=BUILD_ORIGIN)
        formats = [a for fmt in ("sarif", "junit", "github", "markdown", "csv") for a in ("--format", fmt)]
        self.ci = siteproof("check", "build", "--config", config, *formats, "--out", self.out, cwd=root)
        self.report = read_report(self.out)
        self.findings = self.report["findings"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory) -> Runs:
    runs = Runs(tmp_path_factory.mktemp("e2e-formats"))
    assert runs.ci.returncode == 1, runs.ci.stderr
    assert runs.findings and all(f["source_path"] for f in runs.findings)
    return runs


def test_sarif_is_valid_and_points_at_the_files(runs):
    sarif = json.loads((runs.out / "report.sarif").read_text(encoding="utf-8"))
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(schema)(schema).validate(sarif)
    results = [r for run in sarif["runs"] for r in run["results"]]
    seen = Counter()
    for r in results:
        where = r["locations"][0]["physicalLocation"]
        assert (runs.root / where["artifactLocation"]["uri"]).is_file(), where
        seen[(r["ruleId"], r["properties"]["url"], r["properties"]["target"],
              where["artifactLocation"]["uri"], where.get("region", {}).get("startLine"))] += 1
    wanted = Counter((f["rule"], f["url"], f["target"], f["source_path"], f["line"]) for f in runs.findings)
    assert seen == wanted
    assert any(line for *_, line in seen)


def test_junit_has_a_failure_per_error(runs):
    root = ET.parse(runs.out / "junit.xml").getroot()
    failures = Counter(f.get("message") for f in root.iter("failure"))
    assert failures == Counter(f["message"] for f in runs.findings if f["severity"] == "error")


def test_github_annotations_on_stdout_name_file_and_line(runs):
    lines = [line for line in runs.ci.stdout.splitlines() if line.startswith("::")]
    for line in lines:
        assert (ANNOTATION if ",line=" in line else FILE_ANNOTATION).match(line), line
    shown = Counter(re.match(r"^::(\w+) file=([^,:]+)(?:,line=(\d+))?", line).groups() for line in lines)
    wanted = Counter((LEVEL[f["severity"]], f["source_path"], str(f["line"]) if f["line"] else None)
                     for f in runs.findings)
    assert shown == wanted
    assert (runs.out / "annotations.txt").read_text(encoding="utf-8").splitlines() == lines


def test_markdown_summary_has_a_table(runs):
    summary = (runs.out / "summary.md").read_text(encoding="utf-8")
    assert re.search(r"^\|.+\|\n\|( *:?-+:? *\|)+$", summary, re.M)
    for rule in {f["rule"] for f in runs.findings}:
        assert f"`{rule}`" in summary or f"[{rule}]" in summary, rule
    assert summary in runs.ci.stdout  # markdown is a stream format too: CI can append it to the job summary


def test_csv_has_a_row_per_finding(runs):
    rows = list(csv.DictReader(io.StringIO((runs.out / "findings.csv").read_text(encoding="utf-8"))))
    assert Counter((r["rule"], r["url"], r["message"]) for r in rows) == \
           Counter((f["rule"], f["url"], f["message"]) for f in runs.findings)


def test_default_text_output_groups_findings_by_page_with_rule_ids(build_check):
    plain = build_check  # `check build --out DIR` with no --format: text on stdout
    findings = plain.report["findings"]
    pages_of = defaultdict(set)
    for f in findings:
        if f["target"]:
            pages_of[(f["rule"], f["target"])].add(f["url"])
    repeated = {key: len(urls) for key, urls in pages_of.items() if len(urls) >= 3}
    groups, shown_repeated, current = Counter(), {}, None
    for line in plain.proc.stdout.splitlines():
        if header := re.match(r"^(\S+) \((https?://\S+)\)$", line):
            current = header.group(1)
        elif many := re.match(r"^\s+(?:error|warning|info)\s+([a-z0-9-]+)\s+(\S+) · ([\d,]+) pages$", line):
            shown_repeated[(many.group(1), many.group(2))] = int(many.group(3).replace(",", ""))
        elif row := re.match(r"^\s+(\d+|-)\s+(error|warning|info)\s+([a-z0-9-]+)\s+\S", line):
            assert current, line
            groups[(current, row.group(1), row.group(2), row.group(3))] += 1
    wanted = Counter((f["source_path"], str(f["line"] or "-"), f["severity"], f["rule"]) for f in findings
                     if (f["rule"], f["target"]) not in repeated)
    assert groups == wanted
    assert shown_repeated == repeated
    assert re.search(rf"^{len(findings)} findings \(", plain.proc.stdout, re.M)


def test_html_shows_page_markup_as_text(runs):
    page = (runs.out / "report.html").read_text(encoding="utf-8")
    doc = parse_html(page)
    assert foreign_markup(doc) == []
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>team" not in page
    hrefs = [a["href"] for _, a in doc.tags if a.get("href")]
    assert hrefs and [h for h in hrefs if not h.startswith(("https://", "http://", "#"))] == []
    hostile = [f for f in runs.findings if f["source_path"] == HOSTILE]
    assert {f["rule"] for f in hostile} >= {"broken-link", "missing-alt"}
    assert 'alert("title")' in doc.shown_text()  # the page's title, shown as the text it is
