"""The machine-readable formats: JSON contract keys, CSV, SARIF (schema-valid), JUnit, GitHub, Markdown, text."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from audits import registry
from audits.model import Severity
from audits.report import render
from audits.report.fingerprint import fingerprint
from support.sample import build_report

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def report():
    return build_report()


def test_json_has_every_contract_key(report):
    data = json.loads(render(report, "json"))
    assert {"tool", "site", "started_at", "finished_at", "config", "stats", "pages", "links", "findings"} <= set(data)
    assert data["tool"]["name"] == "siteproof" and data["tool"]["version"]
    assert set(data["stats"]) >= {"pages", "links_checked", "findings"}
    assert data["stats"]["findings"] == report.counts() and set(report.counts()) == {"error", "warning", "info"}
    assert data["stats"]["pages"] == len(report.pages)
    for page in data["pages"]:
        assert {"url", "status", "title", "is_article", "word_count", "readability", "related_posts", "ctas",
                "phones"} <= set(page)
    scored = [p for p in data["pages"] if p["readability"]]
    assert scored and all({"flesch_reading_ease", "flesch_kincaid_grade"} <= set(p["readability"]) for p in scored)
    assert len(data["links"]) == len(report.links)
    for link in data["links"]:
        assert {"source", "target", "status", "error", "redirect_chain", "text", "context"} <= set(link)
    assert len(data["findings"]) == len(report.findings)
    for entry, f in zip(data["findings"], report.findings):
        assert {"rule", "severity", "url", "target", "message", "evidence"} <= set(entry)
        assert (entry["rule"], entry["severity"], entry["url"], entry["target"]) == (
            f.rule, f.severity.value, f.url, f.target)
        assert entry["fingerprint"] == fingerprint(f)


def test_csv_parses_back_to_the_findings(report):
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"), newline="")))
    assert len(rows) == len(report.findings)
    for row, f in zip(rows, report.findings):
        assert [row["rule"], row["severity"], row["url"], row["target"], row["message"]] == [
            f.rule, f.severity.value, f.url, f.target or "", f.message]
        assert json.loads(row["evidence"]) == f.evidence
        assert row["line"] == ("" if f.line is None else str(f.line))
        assert row["source_path"] == (f.source_path or "")
    assert any("\r\n" in r["message"] for r in rows)  # a multi-line message survives quoting


def test_sarif_is_schema_valid_and_maps_findings(report):
    sarif = json.loads(render(report, "sarif"))
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(sarif)
    run = sarif["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "siteproof" and driver["version"] and driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    assert set(registry.load()) <= set(ids)
    for rule in driver["rules"]:
        assert rule["shortDescription"]["text"] and rule["helpUri"] and rule["help"]["markdown"] is not None
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    levels = {"error": "error", "warning": "warning", "info": "note"}
    assert len(run["results"]) == len(report.findings)
    for result, f in zip(run["results"], report.findings):
        assert result["ruleId"] == f.rule and ids[result["ruleIndex"]] == f.rule
        assert result["level"] == levels[f.severity.value]
        assert result["message"]["text"] == f.message
        assert result["properties"]["target"] == f.target
        assert result["partialFingerprints"]["siteproofFingerprint/v1"] == fingerprint(f)
        loc = result["locations"][0]["physicalLocation"]
        if f.source_path:
            assert loc["artifactLocation"]["uri"] == f.source_path
            assert loc.get("region", {}).get("startLine") == f.line
        else:
            assert loc["artifactLocation"]["uri"] == f.url


def test_junit_counts_failures_at_or_above_fail_on(report):
    for fail_on in ("error", "warning", "info"):
        threshold = Severity(fail_on)
        root = ET.fromstring(render(report, "junit", fail_on=fail_on))
        cases = root.findall("testsuite/testcase")
        failures = root.findall(".//failure")
        assert len(failures) == sum(1 for f in report.findings if f.severity.rank >= threshold.rank)
        assert int(root.get("failures")) == sum(1 for c in cases if c.find("failure") is not None)
        assert int(root.get("tests")) == len(cases) == sum(int(s.get("tests")) for s in root.findall("testsuite"))
        pairs = {(f.rule, f.url) for f in report.findings}
        assert pairs <= {(c.get("classname"), c.get("name")) for c in cases}
        below = [f for f in report.findings if f.severity.rank < threshold.rank]
        outs = " ".join(c.findtext("system-out") or "" for c in cases)
        assert all(f.rule in outs for f in below)
    case = root.find("testsuite[@name='missing-alt']/testcase")
    assert case.get("file") == "public/blog/sleep.html" and case.get("line") == "17"


def test_junit_survives_control_characters(report):
    f = dataclasses.replace(report.findings[0], message="bad \x01 byte & <tag> \"q\"")
    root = ET.fromstring(render(dataclasses.replace(report, findings=[f]), "junit"))
    assert root.find(".//failure").get("message") == "bad \ufffd byte & <tag> \"q\""


ANNOTATION = re.compile(
    r"^::(error|warning|notice) (?:file=(?P<file>[^,:\r\n]+),(?:line=(?P<line>[1-9][0-9]*),)?)?"
    r"title=(?P<title>[a-z0-9-]+)::(?P<msg>[^\r\n]*)$")


def _unescape(s: str) -> str:
    return s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_github_annotations_are_strict_and_escaped(report):
    lines = render(report, "github").splitlines()
    assert len(lines) == len(report.findings)
    kinds = {"error": "error", "warning": "warning", "info": "notice"}
    for line, f in zip(lines, report.findings):
        m = ANNOTATION.match(line)
        assert m, line
        assert m.group(1) == kinds[f.severity.value] and m.group("title") == f.rule
        assert _unescape(m.group("msg")).startswith(f.message if f.source_path else f"{f.url}: {f.message}")
        if f.source_path:
            assert _unescape(m.group("file")) == f.source_path and m.group("line") == str(f.line)
        else:
            assert m.group("file") is None
    escaped = next(line for line in lines if "missing-alt" in line)
    assert "%0D%0A" in escaped and "100%25" in escaped


def test_github_escapes_property_values(report):
    f = dataclasses.replace(report.findings[0], source_path="site/a,b:c%.html", line=3)
    line = render(dataclasses.replace(report, findings=[f]), "github").strip()
    assert "file=site/a%2Cb%3Ac%25.html,line=3," in line and ANNOTATION.match(line)


def test_markdown_has_totals_rules_and_capped_findings(report):
    md = render(report, "markdown", max_findings=3)
    counts = report.counts()
    for sev, n in counts.items():
        assert re.search(rf"^\| \S+ {sev} \| {n} \|$", md, re.M), sev
    for rule_id, n in report.by_rule().items():
        assert re.search(rf"^\| \[{rule_id}\]\([^)]+\) \| .+ \| {n} \| \d+ \|", md, re.M), rule_id
    top = [line for line in md.splitlines() if line.startswith("| ") and "`" in line.split("|")[2]]
    assert len(top) == 3
    assert f"…and {len(report.findings) - 3} more" in md
    for line in md.splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)
            assert len(cells) in (4, 7, 8), line  # a crawled "|" or newline never breaks a table
    # crawled text is inert: the message "Page has no <title>." is shown, not parsed as HTML
    assert "Page has no &lt;title&gt;." in md and "Page has no <title>" not in md


def test_text_groups_by_page_with_lines(report):
    out = render(report, "text")
    assert "\033[" not in out
    assert "\033[" in render(report, "text", color=True)
    header = "public/blog/sleep.html (https://clinic.test/blog/sleep/)"
    block = out.split(header, 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    assert [line.split()[0] for line in block] == ["17", "21"]
    assert all(re.match(r"^  +(\d+|-)  (error|warning|info) +[a-z0-9-]+ {2,}\S", line) for line in block)
    assert out.rstrip().splitlines()[-1].startswith(f"{len(report.findings)} findings")


def test_text_shows_one_line_for_a_target_repeated_on_many_pages(report):
    # A sidebar "Log in" link to a 404 on every page is one problem, not a row per page.
    login = "https://clinic.test/wp-login.php"
    extra = [dataclasses.replace(report.findings[0], rule="broken-link", severity=Severity.ERROR, target=login,
                                 url=f"https://clinic.test/p{i}/", message=f"Link \"Log in\" points to {login}, which returns 404.")
             for i in range(1298)]
    out = render(dataclasses.replace(report, findings=[*report.findings, *extra]), "text")
    lines = [line for line in out.splitlines() if login in line]
    assert re.search(r"^  error\s+broken-link\s+https://clinic.test/wp-login.php · 1,298 pages$", lines[0])
    assert len(lines) == 2 and lines[1].lstrip().startswith("e.g. https://clinic.test/p0/: Link \"Log in\"")
    assert out.rstrip().splitlines()[-1].startswith(f"{len(report.findings) + 1298:,} findings")


def test_markdown_renders_to_tables_a_pull_request_shows(report):
    from markdown_it import MarkdownIt

    md = render(report, "markdown", max_findings=3)
    html = MarkdownIt("commonmark").enable("table").render(md)
    # Every table row in the source became an HTML row (GitHub-flavoured tables parse).
    assert html.count("<table>") >= 2
    rows = html.count("<tr>")
    assert rows == sum(1 for line in md.splitlines() if line.startswith("|") and not set(line) <= set("|-: "))
    assert "<title>" not in html  # a crawled "<title>" stays text
    for rule_id in report.by_rule():
        assert f">{rule_id}</a>" in html, rule_id
