"""Whether a run deserves an alert, and what the alert says.

Pure: it reads what changed since the last run (the history's ``since_last``)
and returns text. Sending it is crawler/notify.py's job, which does the network
I/O; keeping the decision here lets it be tested without any server.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Optional, Sequence

from audits.model import Severity
from audits.report.common import by_target_records

TOP = 10  # new findings listed in the message; the rest are counted
_MESSAGE_CHARS = 200  # a finding's message is cut here so a chat alert stays readable

# The lowest severity of a *new* finding that triggers an alert, per [notify] on.
_THRESHOLD = {"new-errors": Severity.ERROR, "new-warnings": Severity.WARNING}


@dataclass(frozen=True)
class Alert:
    title: str
    body: str


def should_notify(on: str, new: Sequence[dict]) -> bool:
    """``on`` is [notify] on: new-errors | new-warnings | always | never; ``new`` are finding objects."""
    if on == "always":
        return True
    threshold = _THRESHOLD.get(on)
    return threshold is not None and any(_severity(f).rank >= threshold.rank for f in new)


def compose(site: str, *, base: Optional[str], new: Sequence[dict], fixed: int, open: int,
            report: Optional[str]) -> Alert:
    """The alert for one run.

    ``base`` is the run compared against (None on a site's first run, when every
    finding is new), ``new`` the report.json finding objects not in it, ``fixed``
    and ``open`` counts, ``report`` where the report was written (None when no
    output folder was kept).
    """
    new = sorted(new, key=lambda f: -_severity(f).rank)  # stable: the history's order within a severity
    by_severity = Counter(_severity(f) for f in new)
    errors = by_severity[Severity.ERROR]
    if errors:
        headline = f"{errors} new error{'s' if errors != 1 else ''}"
    elif new:
        headline = f"{len(new)} new finding{'s' if len(new) != 1 else ''}"
    else:
        headline = "nothing new"
    lines = [f"siteproof crawled {site}"]
    if base is None:
        lines.append(f"First recorded crawl of this site: all {len(new)} findings are new.")
    else:
        lines.append(f"Since the last crawl ({base}): {len(new)} new, {fixed} fixed, {open} still open.")
    if new:
        split = ", ".join(f"{by_severity[s]} {s.value}{'s' if by_severity[s] != 1 else ''}"
                          for s in Severity if by_severity[s])
        lines += ["", f"New ({split}), worst first:"]
        # One template link that broke on every page is one entry, not the first TOP of a thousand.
        repeated, single = by_target_records(new)
        entries = []
        for rule, target, group in repeated:
            worst = max(group, key=lambda f: _severity(f).rank)
            pages = len({f["url"] for f in group})
            entries.append((_severity(worst).rank, [f"- [{worst['severity']}] {rule} {target} on {pages} pages",
                                                    f"  e.g. {_cut(worst['message'])}"]))
        entries += [(_severity(f).rank, [f"- [{f['severity']}] {f['rule']} on {f['url']}", f"  {_cut(f['message'])}"])
                    for f in single]
        entries.sort(key=lambda entry: -entry[0])  # stable: groups, most pages first, before single findings
        for _rank, entry in entries[:TOP]:
            lines += entry
        if len(entries) > TOP:
            lines.append(f"…and {len(entries) - TOP} more in the report.")
    lines += ["", f"Report: {report}" if report else "Report: not written (run with --out to keep one)."]
    return Alert(title=f"siteproof: {headline} on {site}", body="\n".join(lines) + "\n")


def _severity(finding: dict) -> Severity:
    return Severity(finding["severity"])


def _cut(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_CHARS else text[: _MESSAGE_CHARS - 1] + "…"
