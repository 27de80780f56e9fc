"""SARIF 2.1.0 for code-scanning UIs (GitHub, Azure DevOps, IDEs).

Every registered rule is listed in ``tool.driver.rules`` (so a viewer can show
docs for rules that found nothing); results point at the local file and line
when the page came from one (``siteproof check``), otherwise at the page URL.
"""
from __future__ import annotations

import json
import re
from urllib.parse import quote

from audits import __version__, registry
from audits.site import Report
from audits.model import Finding
from audits.report.common import rule_meta, rules_in_order
from audits.report.fingerprint import VERSION as FINGERPRINT_VERSION

FORMAT = "sarif"
FILENAME = "report.sarif"
SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/siteproof/siteproof"

LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _plain_text(markdown: str) -> str:
    return re.sub(r"\*\*(.+?)\*\*|`([^`]*)`", lambda m: m.group(1) or m.group(2), markdown)


def _rule_descriptor(rule_id: str) -> dict:
    meta = rule_meta(rule_id)
    docs = meta["docs"] or meta["description"]
    return {
        "id": rule_id,
        "name": "".join(part.capitalize() for part in rule_id.split("-")),
        "shortDescription": {"text": meta["description"]},
        "fullDescription": {"text": _plain_text(docs), "markdown": docs},
        "help": {"text": _plain_text(docs), "markdown": docs},
        "helpUri": meta["help_uri"],
        "defaultConfiguration": {"level": LEVELS[meta["severity"]]},
        "properties": {"tags": ["siteproof", meta["scope"] or "site"], "status": meta["status"]},
    }


def _artifact_uri(path: str) -> str:
    # SARIF wants a URI reference; keep it relative so code scanning maps it onto the repo.
    path = path.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return quote(path, safe="/:@!$&'()*+,;=-._~")


def _location(f: Finding) -> dict:
    if f.source_path:
        physical: dict = {"artifactLocation": {"uri": _artifact_uri(f.source_path)}}
        if f.line:
            physical["region"] = {"startLine": int(f.line)}
    else:
        physical = {"artifactLocation": {"uri": f.url}}
        if f.line:
            physical["region"] = {"startLine": int(f.line)}
    return {"physicalLocation": physical, "logicalLocations": [{"fullyQualifiedName": f.url, "kind": "resource"}]}


def render(report: Report, **_opts) -> str:
    ids = list(registry.load())
    findings = report.gating()
    ids += [r for r in rules_in_order(findings) if r not in ids]
    index = {rule_id: i for i, rule_id in enumerate(ids)}
    results = []
    for f in findings:
        results.append({
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": LEVELS[f.severity.value],
            "message": {"text": f.message or f.rule},
            "locations": [_location(f)],
            "partialFingerprints": {f"siteproofFingerprint/v{FINGERPRINT_VERSION}": report.fingerprint(f)},
            "properties": {"url": f.url, "target": f.target, "severity": f.severity.value,
                           "evidence": f.evidence or {}},
        })
    run = {
        "tool": {"driver": {
            "name": "siteproof",
            "version": __version__,
            "semanticVersion": __version__,
            "informationUri": INFORMATION_URI,
            "rules": [_rule_descriptor(r) for r in ids],
        }},
        "automationDetails": {"id": f"siteproof/{report.site}"},
        "invocations": [{
            "executionSuccessful": True,
            "startTimeUtc": report.started_at,
            "endTimeUtc": report.finished_at,
        }],
        "originalUriBaseIds": {},
        "results": results,
        "properties": {"site": report.site, "pages": len(report.pages), "linksChecked": report.links_checked,
                       "baselined": report.baselined},
    }
    if not run["originalUriBaseIds"]:
        del run["originalUriBaseIds"]
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2,
                      ensure_ascii=False, default=str) + "\n"
