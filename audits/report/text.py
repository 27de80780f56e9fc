"""Terminal output: problems repeated on many pages first (one line each), then the other
findings grouped by page, one line each, then totals.

``color=True`` adds ANSI colours; callers decide (a TTY, no NO_COLOR), so this
stays a pure function of the report.
"""
from __future__ import annotations

from audits.site import Report
from audits.report.common import SEVERITY_ORDER, by_target, duplicate_groups, one_line, plural, severity_counts

FORMAT = "text"
FILENAME = "report.txt"

_COLORS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def render(report: Report, *, color: bool = False, **_opts) -> str:
    def paint(code: str, s: str) -> str:
        return f"{code}{s}{_RESET}" if color else s

    findings_all = report.gating()
    repeated, single = by_target(findings_all)
    groups: dict[tuple[str, str], list] = {}
    for f in single:
        groups.setdefault((f.source_path or "", f.url), []).append(f)
    rule_width = max((len(f.rule) for f in findings_all), default=0)
    lines = []
    if repeated:
        lines.append(paint(_BOLD, "The same problem on many pages"))
        for rule, target, fs in repeated:
            pages = sorted({f.url for f in fs})
            sev = paint(_COLORS[fs[0].severity.value], f"{fs[0].severity.value:<7}")
            lines.append(f"  {sev}  {rule:<{rule_width}}  {one_line(target)} · {plural(len(pages), 'page')}")
            first = min(fs, key=lambda f: (f.url, f.line or 0))
            lines.append(paint(_DIM, f"           e.g. {one_line(first.url)}: {one_line(first.message)}"))
        lines.append("")
    for (source_path, url), findings in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        header = f"{source_path} ({url})" if source_path else url
        lines.append(paint(_BOLD, one_line(header)))
        for f in sorted(findings, key=lambda f: (f.line or 0, -f.severity.rank, f.rule, f.target or "")):
            where = str(f.line) if f.line else "-"
            sev = paint(_COLORS[f.severity.value], f"{f.severity.value:<7}")
            message = one_line(f.message)
            if f.target and f.target not in message:
                message += paint(_DIM, f"  [{one_line(f.target)}]")
            lines.append(f"  {where:>5}  {sev}  {f.rule:<{rule_width}}  {message}")
        lines.append("")
    groups = duplicate_groups(findings_all)
    if groups:
        lines.append(paint(_BOLD, "Shared values (each page above names its group)"))
        for g in groups:
            lines.append(f"  {g['rule']}  {g['group']}  {plural(len(g['pages']), 'page')}  "
                         f"{one_line(g['value'] or '', 100)}")
        lines.append("")
    counts = severity_counts(findings_all)
    total = sum(counts.values())
    parts = [paint(_COLORS[s], plural(counts.get(s, 0), s, "info" if s == "info" else None))
             for s in SEVERITY_ORDER]
    lines.append(f"{plural(total, 'finding')} ({', '.join(parts)}) on {plural(len(report.pages), 'page')}, "
                 f"{plural(report.links_checked, 'link')} checked")
    if report.baseline_new is not None:
        lines.append(f"{plural(report.baselined, 'known finding')} hidden by the baseline; {len(report.fixed):,} fixed.")
    return "\n".join(lines) + "\n"
