"""Recording a run: open it when a crawl starts, finish it with the Report, say what changed.

``Recorder.start`` inserts the run as running (a crawl killed after this stays
incomplete); ``Recorder.finish`` stores the run's snapshot, marks it complete or
partial, and returns the report's ``since_last`` and ``trend``: both computed
here once, so renderers only render them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from audits import __version__
from audits.history.diff import Changes, compare
from audits.history.facts import digest, snapshot
from audits.history.store import HistoryStore, Run

TREND_RUNS = 12  # runs shown in the trend chart


def config_fingerprint(config) -> str:
    data = config.to_dict()
    for key in ("source", "history", "notify"):  # where the config, history and alerts go change no finding
        data.pop(key, None)
    return digest(data)


def since_last(base: Optional[Run], changes: Changes) -> Optional[dict[str, Any]]:
    """report.json's ``since_last``: the contract's counts, and the findings behind them."""
    if base is None:
        return None
    return {"base": base.name, "new": len(changes.new), "fixed": len(changes.fixed), "open": changes.open,
            "base_started_at": base.started_at, "new_findings": changes.new, "fixed_findings": changes.fixed}


def trend_point(run: Run) -> dict[str, Any]:
    return {"run": run.name, "started_at": run.started_at, "complete": run.complete,
            "findings": dict(run.findings), "median_grade": run.median_grade}


@dataclass
class Recorder:
    store: HistoryStore
    run_id: int

    @property
    def run_name(self) -> str:
        return f"r{self.run_id}"

    @classmethod
    def start(cls, store: HistoryStore, *, site: str, command: str, started_at: str, config,
              out: Optional[str]) -> "Recorder":
        run_id = store.begin_run(site=site, command=command, started_at=started_at, tool_version=__version__,
                                 config_fingerprint=config_fingerprint(config), out=out)
        return cls(store, run_id)

    def finish(self, report, *, partial_reason: Optional[str] = None) -> "Recorded":
        """Store the run; return what the report says about its past."""
        snap = snapshot(report)
        site = report.site if report.site is not None else self.store.run(self.run_id).site
        previous = self.store.runs(site, complete_only=True, before=self.run_id, limit=1)
        base = previous[0] if previous else None
        base_snap = self.store.load(base.id) if base else None
        self.store.finish_run(self.run_id, snap, finished_at=report.finished_at, partial_reason=partial_reason,
                              links_checked=report.links_checked, site=report.site,
                              stats={"links_checked": report.links_checked, "partial": bool(partial_reason)},
                              like=(base.id, base_snap) if base else None)
        head = self.store.run(self.run_id)
        changes = compare(base_snap, snap, head_partial=not head.complete)
        recent = self.store.runs(head.site, complete_only=True, before=self.run_id, limit=TREND_RUNS - 1)
        trend = [trend_point(r) for r in reversed(recent)] + [trend_point(head)]
        return Recorded(run=head, since_last=since_last(base, changes), trend=trend, changes=changes)


@dataclass(frozen=True)
class Recorded:
    run: Run
    since_last: Optional[dict]  # None on the site's first run
    trend: list[dict]  # oldest first, this run last
    changes: Changes  # against the last complete run (every finding new on a first run)
