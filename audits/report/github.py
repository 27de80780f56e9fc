"""GitHub Actions workflow commands: one annotation line per finding.

``::error file=PATH,line=N,title=RULE::MESSAGE``. Findings from a local file
carry file= and line=; crawled pages have no file, so the page URL goes in the
message instead. Escaping follows @actions/core: the message escapes % CR LF,
property values also escape : and ,.
"""
from __future__ import annotations

from audits.report.common import visible
from audits.site import Report

FORMAT = "github"
FILENAME = "annotations.txt"

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, **_opts) -> str:
    lines = []
    for f in report.gating():
        props = []
        if f.source_path:
            props.append(f"file={escape_property(f.source_path.replace(chr(92), '/'))}")
            if f.line:
                props.append(f"line={int(f.line)}")
            message = f.message
        else:
            message = f"{f.url}: {f.message}"
        if f.target and f.target not in message:
            message += f" [{f.target}]"
        props.append(f"title={escape_property(f.rule)}")
        lines.append(f"::{COMMANDS[f.severity.value]} {','.join(props)}::{escape_data(visible(message))}")
    return "\n".join(lines) + ("\n" if lines else "")
