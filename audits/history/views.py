"""`siteproof history` and `siteproof diff` output: text, json, csv, markdown, html.

Each view is a pure function of the runs (and, for a diff, its Changes).
"""
from __future__ import annotations

import csv as _csv
import html as _html
import io
import json as _json
from typing import Any, Callable, Optional

from audits.history.diff import Changes
from audits.history.store import Run

SEVERITIES = ("error", "warning", "info")
FIELD_LABELS = {"status": "status", "title": "title", "meta_description": "meta description", "h1": "h1",
                "canonical": "canonical", "word_count": "word count", "grade": "grade", "body": "body text"}


def _status(run: Run) -> str:
    return run.status + (f" ({run.reason})" if run.reason else "")


# ---------------------------------------------------------------- history

def history_json(runs: list[Run]) -> str:
    return _json.dumps({"runs": [r.to_dict() for r in runs]}, indent=1, ensure_ascii=False) + "\n"


def history_csv(runs: list[Run]) -> str:
    buf = io.StringIO()
    writer = _csv.writer(buf, lineterminator="\n")
    writer.writerow(["run", "site", "command", "started_at", "finished_at", "complete", "status", "reason",
                     "pages", *SEVERITIES, "by_rule", "out"])
    for r in runs:
        writer.writerow([r.name, r.site, r.command, r.started_at, r.finished_at or "", str(r.complete).lower(),
                         r.status, r.reason or "", r.pages, *(r.findings[s] for s in SEVERITIES),
                         ";".join(f"{rule}={n}" for rule, n in r.by_rule.items()), r.out or ""])
    return buf.getvalue()


def history_text(runs: list[Run]) -> str:
    if not runs:
        return "No runs recorded.\n"
    lines = []
    for r in runs:
        counts = ", ".join(f"{r.findings[s]:,} {s}" for s in SEVERITIES)
        lines.append(f"{r.name:<6} {r.started_at}  {r.command:<5}  {_status(r):<10}  {r.site}  "
                     f"{r.pages:,} pages; {counts}")
        top = sorted(r.by_rule.items(), key=lambda kv: (-kv[1], kv[0]))
        if top:
            lines.append("       " + ", ".join(f"{rule} {n:,}" for rule, n in top))
    return "\n".join(lines) + "\n"


HISTORY: dict[str, Callable[[list[Run]], str]] = {"text": history_text, "json": history_json, "csv": history_csv}


# ---------------------------------------------------------------- diff

def _header(run: Optional[Run]) -> Optional[dict[str, Any]]:
    if run is None:
        return None
    return {"run": run.name, "started_at": run.started_at, "complete": run.complete, "pages": run.pages,
            "status": run.status, "site": run.site, "out": run.out}


def diff_dict(base: Optional[Run], head: Run, changes: Changes) -> dict[str, Any]:
    return {"base": _header(base), "head": _header(head), **changes.to_dict()}


def diff_json(base: Optional[Run], head: Run, changes: Changes) -> str:
    return _json.dumps(diff_dict(base, head, changes), indent=1, ensure_ascii=False) + "\n"


def _value(name: str, value) -> str:
    if name == "body":
        return "…" if value is None else str(value)[:8]
    return "(none)" if value in (None, "") else str(value).replace("\n", " | ")


def _finding_line(f: dict) -> str:
    target = f" -> {f['target']}" if f.get("target") else ""
    return f"{f['severity']:<7} {f['rule']}  {f['url']}{target}  {f['message']}"


def _title(base: Optional[Run], head: Run) -> str:
    if base is None:
        return f"{head.site}: {head.name} ({head.started_at}), the first run: every finding is new"
    return f"{head.site}: {base.name} ({base.started_at}) -> {head.name} ({head.started_at})"


def diff_text(base: Optional[Run], head: Run, changes: Changes) -> str:
    c = changes
    out = [_title(base, head)]
    if not head.complete:
        out.append(f"  {head.name} is {_status(head)}: pages it did not fetch are neither removed nor fixed")
    out.append(f"Findings: {len(c.new):,} new, {len(c.fixed):,} fixed, {c.open:,} still open")
    for label, items in (("New", c.new), ("Fixed", c.fixed)):
        if items:
            out += [f"\n{label} findings:"] + [f"  {_finding_line(f)}" for f in items]
    out.append(f"\nPages: {len(c.added):,} added, {len(c.removed):,} removed, {len(c.changed):,} changed")
    out += [f"  + {u}" for u in c.added] + [f"  - {u}" for u in c.removed]
    for page in c.changed:
        out.append(f"  ~ {page['url']}")
        out += [f"      {FIELD_LABELS[n]}: {_value(n, a)} -> {_value(n, b)}" for n, (a, b) in page["fields"].items()]
    out.append(f"\nLink targets whose outcome changed: {len(c.links):,}")
    out += [f"  {l['target']}: {_outcome(l['before'])} -> {_outcome(l['after'])}" for l in c.links]
    return "\n".join(out) + "\n"


