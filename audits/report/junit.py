"""JUnit XML for CI test dashboards.

One <testsuite> per rule; one <testcase> per (page, rule) with a <failure> for
each finding at or above ``fail_on`` (default error) and lower-severity
findings as <system-out>. Enabled rules with no findings get one passing case
so a dashboard shows what was checked. A suite's ``failures`` counts failing
test cases, as JUnit consumers expect.
"""
from __future__ import annotations

import xml.etree.ElementTree as ET

from audits import registry
from audits.site import Report
from audits.report.common import parse_severity, rule_meta, rules_in_order, xml_safe

FORMAT = "junit"
FILENAME = "junit.xml"


def _enabled_rules(report: Report) -> list[str]:
    out = []
    for rule in registry.load().values():
        try:
            if report.config.effective_severity(rule) is not None:
                out.append(rule.id)
        except Exception:  # a stub config in a caller's test; every rule counts as enabled
            out.append(rule.id)
    return out


def _seconds(report: Report) -> str:
    from datetime import datetime

    try:
        start = datetime.fromisoformat(report.started_at.replace("Z", "+00:00"))
        end = datetime.fromisoformat(report.finished_at.replace("Z", "+00:00"))
        return f"{max((end - start).total_seconds(), 0):.3f}"
    except (ValueError, AttributeError):
        return "0"


def render(report: Report, *, fail_on="error", **_opts) -> str:
    threshold = parse_severity(fail_on)
    by_rule: dict[str, dict[tuple[str, str], list]] = {}
    findings = report.gating()
    for f in findings:
        by_rule.setdefault(f.rule, {}).setdefault((f.url, f.source_path or ""), []).append(f)
    rule_ids = rules_in_order(findings)
    rule_ids += [r for r in _enabled_rules(report) if r not in by_rule]

    root = ET.Element("testsuites", name="siteproof", time=_seconds(report))
    total_tests = total_failures = 0
    for rule_id in rule_ids:
        meta = rule_meta(rule_id)
        suite = ET.SubElement(root, "testsuite", name=rule_id, timestamp=report.started_at or "")
        ET.SubElement(ET.SubElement(suite, "properties"), "property", name="description",
                      value=xml_safe(meta["description"]))
        cases = by_rule.get(rule_id) or {}
        tests = failures = 0
        if not cases:
            ET.SubElement(suite, "testcase", name=xml_safe(report.site or "site"), classname=rule_id)
            tests = 1
        for (url, source_path), findings in sorted(cases.items()):
            tests += 1
            case = ET.SubElement(suite, "testcase", name=xml_safe(url), classname=rule_id)
            if source_path:
                case.set("file", xml_safe(source_path))
                lines = [f.line for f in findings if f.line]
                if lines:
                    case.set("line", str(min(lines)))
            failing = [f for f in findings if f.severity.rank >= threshold.rank]
            passing = [f for f in findings if f.severity.rank < threshold.rank]
            for f in failing:
                fail = ET.SubElement(case, "failure", type=f.severity.value, message=xml_safe(f.message))
                detail = [f"{f.severity.value} {rule_id}: {f.message}", f"page: {f.url}"]
                if f.target:
                    detail.append(f"target: {f.target}")
                if f.source_path:
                    detail.append(f"file: {f.source_path}" + (f":{f.line}" if f.line else ""))
                detail.append(f"docs: {meta['help_uri']}")
                fail.text = xml_safe("\n".join(detail))
            if passing:
                out = ET.SubElement(case, "system-out")
                out.text = xml_safe("\n".join(
                    f"{f.severity.value} {rule_id}: {f.message}" + (f" [{f.target}]" if f.target else "")
                    + (f" (line {f.line})" if f.line else "")
                    for f in passing))
            if failing:
                failures += 1
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests += tests
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
