"""Baselines: fingerprints survive drift; only new findings count; fixed ones are listed."""
import dataclasses
import json

import pytest

from audits import registry
from audits.baseline import apply_baseline, fingerprint, load_baseline, write_baseline
from audits.config import ConfigError, from_dict
from audits.engine import audit
from audits.model import Fetch, Finding, Link, Page, Severity
from audits.site import Site


def finding(rule="broken-link", url="https://clinic.test/blog/a/", target="https://clinic.test/gone",
            line=12, evidence=None, message="Link points to a page that returns 404.",
            severity=Severity.ERROR):
    return Finding(rule=rule, severity=severity, url=url, target=target, message=message,
                   evidence=evidence if evidence is not None else {"status": 404, "line": line, "count": 1},
                   line=line)


def test_fingerprint_ignores_line_count_status_message_and_host():
    base = finding()
    drifted = finding(url="https://staging.clinic.test/blog/a", target="https://staging.clinic.test/gone",
                      line=40, evidence={"status": 410, "line": 40, "count": 3},
                      message="Reworded message.")
    assert fingerprint(base) == fingerprint(drifted)


def test_fingerprint_tells_problems_apart():
    base = finding()
    assert fingerprint(base) != fingerprint(finding(target="https://clinic.test/other"))
    assert fingerprint(base) != fingerprint(finding(url="https://clinic.test/blog/b/"))
    assert fingerprint(base) != fingerprint(finding(rule="redirected-link"))
    # identity evidence: two numbers on one page are two problems
    one = finding(rule="phone-mismatch", target=None, evidence={"number": "+15595550100"})
    two = finding(rule="phone-mismatch", target=None, evidence={"number": "+15595550199"})
    assert fingerprint(one) != fingerprint(two)
    # external targets keep their host
    ext_a = finding(target="https://a.example.test/x")
    ext_b = finding(target="https://b.example.test/x")
    assert fingerprint(ext_a) != fingerprint(ext_b)
    # a non-canonical host on the page's own site is the identity of a url-mismatch
    www = finding(rule="url-mismatch", target="https://www.clinic.test/about", evidence={"where": "link"})
    http = finding(rule="url-mismatch", target="http://clinic.test/about", evidence={"where": "link"})
    assert fingerprint(www) != fingerprint(http)


def test_round_trip_fixed_new_and_moved(tmp_path):
    kept = finding(target="https://clinic.test/gone")
    fixed = finding(rule="missing-alt", target="https://clinic.test/img/team.jpg", severity=Severity.WARNING)
    path = write_baseline([fixed, kept], tmp_path / "base" / "baseline.json")

    data = json.loads(path.read_text())
    assert data["version"] == 1 and data["count"] == 2
    assert {e["rule"] for e in data["findings"]} == {"broken-link", "missing-alt"}
    assert all(e["message"] and e["url"] for e in data["findings"])

    baseline = load_baseline(path)
    moved = dataclasses.replace(kept, line=99, evidence={"status": 404, "line": 99, "count": 2})
    new = finding(target="https://clinic.test/also-gone", line=5)
    remaining, baselined, fixed_entries = apply_baseline([new, moved], baseline)

    assert remaining == [new]
    assert baselined == 1
    assert [(e["rule"], e["target"]) for e in fixed_entries] == [("missing-alt", "https://clinic.test/img/team.jpg")]


def test_matching_counts_duplicates(tmp_path):
    a = finding(rule="unlinked-source", target=None, evidence={})
    baseline = load_baseline(write_baseline([a], tmp_path / "b.json"))
    remaining, baselined, fixed = apply_baseline([a, dataclasses.replace(a, line=80)], baseline)
    assert baselined == 1 and len(remaining) == 1 and fixed == []


def test_audit_with_a_baseline_counts_only_new_findings_towards_the_exit_code(tmp_path):
    page = Page(url="https://clinic.test/", title="Home", links=(
        Link("https://clinic.test/gone"), Link("https://clinic.test/new-gone"), Link("https://clinic.test/fixed")))
    fetches = [Fetch(url=page.url, status=200), Fetch(url="https://clinic.test/gone", status=404),
               Fetch(url="https://clinic.test/new-gone", status=404), Fetch(url="https://clinic.test/fixed", status=200)]
    config = from_dict({"site": {"start_urls": ["https://clinic.test/"]},
                        "rules": {r: "off" for r in registry.load() if r != "broken-link"}})
    site = Site.build([page], fetches, config)
    before = [finding(url=page.url, target="https://clinic.test/gone"),
              finding(url=page.url, target="https://clinic.test/fixed")]
    baseline = load_baseline(write_baseline(before, tmp_path / "b.json"))
    report = audit(site, baseline=baseline)
    new = [f for f in report.findings if f.target == "https://clinic.test/new-gone"]
    assert [f.target for f in report.findings] == [
        "https://clinic.test/gone", "https://clinic.test/new-gone"]  # all findings stay in the report
    assert report.baseline_new == new and report.failing(Severity.ERROR) == new
    assert [e["target"] for e in report.fixed] == ["https://clinic.test/fixed"]
    stats = report.to_dict()["stats"]
    assert stats["baselined"] == 1 and stats["fixed"] == 1 and stats["new"] == len(report.baseline_new)
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.baselined = 0  # finished by audit(); nothing edits it afterwards


@pytest.mark.parametrize("content, words", [
    (None, "not found"),
    ("{not json", "not valid JSON"),
    ('{"tool": "other", "findings": []}', "not a siteproof baseline"),
    ('{"tool": "siteproof", "version": 99, "findings": []}', "version"),
    ('{"tool": "siteproof", "version": 1, "findings": [{"rule": "x"}]}', "no fingerprint"),
])
def test_bad_baseline_is_a_one_line_config_error(tmp_path, content, words):
    path = tmp_path / "baseline.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ConfigError) as err:
        load_baseline(path)
    assert words in str(err.value) and "\n" not in str(err.value)


def test_partial_runs_only_call_checked_pages_fixed(tmp_path):
    on_a = finding(url="https://clinic.test/blog/a/", target="https://clinic.test/gone")
    on_b = finding(url="https://clinic.test/blog/b/", target="https://clinic.test/gone")
    baseline = load_baseline(write_baseline([on_a, on_b], tmp_path / "b.json"))
    # only /blog/a was checked this time (a pre-commit run), and its problem is gone
    remaining, baselined, fixed = apply_baseline([], baseline, checked=["https://staging.test/blog/a"])
    assert (remaining, baselined) == ([], 0)
    assert [e["url"] for e in fixed] == ["https://clinic.test/blog/a/"]
    assert len(apply_baseline([], baseline)[2]) == 2
