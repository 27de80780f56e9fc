"""Report renderers: one pure ``render(report, **opts) -> str`` per format, and one writer.

``FORMATS`` maps a format name to its renderer; ``write_reports`` is the only
code that writes report files. report.json, findings.csv and report.html are
the contract's outputs and are always written; other formats are added on
request.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable

from audits.config import ConfigError
from audits.forked import Forked, worth_forking
from audits.site import Report
from audits.report import csv, github, html, json, junit, markdown, sarif, text
from audits.report.common import SEVERITY_ORDER, plural, rules_in_order, severity_counts
from audits.report.fingerprint import fingerprint

__all__ = ["FORMATS", "CONTRACT_FORMATS", "Renderer", "render", "write_reports", "summary_text", "fingerprint"]


class ReportWriteError(ConfigError):
    """A report file could not be written (a full disk, no permission): one line, exit 2."""


@dataclass(frozen=True)
class Renderer:
    name: str
    filename: str
    module: ModuleType

    @property
    def render(self) -> Callable[..., str]:
        return self.module.render


FORMATS: dict[str, Renderer] = {
    m.FORMAT: Renderer(m.FORMAT, m.FILENAME, m)
    for m in (json, csv, html, sarif, junit, github, markdown, text)
}
CONTRACT_FORMATS = ("json", "csv", "html")


def _renderer(fmt: str) -> Renderer:
    if fmt not in FORMATS:
        raise ConfigError(f"unknown report format {fmt!r} (choose from {', '.join(FORMATS)})")
    return FORMATS[fmt]


def render(report: Report, fmt: str, **opts: Any) -> str:
    return _renderer(fmt).render(report, **opts)


def write_reports(report: Report, out_dir: Path | str, formats: Iterable[str] = CONTRACT_FORMATS,
                  **opts: Any) -> list[Path]:
    """Write the contract's three files plus any other formats asked for; return the paths.

    Options (``fail_on``, ``color``...) go to every renderer; each takes what it knows.
    Each file is written to a temporary name and renamed, so a reader never sees half a report.
    """
    names = list(dict.fromkeys([*CONTRACT_FORMATS, *formats]))
    renderers = [_renderer(n) for n in names]  # fail on a bad name before writing anything
    out = Path(out_dir)
    # report.json of a large site (its links table: 77,000 rows on 2,000 pages) is written by a
    # forked child while this process writes the others: about as long as report.html takes.
    apart = {"json": Forked(_write, report, out, FORMATS["json"], opts)} \
        if worth_forking(len(report.pages)) else {}
    try:
        written = [_write(report, out, r, opts) if r.name not in apart else r.name for r in renderers]
    finally:
        done = {name: forked.result() for name, forked in apart.items()}
    return [done.get(w, w) for w in written]


def _write(report: Report, out: Path, r: Renderer, opts: dict[str, Any]) -> Path:
    kwargs = {**opts, "color": False} if r.name == "text" else opts
    # A renderer may offer its output in pieces (report.json of a large crawl).
    pieces = r.module.chunks(report, **kwargs) if hasattr(r.module, "chunks") else [r.render(report, **kwargs)]
    path = out / r.filename
    try:
        _write_atomically(out, path, pieces)
    except OSError as exc:
        raise ReportWriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def remove_reports(out_dir: Path | str) -> None:
    """Delete every report file a run may have left in ``out_dir``, before a new run writes there."""
    for r in FORMATS.values():
        (Path(out_dir) / r.filename).unlink(missing_ok=True)


def _write_atomically(out: Path, path: Path, pieces: Iterable[str]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.writelines(pieces)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _first(unaudited: dict) -> str:
    url, why = next(iter(unaudited.items()))
    more = f" and {len(unaudited) - 1:,} more" if len(unaudited) > 1 else ""
    return f"{url} ({why}){more}"


def summary_text(report: Report, out_dir: Path | str | None = None) -> str:
    """What the CLI prints when it is done: scale, findings by severity and rule, where to look."""
    counts = report.counts()
    total = sum(counts.values())
    sev = ", ".join(plural(counts.get(s, 0), s, "info" if s == "info" else None) for s in SEVERITY_ORDER)
    reason = report.partial_reason
    crawled = report.crawled and (reason or not report.partial)
    lines = [f"siteproof: {plural(len(report.pages), 'page')} {'crawled' if crawled else 'read'}, "
             f"{plural(report.links_checked, 'link')} checked, {plural(total, 'finding')} ({sev})"]
    if reason:
        unreached = len((report.crawl or {}).get("unreached", ()))
        lines.append(f"  PARTIAL: {reason}" + (f"; {plural(unreached, 'page')} never reached" if unreached else "")
                     + "; orphan-page was not judged")
    unaudited = (report.crawl or {}).get("unaudited") or {}
    if unaudited:
        lines.append(f"  NOT AUDITED: {plural(len(unaudited), 'page')} could not be fetched after retries "
                     f"(report.json crawl.unaudited): {_first(unaudited)}")
    by_rule = report.by_rule()
    if by_rule:
        width = max(len(r) for r in by_rule)
        for rule_id in rules_in_order(report.findings):
            worst = max((f.severity for f in report.findings if f.rule == rule_id), key=lambda s: s.rank)
            lines.append(f"  {rule_id:<{width}}  {by_rule[rule_id]:>6,}  {worst.value}")
    if report.baseline_new is not None:
        new = severity_counts(report.baseline_new)
        lines.append(f"  baseline: {plural(len(report.baseline_new), 'new finding')} ({new['error']:,} error, "
                     f"{new['warning']:,} warning, {new['info']:,} info); {report.baselined:,} known; "
                     f"{len(report.fixed):,} fixed")
    since = (report.history or {}).get("since_last")
    if since:
        lines.append(f"  since the last crawl ({since['base']}): {since['new']:,} new, {since['fixed']:,} fixed, "
                     f"{since['open']:,} still open")
    if out_dir is not None:
        lines.append(f"Report: {Path(out_dir) / html.FILENAME}")
    return "\n".join(lines) + "\n"
