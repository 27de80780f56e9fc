"""report.json: the contract shape (report.to_dict()), pretty-printed.

Fields may be added but never renamed or dropped; each finding also carries
its ``fingerprint`` (see fingerprint.py) so baselines and CI can match findings
across runs.
"""
from __future__ import annotations

import json as _json

from audits.engine import Report
from audits.report.common import known_ids
from audits.report.fingerprint import fingerprint

FORMAT = "json"
FILENAME = "report.json"


def render(report: Report, **_opts) -> str:
    data = report.to_dict()
    known = known_ids(report)
    for entry, finding in zip(data.get("findings", []), report.findings):
        entry.setdefault("fingerprint", fingerprint(finding))
        if report.baseline_new is not None:
            entry.setdefault("baselined", id(finding) in known)
    return _json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"
