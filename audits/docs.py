"""Rule documentation generated from the registry (docs/rules.md).

`python -m audits.docs` rewrites docs/rules.md; a test fails when it is stale,
so the docs can never drift from the rules' own docstrings.
"""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from audits import registry

DOCS_FILE = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def _options_table(name: str) -> list[str]:
    cls = registry.OPTIONS[name]
    lines = [f"Options, in `[audits.{name}]`:", ""]
    for f in dataclasses.fields(cls):
        default = f.default if f.default is not dataclasses.MISSING else f.default_factory()
        if isinstance(default, tuple):
            default = list(default)
        lines.append(f"- `{f.name}` (default `{default!r}`)")
    return lines + [""]


def rules_markdown() -> str:
    rules = registry.load()
    out = [
        "# Rules",
        "",
        "Generated from the rule registry by `python -m audits.docs`; do not edit by hand.",
        "Change a rule's severity or switch it off in `[rules]`, e.g. `phone-format = \"off\"`.",
        "",
        "| rule | severity | scope | fires when |",
        "| --- | --- | --- | --- |",
    ]
    for rule in rules.values():
        out.append(f"| [`{rule.id}`](#{rule.id}) | {rule.severity.value} | {rule.scope} | {rule.description} |")
    out.append("")
    for rule in rules.values():
        out += [f"## {rule.id}", "", f"Severity: **{rule.severity.value}** · {rule.scope} rule", "", rule.docs, ""]
        if rule.options:
            out += _options_table(rule.options)
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    DOCS_FILE.parent.mkdir(exist_ok=True)
    DOCS_FILE.write_text(rules_markdown(), encoding="utf-8")
    print(f"wrote {DOCS_FILE}", file=sys.stderr)
