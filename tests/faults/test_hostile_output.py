"""Hostile strings in titles, link text and URLs reach every output format harmlessly (issue 11).

One `siteproof check` of a small folder whose pages carry markup, terminal
escape sequences, bidi overrides, quotes, pipes, newlines and a very long
string; each format is then read back with a real parser.
"""
from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from html import escape
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from support.e2e import siteproof

SCHEMA = json.loads((Path(__file__).parents[1] / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
RLO = "\u202e"
ESC = "\x1b"
LONG = "x" * 20000
TITLE = f'Tips <script>alert(1)</script> "q" \'s\' | a{RLO}gpj.exe {ESC}]0;pwned\x07{ESC}[2J <img src=x onerror=alert(2)>'
HREF = f'/no-such/rtl{RLO}gpj.exe?a=|b&c="><iframe src=x>&d={LONG}'
TEXT = f"Click {ESC}[31mred{ESC}[0m | cell\nnext line {RLO}evil <b>bold</b> \"quoted\""


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{escape(title)}</title></head>"
            f"<body><main><h1>Post</h1>{body}</main></body></html>")


class Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    site = root / "site"
    site.mkdir()
    (site / "index.html").write_text(_page("Home", '<a href="/hostile.html">post</a>'), encoding="utf-8")
    (site / "hostile.html").write_text(_page(TITLE, f'<p><a href="{escape(HREF)}">{escape(TEXT)}</a>'
                                             f'<a href="/">{LONG}</a></p>'), encoding="utf-8")
    out = root / "out"
    formats = [a for fmt in ("json", "csv", "html", "sarif", "junit", "markdown", "text") for a in ("--format", fmt)]
    proc = siteproof("check", site, *formats, "--out", out, "--site-root", site, cwd=root)
    assert proc.returncode == 1, proc.stderr  # the hostile link is broken
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return proc, out, report


def test_json_is_valid_and_keeps_the_strings_exactly(run):
    _, out, report = run
    text = (out / "report.json").read_text(encoding="utf-8")
    assert json.loads(json.dumps(report)) == report
    hostile = next(p for p in report["pages"] if p["url"].endswith("/hostile"))
    assert RLO in hostile["title"] and "<script>" in hostile["title"]  # data, faithfully; escaping is for renderers
    broken = [f for f in report["findings"] if f["rule"] == "broken-link"]
    assert broken and RLO in broken[0]["target"] and LONG in broken[0]["target"]
    assert ESC not in text or "\\u001b" in text  # an escape survives only as a JSON escape


def test_csv_parses_with_one_row_per_finding(run):
    _, out, report = run
    rows = list(csv.DictReader(io.StringIO((out / "findings.csv").read_text(encoding="utf-8"), newline="")))
    assert len(rows) == len(report["findings"])
    assert [r["rule"] for r in rows] == [f["rule"] for f in report["findings"]]
    assert [r["target"] for r in rows] == [f["target"] or "" for f in report["findings"]]


def test_html_has_no_injected_markup_and_shows_bidi_controls(run):
    _, out, _ = run
    html = (out / "report.html").read_text(encoding="utf-8")
    parser = Tags()
    parser.feed(html)
    tags = parser.tags
    template = (Path(__file__).parents[2] / "audits" / "report" / "templates" / "report.html.j2").read_text()
    assert sum(1 for t, _ in tags if t == "script") == template.count("<script")
    assert not any(t == "iframe" for t, _ in tags)
    assert not any("onerror" in attrs for _, attrs in tags)
    assert RLO not in html  # never obeyed...
    assert "\u27e8U+202E\u27e9" in html  # ...but shown
    hrefs = [a.get("href") or "" for t, a in tags if t == "a"]
    assert any("%E2%80%AE" in h for h in hrefs) and not any(RLO in h for h in hrefs)


def test_sarif_validates(run):
    _, out, report = run
    sarif = json.loads((out / "report.sarif").read_text(encoding="utf-8"))
    jsonschema.validators.validator_for(SCHEMA)(SCHEMA).validate(sarif)
    assert len(sarif["runs"][0]["results"]) == len(report["findings"])


def test_junit_is_valid_xml(run):
    _, out, report = run
    tree = ET.parse(out / "junit.xml")
    assert tree.getroot().tag in ("testsuites", "testsuite")


def test_terminal_formats_carry_no_control_characters_and_no_broken_table(run):
    proc, out, _ = run
    for text in (proc.stdout, (out / "summary.md").read_text(encoding="utf-8") if (out / "summary.md").exists() else ""):
        assert ESC not in text and "\x07" not in text and RLO not in text
    tables, table = [], []
    for line in proc.stdout.splitlines() + [""]:
        if line.startswith("|"):
            table.append(line)
        elif table:
            tables.append(table)
            table = []
    assert tables, "no markdown table on stdout"
    for table in tables:  # every row has as many cells as its header
        assert len({len(line.replace("\\|", "").split("|")) for line in table}) == 1, table
