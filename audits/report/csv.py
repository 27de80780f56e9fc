"""findings.csv: one row per finding, contract columns first, extras after."""
from __future__ import annotations

import csv as _csv
import io
import json

from audits.site import Report

FORMAT = "csv"
FILENAME = "findings.csv"
COLUMNS = ("rule", "severity", "url", "target", "message", "line", "source_path", "evidence", "fingerprint", "baselined")


def render(report: Report, **_opts) -> str:
    out = io.StringIO()
    writer = _csv.writer(out)
    writer.writerow(COLUMNS)
    known = report.known_ids()
    for f in report.findings:
        writer.writerow([
            f.rule,
            f.severity.value,
            f.url,
            f.target or "",
            f.message,
            "" if f.line is None else f.line,
            f.source_path or "",
            json.dumps(f.evidence or {}, ensure_ascii=False, separators=(",", ":"), sort_keys=True, default=str),
            report.fingerprint(f),
            "yes" if id(f) in known else "",
        ])
    return out.getvalue()