def _outcome(o: dict) -> str:
    text = o.get("error") or str(o.get("status"))
    return text + (f" to {o['final_url']}" if o.get("final_url") else "")


def diff_markdown(base: Optional[Run], head: Run, changes: Changes) -> str:
    from audits.report.markdown import cell, link  # imports every renderer: only for this format

    c = changes
    out = [f"## {cell(_title(base, head))}", "",
           f"**{len(c.new):,} new**, {len(c.fixed):,} fixed, {c.open:,} still open findings; "
           f"{len(c.added):,} pages added, {len(c.removed):,} removed, {len(c.changed):,} changed; "
           f"{len(c.links):,} link targets changed.", ""]
    for label, items in (("New findings", c.new), ("Fixed findings", c.fixed)):
        if items:
            out += [f"### {label}", "", "| Severity | Rule | Page | Target | Message |", "| --- | --- | --- | --- | --- |"]
            out += [f"| {f['severity']} | `{f['rule']}` | {link(f['url'])} | {link(f['target']) if f.get('target') else ''} "
                    f"| {cell(f['message'])} |" for f in items]
            out.append("")
    if c.added or c.removed or c.changed:
        out += ["### Pages", "", "| Page | Change |", "| --- | --- |"]
        out += [f"| {link(u)} | added |" for u in c.added] + [f"| {link(u)} | removed |" for u in c.removed]
        out += [f"| {link(p['url'])} | " + "; ".join(f"{FIELD_LABELS[n]}: {cell(_value(n, a))} → {cell(_value(n, b))}"
                                                      for n, (a, b) in p["fields"].items()) + " |" for p in c.changed]
        out.append("")
    if c.links:
        out += ["### Link targets", "", "| Target | Before | After |", "| --- | --- | --- |"]
        out += [f"| {link(l['target'])} | {cell(_outcome(l['before']))} | {cell(_outcome(l['after']))} |" for l in c.links]
        out.append("")
    return "\n".join(out)


def diff_html(base: Optional[Run], head: Run, changes: Changes) -> str:
    e = _html.escape
    c = changes
    parts = ["<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>siteproof diff</title>",
             "<style>body{font:15px/1.5 system-ui,sans-serif;margin:2rem;max-width:75rem}table{border-collapse:collapse;"
             "margin-bottom:1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}"
             ".error{color:#b00020}.warning{color:#a15c00}</style>",
             f"<h1>{e(_title(base, head))}</h1>",
             f"<p><strong>{len(c.new):,} new</strong>, {len(c.fixed):,} fixed, {c.open:,} still open findings; "
             f"{len(c.added):,} pages added, {len(c.removed):,} removed, {len(c.changed):,} changed; "
             f"{len(c.links):,} link targets changed.</p>"]
    for label, items in (("New findings", c.new), ("Fixed findings", c.fixed)):
        if items:
            parts.append(f"<h2>{label}</h2><table><tr><th>Severity</th><th>Rule</th><th>Page</th><th>Target</th><th>Message</th></tr>")
            parts += [f"<tr><td class=\"{e(f['severity'])}\">{e(f['severity'])}</td><td>{e(f['rule'])}</td>"
                      f"<td>{e(f['url'])}</td><td>{e(f.get('target') or '')}</td><td>{e(f['message'])}</td></tr>" for f in items]
            parts.append("</table>")
    if c.added or c.removed or c.changed:
        parts.append("<h2>Pages</h2><table><tr><th>Page</th><th>Change</th></tr>")
        parts += [f"<tr><td>{e(u)}</td><td>added</td></tr>" for u in c.added]
        parts += [f"<tr><td>{e(u)}</td><td>removed</td></tr>" for u in c.removed]
        parts += [f"<tr><td>{e(p['url'])}</td><td>" + "<br>".join(
            f"{FIELD_LABELS[n]}: {e(_value(n, a))} → {e(_value(n, b))}" for n, (a, b) in p["fields"].items()) + "</td></tr>"
            for p in c.changed]
        parts.append("</table>")
    if c.links:
        parts.append("<h2>Link targets</h2><table><tr><th>Target</th><th>Before</th><th>After</th></tr>")
        parts += [f"<tr><td>{e(l['target'])}</td><td>{e(_outcome(l['before']))}</td><td>{e(_outcome(l['after']))}</td></tr>"
                  for l in c.links]
        parts.append("</table>")
    return "\n".join(parts) + "\n</html>\n"


DIFF: dict[str, Callable[[Optional[Run], Run, Changes], str]] = {
    "text": diff_text, "json": diff_json, "markdown": diff_markdown, "html": diff_html}
