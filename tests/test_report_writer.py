"""write_reports (the only writer), summary_text, format lookup, and stable fingerprints."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import xml.etree.ElementTree as ET

import pytest

from audits.config import ConfigError
from audits import baseline
from audits.report import FORMATS, render, summary_text, write_reports
from audits.report.fingerprint import fingerprint
from support.sample import build_report


def test_writes_contract_files_plus_requested(tmp_path):
    report = build_report()
    paths = write_reports(report, tmp_path / "out", ["sarif", "junit", "github", "markdown", "text"])
    names = sorted(p.name for p in paths)
    assert names == sorted(["report.json", "findings.csv", "report.html", "report.sarif", "junit.xml",
                            "annotations.txt", "summary.md", "report.txt"])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == names  # no temporary files left behind
    assert json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))["site"] == report.site
    assert "\033[" not in (tmp_path / "out" / "report.txt").read_text(encoding="utf-8")
    assert {FORMATS[n].filename for n in FORMATS} == set(names)


def test_default_formats_are_the_contract_three(tmp_path):
    assert sorted(p.name for p in write_reports(build_report(), tmp_path)) == [
        "findings.csv", "report.html", "report.json"]


def test_unknown_format_is_a_one_line_error_before_writing(tmp_path):
    with pytest.raises(ConfigError, match="unknown report format 'pdf'"):
        write_reports(build_report(), tmp_path / "x", ["json", "pdf"])
    assert not (tmp_path / "x").exists()


def test_summary_text(tmp_path):
    report = build_report()
    text = summary_text(report, tmp_path)
    first = text.splitlines()[0]
    counts = report.counts()
    assert f"{len(report.pages)} pages" in first and f"{report.links_checked} links checked" in first
    assert f"{len(report.findings)} findings" in first and f"{counts['error']} errors" in first
    for rule_id, n in report.by_rule().items():
        assert any(line.split()[:2] == [rule_id, str(n)] for line in text.splitlines()), rule_id
    assert text.rstrip().endswith(str(tmp_path / "report.html"))
    assert "pages crawled" in first
    read = dataclasses.replace(report, crawled=False)  # pages read from files or a stored crawl
    assert "pages read" in summary_text(read, tmp_path).splitlines()[0]


def test_renderers_share_the_baseline_fingerprint():
    report = build_report()
    assert fingerprint is baseline.fingerprint  # one implementation for baselines and SARIF
    def staging(url):
        return url.replace("https://clinic.test", "https://staging.clinic.test") if url else url

    moved = dataclasses.replace(report, findings=[
        dataclasses.replace(f, url=staging(f.url), target=staging(f.target), line=(f.line or 0) + 7)
        for f in report.findings])
    prints = [r["partialFingerprints"] for r in json.loads(render(report, "sarif"))["runs"][0]["results"]]
    assert prints == [r["partialFingerprints"] for r in json.loads(render(moved, "sarif"))["runs"][0]["results"]]
    assert len({tuple(p.values()) for p in prints}) == len(prints)


@pytest.fixture()
def baselined():
    report = build_report()
    new = [f for f in report.findings if f.rule in ("phone-mismatch", "missing-alt")]
    return dataclasses.replace(report, baseline_new=new, baselined=len(report.findings) - len(new),
                               fixed=[{"rule": "broken-link", "url": "https://clinic.test/x/"}])


def test_ci_formats_show_only_new_findings_with_a_baseline(baselined):
    new = baselined.baseline_new
    assert len(json.loads(render(baselined, "sarif"))["runs"][0]["results"]) == len(new)
    assert len(render(baselined, "github").splitlines()) == len(new)
    junit = ET.fromstring(render(baselined, "junit", fail_on="warning"))
    assert len(junit.findall(".//failure")) == len(new)
    md = render(baselined, "markdown")
    assert f"{baselined.baselined} known ones hidden" in md and "broken-link" not in md.split("### Findings by rule")[1]
    text = render(baselined, "text")
    assert text.count("phone-mismatch") == 1 and "broken-link" not in text
    assert f"{len(new)} new findings" in summary_text(baselined, None)


def test_full_formats_keep_everything_and_mark_known(baselined):
    new = {id(f) for f in baselined.baseline_new}
    data = json.loads(render(baselined, "json"))
    assert [e["baselined"] for e in data["findings"]] == [id(f) not in new for f in baselined.findings]
    rows = list(csv.DictReader(io.StringIO(render(baselined, "csv"), newline="")))
    assert [r["baselined"] == "yes" for r in rows] == [id(f) not in new for f in baselined.findings]
    html = render(baselined, "html")
    assert html.count('title="in the baseline">known</span>') == 2 * (len(baselined.findings) - len(new))


def test_each_fingerprint_is_made_once_for_every_report_file_and_the_history(tmp_path, monkeypatch):
    """report.json, findings.csv, SARIF and the history all carry every finding's fingerprint; a large
    crawl's 20,000 findings made it three times over. A copy with other findings gets theirs."""
    from audits.history.facts import snapshot

    report = build_report()
    real = baseline.fingerprint
    made = []
    monkeypatch.setattr(baseline, "fingerprint", lambda f: made.append(f) or real(f))
    recorded = dataclasses.replace(report, history={"run": "r2", "since_last": None, "trend": []})
    write_reports(recorded, tmp_path, ["sarif"])
    history = snapshot(report)
    assert len(made) == len(report.findings) > 3

    expected = [real(f) for f in report.findings]
    assert [f["fingerprint"] for f in json.loads((tmp_path / "report.json").read_text())["findings"]] == expected
    with open(tmp_path / "findings.csv", newline="", encoding="utf-8") as fh:
        assert [row["fingerprint"] for row in csv.DictReader(fh)] == expected
    assert [f["fingerprint"] for f in history.findings] == expected

    moved = dataclasses.replace(report, findings=[dataclasses.replace(f, url=f.url + "moved/") for f in report.findings])
    assert [moved.fingerprint(f) for f in moved.findings] == [real(f) for f in moved.findings] != expected
