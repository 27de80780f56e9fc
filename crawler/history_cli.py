"""The history side of the CLI: recording runs, and the `history` and `diff` commands.

Imported by crawler/cli.py at start-up, so the database layer is imported only
when a command actually opens the store.
"""
from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Optional

from audits.config import Config, ConfigError, load_config

HISTORY_FORMATS = ("text", "json", "csv")
DIFF_FORMATS = ("text", "json", "markdown", "html")


def add_parsers(sub, history_option) -> None:
    p = sub.add_parser("history", help="list the recorded runs, newest first, with counts by severity and rule")
    p.add_argument("--site", metavar="URL", help="only this site's runs")
    p.add_argument("--format", choices=HISTORY_FORMATS, default="text", help="output format (default: text)")
    p.add_argument("--limit", type=int, metavar="N", help="at most N runs")
    p.add_argument("--config", metavar="FILE", help="TOML config, for [history] path or url")
    history_option(p)

    p = sub.add_parser("diff", help="what changed between two runs (default: the site's two newest complete runs)")
    p.add_argument("base", nargs="?", metavar="BASE", help="run id (r12) or a crawl's output folder")
    p.add_argument("head", nargs="?", metavar="HEAD", help="run id or output folder (default: the newest complete run)")
    p.add_argument("--site", metavar="URL", help="the site whose runs to compare")
    p.add_argument("--format", choices=DIFF_FORMATS, default="text", help="output format (default: text)")
    p.add_argument("--config", metavar="FILE", help="TOML config, for [history] path or url")
    history_option(p)


def location(args, config: Optional[Config] = None) -> str:
    if args.history:
        return args.history
    return (config or load_config(args.config)).history.location


def open_store(args, config: Optional[Config] = None, *, must_exist: bool = False):
    from audits.history.store import HistoryStore, is_url

    where = location(args, config)
    if must_exist and not is_url(where) and not Path(where).is_file():
        raise ConfigError(f"no history store at {where} (a crawl records one; see --history)")
    return HistoryStore.open(where)


# ---------------------------------------------------------------- recording

def start_history(args, config: Config, *, site: str, command: str, started_at: str, out: Optional[Path]):
    """Open the store and insert the run as running; None with --no-history."""
    if args.no_history:
        if args.fail_on_new:
            raise ConfigError("--fail-on-new compares with the history; drop --no-history")
        return None
    return begin_run(location(args, config), config, site=site, command=command, started_at=started_at, out=out,
                     resume=getattr(args, "resume", False))


def begin_run(where: str, config: Config, *, site: str, command: str, started_at: str, out: Optional[Path],
              resume: bool = False):
    """Open the store at ``where`` and insert the run as running (a Scrapyd job's too)."""
    from audits.history.record import Recorder
    from audits.history.store import RUNNING, HistoryStore

    store = HistoryStore.open(where)
    folder = str(out.resolve()) if out is not None else None
    if resume and folder:
        # --resume continues the interrupted crawl's run, the newest one left running in this folder
        previous = store.find(folder)
        if previous is not None and previous.status == RUNNING:
            return Recorder(store, previous.id)
    return Recorder.start(store, site=site, command=command, started_at=started_at, config=config, out=folder)


def partial_reason(report) -> Optional[str]:
    if report.partial:
        return report.partial_reason or "partial input"
    max_pages = report.config.crawl.max_pages
    if report.crawled and len(report.pages) >= max_pages:
        return f"stopped at max_pages ({max_pages:,})"
    return None


def finish_history(recorder, report):
    """(the report with its ``history``, the findings new since the last complete run).

    Without a recorder (--no-history) the report is returned as it is. A store
    that fails at the end (disk full, locked too long) costs the history of
    this run, never the crawl's reports: one warning line, and every finding
    counts as new.
    """
    if recorder is None:
        return report, [f.to_dict() for f in report.findings]
    from sqlalchemy.exc import SQLAlchemyError

    try:
        recorded = recorder.finish(report, partial_reason=partial_reason(report))
    except SQLAlchemyError as exc:
        print(f"siteproof: warning: run not recorded in the history store: {str(exc).splitlines()[0]}", file=sys.stderr)
        return report, [f.to_dict() for f in report.findings]
    finally:
        recorder.store.close()
    history = {"run": recorded.run.name, "since_last": recorded.since_last, "trend": recorded.trend}
    return dataclasses.replace(report, history=history), recorded.changes.new


# ---------------------------------------------------------------- commands

def cmd_history(args) -> int:
    from audits.history import views

    if args.limit is not None and args.limit < 1:
        raise ConfigError("--limit must be at least 1")
    with open_store(args, must_exist=True) as store:
        runs = store.runs(args.site, limit=args.limit)
    sys.stdout.write(views.HISTORY[args.format](runs))
    return 0


def cmd_diff(args) -> int:
    from audits.history import views
    from audits.history.diff import compare

    with open_store(args, must_exist=True) as store:
        base, head = _pick(store, args)
        changes = compare(store.load(base.id) if base else None, store.load(head.id), head_partial=not head.complete)
    sys.stdout.write(views.DIFF[args.format](base, head, changes))
    return 0


def _named(store, ref: str):
    run = store.find(ref)
    if run is None:
        raise ConfigError(f"no run {ref!r} in the history store {store.location} (see `siteproof history`)")
    return run


def _pick(store, args):
    """(base or None, head): named runs, else the site's two newest complete runs."""
    head = _named(store, args.head) if args.head else None
    base = _named(store, args.base) if args.base else None
    named = head or base
    site = args.site or (named.site if named else None)
    if site is None:
        known = store.sites()
        if len(known) > 1:
            raise ConfigError(f"the history holds several sites; pick one with --site ({', '.join(known)})")
        if not known:
            raise ConfigError(f"no runs in the history store {store.location}")
        site = known[0]
    if head is None:
        newest = store.runs(site, complete_only=True, limit=2 if base is None else 1)
        if base is not None:
            newest = [r for r in store.runs(site, complete_only=True) if r.id > base.id][:1]
        if not newest:
            raise ConfigError(f"no complete run of {site} in the history store {store.location}"
                              + (f" after {base.name}" if base else ""))
        head = newest[0]
        if base is None and len(newest) > 1:
            base = newest[1]
    return base, head
