"""A Markdown summary for a pull-request comment or a job summary ($GITHUB_STEP_SUMMARY)."""
from __future__ import annotations

import re
from urllib.parse import quote

from audits.site import Report
from audits.report import trend
from audits.report.common import SEVERITY_ORDER, by_target_records, one_line, rule_meta, rules_in_order, severity_counts

FORMAT = "markdown"
FILENAME = "summary.md"

ICONS = {"error": "🔴", "warning": "🟠", "info": "🔵"}
_INVISIBLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_SPECIAL = re.compile(r"([\\`*_{}\[\]|<>#!~])")


def cell(text) -> str:
    """Crawled text as literal Markdown: no tables broken, no HTML or links injected."""
    s = one_line(text, 200)
    return _SPECIAL.sub(lambda m: "&lt;" if m.group(1) == "<" else "&gt;" if m.group(1) == ">"
                        else "\\" + m.group(1), s)


def trusted(text: str) -> str:
    """Our own Markdown (rule descriptions): only keep it inside its table cell."""
    return one_line(text).replace("|", "\\|")


def link(url: str, label: str | None = None) -> str:
    if not url.startswith(("http://", "https://")):
        return cell(label or url)
    safe = url.replace(" ", "%20").replace("(", "%28").replace(")", "%29").replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    safe = _INVISIBLE.sub(lambda m: quote(m.group()), safe)
    return f"[{cell(label or url)}]({safe})"


def since_last(report: Report, max_findings: int) -> list[str]:
    """"Since the last crawl" (new findings first, then fixed) and the trend, when the run was recorded."""
    if report.history is None:
        return []
    since = report.history["since_last"]
    out = ["### Since the last crawl", ""]
    if since is None:
        out += ["The first recorded crawl of this site: every finding is new.", ""]
    else:
        out += [f"Compared with run {cell(since['base'])}: **{since['new']:,} new**, {since['fixed']:,} fixed, "
                f"{since['open']:,} still open.", ""]
        rows = []
        for change in ("new", "fixed"):
            # A target that changed on many pages is one row: its page count, and one page as the example.
            repeated, single = by_target_records(since.get(f"{change}_findings", []))
            rows += [(change, group[0], f"{len({f['url'] for f in group}):,} pages, e.g. {link(group[0]['url'])}",
                      target) for _rule, target, group in repeated]
            rows += [(change, f, link(f["url"]), f.get("target")) for f in single]
        if rows:
            out += ["| Change | Severity | Rule | Page | Target | Message |", "| --- | --- | --- | --- | --- | --- |"]
            for change, f, page, target in rows[:max_findings]:
                shown = (link(target) if target == f.get("target") else cell(target)) if target else ""
                out.append(f"| {change} | {ICONS.get(f['severity'], '')} {f['severity']} | `{f['rule']}` | {page} "
                           f"| {shown} | {cell(f['message'])} |")
            if len(rows) > max_findings:
                out.append(f"\n…and {len(rows) - max_findings:,} more in `report.json` (`since_last`).")
            out.append("")
    points = report.history["trend"]
    if len(points) > 1:
        out += [f"#### Trend over the last {len(points)} runs", "", trend.svg(points), "",
                "| Run | Started | Errors | Warnings | Info | Median article grade |", "| --- | --- | ---: | ---: | ---: | ---: |"]
        out += [f"| {cell(p['run'])} | {cell(p['started_at'])} | {p['findings'].get('error', 0):,} | "
                f"{p['findings'].get('warning', 0):,} | {p['findings'].get('info', 0):,} | "
                f"{'' if p.get('median_grade') is None else format(p['median_grade'], '.1f')} |" for p in points]
        out.append("")
    return out


def render(report: Report, *, max_findings: int = 50, **_opts) -> str:
    findings = report.gating()
    counts = severity_counts(findings)
    total = sum(counts.values())
    out = [f"## siteproof: {cell(report.site)}", ""]
    verdict = "No findings." if not total else f"**{total:,} findings** on {len(report.pages):,} pages."
    out += [f"{verdict} {report.links_checked:,} links checked; {cell(report.started_at)} → {cell(report.finished_at)}.", ""]
    out += ["| Severity | Findings |", "| --- | ---: |"]
    out += [f"| {ICONS[s]} {s} | {counts.get(s, 0):,} |" for s in SEVERITY_ORDER]
    out += [f"| **total** | **{total:,}** |", ""]
    out += since_last(report, max_findings)
    if report.baseline_new is not None:
        out += [f"Only findings new since the baseline are listed: {report.baselined:,} known ones hidden, "
                f"{len(report.fixed):,} fixed since.", ""]
    if not total:
        return "\n".join(out)

    out += ["### Findings by rule", "", "| Rule | Severity | Findings | Pages | What it checks |",
            "| --- | --- | ---: | ---: | --- |"]
    for rule_id in rules_in_order(findings):
        fs = [f for f in findings if f.rule == rule_id]
        meta = rule_meta(rule_id)
        worst = max(fs, key=lambda f: f.severity.rank).severity.value
        out.append(f"| {link(meta['help_uri'], rule_id)} | {ICONS[worst]} {worst} | {len(fs):,} | "
                   f"{len({f.url for f in fs}):,} | {trusted(meta['description'])} |")
    out.append("")

    shown = findings[:max_findings]
    out += [f"### Top findings ({len(shown):,} of {total:,})", "",
            "| Severity | Rule | Page | Target | Message |", "| --- | --- | --- | --- | --- |"]
    for f in shown:
        where = f.source_path + (f":{f.line}" if f.line else "") if f.source_path else None
        page = link(f.url, where)
        target = link(f.target) if f.target else ""
        out.append(f"| {ICONS[f.severity.value]} {f.severity.value} | `{f.rule}` | {page} | {target} | {cell(f.message)} |")
    if total > len(shown):
        out += ["", f"…and {total - len(shown):,} more in `report.html` / `findings.csv`."]
    return "\n".join(out) + "\n"
