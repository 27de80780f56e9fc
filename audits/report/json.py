"""report.json: the contract shape (report.to_dict()), one list item a line.

Fields may be added but never renamed or dropped; each finding also carries
its ``fingerprint`` (see fingerprint.py) so baselines and CI can match findings
across runs.
"""
from __future__ import annotations

import json as _json
from typing import Iterator

from audits.site import LinkRows, Report
from audits.report.common import duplicate_groups

FORMAT = "json"
FILENAME = "report.json"


def render(report: Report, **opts) -> str:
    return "".join(chunks(report, **opts))


def chunks(report: Report, **_opts) -> Iterator[str]:
    """report.json in pieces, so a large crawl's file is written without one giant string."""
    data = report.to_dict(lazy_links=True)
    known = report.known_ids()
    for entry, finding in zip(data.get("findings", []), report.findings):
        entry.setdefault("fingerprint", report.fingerprint(finding))
        if report.baseline_new is not None:
            entry.setdefault("baselined", id(finding) in known)
    data["duplicate_groups"] = duplicate_groups(report.findings)
    return _layout(data)


# One encoder for the whole file: json.dumps builds a new one per call, and a 2,000-page
# crawl's links table is 77,000 calls.
_ENCODER = _json.JSONEncoder(ensure_ascii=False, default=str)


def _dumps(value) -> str:
    return _ENCODER.encode(value)


def _layout(data: dict) -> Iterator[str]:
    """Top-level keys on their own lines and each list item on one line.

    Readable and diff-friendly, yet encoded by json's C encoder: indent=2 falls
    back to the pure-Python encoder, which took seconds and hundreds of MB on a
    2,000-page crawl's links table.
    """
    yield "{\n"
    for i, (key, value) in enumerate(data.items()):
        yield ",\n" if i else ""
        if isinstance(value, (list, LinkRows)) and value:
            yield f"  {_dumps(key)}: [\n"
            for j, item in enumerate(value):
                yield (",\n    " if j else "    ") + _dumps(item)
            yield "\n  ]"
        else:
            yield f"  {_dumps(key)}: {_dumps(value)}"
    yield "\n}\n"
