"""The `siteproof` command: the composition root.

Parses arguments, loads the configuration, runs a crawl (Scrapy, imported
lazily) or reads local files, audits, writes reports and picks the exit code:
0 nothing at or above --fail-on, 1 something is, 2 a usage or config error
(one line on stderr, never a traceback).
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import logging
import os
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional, Sequence
from urllib.parse import urlsplit

from audits import __version__, registry
from audits.config import Config, ConfigError, load_config
from audits.model import Severity
from crawler import history_cli
from crawler.statusline import StatusLine
from crawler.job import CRAWL_FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
STREAM_FORMATS = ("text", "github", "markdown")  # fit for a terminal or a CI log


class UsageError(Exception):
    """Bad input from the user; printed as one line, exit 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own errors: one line, exit 2
        raise UsageError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="siteproof", description="SEO content audit and link checker for clinic websites.")
    parser.add_argument("--version", action="version", version=f"siteproof {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def common(p, *, out_default: Optional[str], out_help: Optional[str] = None):
        p.add_argument("--config", metavar="FILE", help="TOML config (default: siteproof.toml, then [tool.siteproof] in pyproject.toml)")
        p.add_argument("--out", metavar="DIR", default=out_default, help=f"output folder (default: {out_help or out_default or 'none'})")
        p.add_argument("--fail-on", choices=[s.value for s in Severity], default="error",
                       help="exit 1 when a finding is at or above this severity (default: error)")
        p.add_argument("--format", dest="formats", action="append", metavar="FMT",
                       help="report format, repeatable: text json csv html sarif junit github markdown")
        p.add_argument("--baseline", metavar="FILE", help="only findings not in this baseline count towards the exit code")
        noise = p.add_mutually_exclusive_group()
        noise.add_argument("-q", "--quiet", action="store_true", help="no progress output, no summary")
        noise.add_argument("-v", "--verbose", action="store_true", help="show the crawler's log")
        history_option(p)
        p.add_argument("--no-history", action="store_true", help="do not record this run in the history store")
        p.add_argument("--fail-on-new", choices=[s.value for s in Severity], metavar="LEVEL",
                       help="exit 1 only when a finding at or above LEVEL (error, warning, info) is new "
                            "since the last complete run")

    p = sub.add_parser("crawl", help="crawl a live site and audit it")
    p.add_argument("url", help="start URL (http or https)")
    p.add_argument("--max-pages", type=int, metavar="N", help="stop after N pages (overrides [crawl] max_pages)")
    p.add_argument("--full", action="store_true",
                   help="take nothing from earlier crawls: download every page, check every external link")
    p.add_argument("--resume", action="store_true",
                   help="continue the crawl that was interrupted in --out, fetching only what it had not "
                        "(with none to continue: a fresh crawl)")
    common(p, out_default=None, out_help="[report] dir, else siteproof-report")

    p = sub.add_parser("demo", help="crawl the bundled sample clinic site (works offline)")
    common(p, out_default="siteproof-report")

    p = sub.add_parser("check", help="audit local HTML files, a build folder, a stored crawl, or draft URLs")
    p.add_argument("paths", nargs="+", metavar="PATH_OR_URL")
    p.add_argument("--site-root", metavar="DIR", help="folder that maps to the site's root URL (default: the folder given)")
    p.add_argument("--external", action="store_true", help="also check external links (off by default for speed)")
    common(p, out_default=None)

    p = sub.add_parser("baseline", help="record the current findings so CI fails only on new ones")
    p.add_argument("paths", nargs="+", metavar="PATH_OR_URL")
    p.add_argument("--site-root", metavar="DIR")
    p.add_argument("--external", action="store_true")
    p.add_argument("--config", metavar="FILE")
    p.add_argument("--out", metavar="FILE", required=True, help="baseline file to write")
    p.add_argument("-q", "--quiet", action="store_true")

    p = sub.add_parser("rules", help="list the rules, or show one rule's docs")
    p.add_argument("rule", nargs="?", metavar="ID")

    history_cli.add_parsers(sub, history_option)

    p = sub.add_parser("dispatch", help="post one Scrapyd job per site, each to the node with the fewest jobs "
                                        "(run it from cron)")
    p.add_argument("configs", nargs="+", metavar="SITE_CONFIG", help="a site's TOML config ([site] start_urls)")
    p.add_argument("--scrapyd", action="append", required=True, metavar="URL",
                   help="a Scrapyd node, such as http://127.0.0.1:6800/ (repeat for each node)")
    return parser


def history_option(p) -> None:
    p.add_argument("--history", metavar="PATH",
                   help="history store: a SQLite file or a postgresql:// URL "
                        "(default: [history] url or path, else .siteproof/history.sqlite)")


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not args.command:
            parser.print_help()
            return EXIT_USAGE
        return COMMANDS[args.command](args)
    except (UsageError, ConfigError) as exc:
        print(f"siteproof: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("siteproof: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`siteproof rules | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:  # a write the commands did not name themselves (a full disk): still one line
        where = f" ({exc.filename})" if exc.filename else ""
        print(f"siteproof: error: {exc.strerror or exc}{where}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        gc.unfreeze()  # see _local_report; a caller in the same process (a test) collects as before


def run() -> None:
    """The ``siteproof`` command (and ``python -m crawler``): ``main``, then out without tearing down.

    Finalizing the interpreter frees every object one by one and collects the cyclic
    garbage of a crawl's records first: about a second after a 2,000-page crawl has
    written its last report, paid by every run. Nothing is left to do by then (the
    reports, records and history are written and closed), so only the streams and
    the log handlers are flushed.
    """
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away after the last line: nothing left to say to it
        pass
    logging.shutdown()
    os._exit(code or 0)


# ---------------------------------------------------------------- helpers

def _config(args, start_urls: Sequence[str] = ()) -> Config:
    config = load_config(getattr(args, "config", None))
    if config.notify.urls:  # a mistyped alert URL is found now, not after an hour of crawling
        from crawler.notify import check_urls

        check_urls(config.notify.urls)
    if start_urls:
        config = config.with_start_urls(list(start_urls))
    return config


def _check_url(url: str) -> str:
    try:
        parts = urlsplit(url)
        parts.port  # raises on a port that is not a number
    except ValueError as exc:
        raise UsageError(f"not a valid URL: {url!r} ({exc})") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"not an http(s) URL: {url!r}")
    if parts.username is not None or parts.password is not None:
        # Refused, never echoed: a password in a URL would land in every report, log and record.
        hidden = parts._replace(netloc="***@" + parts.netloc.rpartition("@")[2]).geturl()
        raise UsageError(f"credentials in URLs are not supported (they would be written to the reports): {hidden}")
    if not parts.path:
        url += "/"
    return url


def _out_dir(path: Optional[str]) -> Optional[Path]:
    if path is None:
        return None
    out = Path(path)
    try:
        out.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out, prefix=".siteproof-write-test"):
            pass
    except OSError as exc:
        raise UsageError(f"cannot write to output folder {path}: {exc.strerror or exc}") from None
    return out


def _formats(args, default: Sequence[str]) -> list[str]:
    from audits.report import FORMATS

    formats = args.formats or list(default)
    for fmt in formats:
        if fmt not in FORMATS:
            raise UsageError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return list(dict.fromkeys(formats))


def _baseline(args):
    """The --baseline file, read before any work so a bad one fails fast."""
    from audits.baseline import load_baseline

    path = getattr(args, "baseline", None)
    return load_baseline(path) if path else None


def _finish(report, args, out: Optional[Path], formats: list[str], *, default_stream: bool, recorder=None) -> int:
    """Record the run, write and print reports, pick the exit code."""
    from audits import report as reports
    from crawler.job import publish

    fail_on = Severity(args.fail_on)
    report, new = publish(report, recorder, out, formats, fail_on=fail_on)
    tty = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
    stream = [f for f in formats if f in STREAM_FORMATS] if out is not None else formats
    for fmt in stream:
        sys.stdout.write(reports.render(report, fmt, color=tty, fail_on=fail_on))
    if out is not None and not args.quiet and (default_stream or not stream):
        sys.stdout.write(reports.summary_text(report, out))
    if args.fail_on_new:
        level = Severity(args.fail_on_new)
        return EXIT_FINDINGS if any(Severity(f["severity"]).rank >= level.rank for f in new) else EXIT_OK
    return EXIT_FINDINGS if report.failing(fail_on) else EXIT_OK


def _history(args, config: Config) -> Optional[str]:
    """The history store for this command (crawl state lives there too): a path or a database URL;
    None with --no-history."""
    if getattr(args, "no_history", False):
        return None
    return history_cli.location(args, config)


def _crawl_and_audit(config: Config, out: Path, args, started_at: str, *, history: Optional[str] = None):
    """Crawl and audit; the report and the crawl's summary (complete or partial, and why)."""
    from audits import report as reports
    from crawler.job import audit_crawl
    from crawler.run import crawl

    baseline = _baseline(args)
    reports.remove_reports(out)  # the folder never holds an earlier run's report beside this run's record
    # What is loaded by now (the modules: Scrapy, Twisted, SQLAlchemy) and then the crawl's records
    # live until the process ends: out of the cyclic collector's sight, its full passes stay short.
    gc.freeze()
    summary = crawl(config, out, progress=None if not args.quiet else False, verbose=args.verbose,
                    history=history, full=getattr(args, "full", False), resume=getattr(args, "resume", False))
    if history is not None and not args.quiet:
        print(f"siteproof: {summary.counts_line()}", file=sys.stderr)
    gc.freeze()
    report = audit_crawl(config, out, summary, started_at=started_at, baseline=baseline, history=history)
    if report.crawl["findings_reused"] and not args.quiet:
        print("siteproof: every page and link outcome as in an earlier crawl: its findings re-used "
              "(--full runs every rule again)", file=sys.stderr)
    return report, summary


# 128 + the signal number, as shells report a process a signal stopped.
_SIGNAL_EXIT = {"SIGINT": 130, "SIGTERM": 143}


def _crawl_exit(code: int, summary, out: Path) -> int:
    """A crawl that did not finish says so on stderr, and a stopped one does not exit as a clean run."""
    if summary.failure:
        print(f"siteproof: error: {summary.failure} (partial report in {out})", file=sys.stderr)
        return EXIT_USAGE
    if summary.interrupted:
        print(f"siteproof: crawl interrupted by {summary.interrupted}; the report in {out} is partial",
              file=sys.stderr)
        return _SIGNAL_EXIT.get(summary.interrupted, 130)
    if summary.partial:
        print(f"siteproof: note: partial crawl: {summary.partial_reason}", file=sys.stderr)
    if summary.beyond_max_depth:
        # A blog's "Older posts" chain passes max_depth: what lies past it was checked but never audited.
        n = summary.beyond_max_depth
        print(f"siteproof: note: {n:,} linked page{' lies' if n == 1 else 's lie'} deeper than max_depth: checked, "
              f"not crawled or audited (raise [crawl] max_depth to audit {'it' if n == 1 else 'them'})",
              file=sys.stderr)
    return code


# ---------------------------------------------------------------- commands

def cmd_crawl(args) -> int:
    from audits.engine import now

    url = _check_url(args.url)
    config = _config(args, [url])
    if args.max_pages is not None:
        if args.max_pages < 1:
            raise UsageError("--max-pages must be at least 1")
        config = dataclasses.replace(config, crawl=dataclasses.replace(config.crawl, max_pages=args.max_pages))
    formats = _formats(args, CRAWL_FORMATS)
    started = now()
    out = _out_dir(args.out or _report_dir(config, url, started))
    history = _history(args, config)
    if args.resume:
        from crawler.run import resumable

        # Decided before the run is recorded: a refused --resume leaves no run behind in the history.
        if not resumable(config, out, history):
            print(f"siteproof: note: nothing to resume in {out} (no interrupted crawl was recorded there); "
                  "starting a fresh crawl", file=sys.stderr)
            args.resume = False
    recorder = history_cli.start_history(args, config, site=url, command="crawl", started_at=started, out=out)
    report, summary = _crawl_and_audit(config, out, args, started, history=history)
    code = _finish(report, args, out, formats, default_stream=True, recorder=recorder)
    if summary.finish_reason == "finished":
        from crawler.run import published

        published(out, history)
    return _crawl_exit(code, summary, out)


def _report_dir(config: Config, url: str, started_at: str) -> str:
    """No --out: ``[report] dir`` (its {run} is the start time), else siteproof-report/ as always."""
    if not config.report.dir:
        return "siteproof-report"
    from crawler.job import report_dir

    return str(report_dir(config.report.dir, url, re.sub(r"[^0-9TZ]", "", started_at)))


def cmd_demo(args) -> int:
    from audits.config import from_dict
    from audits.engine import now
    from crawler.demo import DEMO_CONFIG
    from crawler.siteserver import SiteServer

    if args.config:
        raise UsageError("demo uses its own bundled configuration; use `siteproof crawl` with --config")
    formats = _formats(args, CRAWL_FORMATS)
    out = _out_dir(args.out)
    with _demo_server(SiteServer) as server:
        config = from_dict(DEMO_CONFIG(server.origin), "the demo configuration")
        if not args.quiet:
            print(f"Serving the sample clinic site at {server.origin}/ and crawling it…", file=sys.stderr)
        started = now()
        recorder = history_cli.start_history(args, config, site=f"{server.origin}/", command="demo",
                                             started_at=started, out=out)
        report, summary = _crawl_and_audit(config, out, args, started)
    return _crawl_exit(_finish(report, args, out, formats, default_stream=True, recorder=recorder), summary, out)


def _demo_server(server_class):
    """The sample site on its usual port, so a second demo is the same site to the history and
    shows what changed since the first; on any free port when that one is taken."""
    from crawler.demo import DEMO_PORT, DEMO_SITE

    try:
        return server_class(DEMO_SITE, port=DEMO_PORT).start()
    except OSError:
        return server_class(DEMO_SITE).start()


def _is_url(value: str) -> bool:
    return urlsplit(value).scheme in ("http", "https")


def _local_report(args):
    """Audit what `check`/`baseline` were given: files and folders, a stored crawl, or URLs."""
    from audits import sources
    from audits.engine import audit, now

    started = now()
    baseline = _baseline(args)
    status = _CheckStatus() if not args.quiet and sys.stderr.isatty() else None
    urls = [p for p in args.paths if _is_url(p)]
    paths = [p for p in args.paths if not _is_url(p)]
    if urls and paths:
        raise UsageError("give either URLs or local paths, not both")
    config = _config(args)
    if urls:
        config = dataclasses.replace(config, crawl=dataclasses.replace(config.crawl, check_external=args.external))
        loaded = sources.pages_from_urls([_check_url(u) for u in urls], config, _fetch_records(args))
    else:
        for p in paths:
            if not Path(p).exists():
                raise UsageError(f"no such file or folder: {p}")
        if len(paths) == 1 and sources.is_stored_crawl(paths[0]):
            loaded = sources.pages_from_store(paths[0], config)
        else:
            checker = None
            if args.external:
                from crawler.run import check_urls as checker
            loaded = sources.pages_from_paths(paths, config, site_root=args.site_root, external_checker=checker,
                                              progress=status.files if status else None)
    # The pages live until the command ends and hold no reference cycles: keep the cyclic garbage
    # collector off them (each of its full passes walked every link of every page, about a tenth
    # of the audit's and the reports' time on 2,000 pages).
    gc.freeze()
    if status:
        status.auditing(len(loaded.pages))
    try:
        return audit(loaded.site(), baseline=baseline, notes=loaded.notes, started_at=started)
    finally:
        if status:
            status.clear()


class _CheckStatus(StatusLine):
    """`check`'s progress on a terminal: files read, then the audit."""

    def __init__(self):
        super().__init__()
        self.started = time.monotonic()

    def files(self, done: int, total: int) -> None:
        self.show(f"siteproof: {done:,} of {total:,} files read, {time.monotonic() - self.started:.0f}s",
                  now=done == total)

    def auditing(self, pages: int) -> None:
        self.show(f"siteproof: {pages:,} pages read; auditing, {time.monotonic() - self.started:.0f}s", now=True)


def _fetch_records(args):
    """A fetcher for sources.pages_from_urls: crawl just those URLs, read the record back."""

    def fetch(config: Config):
        from audits import store
        from crawler.run import crawl

        with tempfile.TemporaryDirectory(prefix="siteproof-check-") as tmp:
            summary = crawl(config, Path(tmp), progress=None if not args.quiet else False, verbose=args.verbose)
            if summary.failure:
                from crawler.run import CrawlFailed

                raise CrawlFailed(summary.failure)
            return [*store.read_pages(tmp), *store.read_fetches(tmp)]

    return fetch


def cmd_check(args) -> int:
    from audits.engine import now

    formats = _formats(args, ("text",))
    out = _out_dir(args.out)
    config = _config(args)
    site = next((p for p in args.paths if _is_url(p)), None) or config.canonical_origin or "local"
    recorder = history_cli.start_history(args, config, site=site, command="check", started_at=now(), out=out)
    report = _local_report(args)
    if not args.quiet:
        for note in report.notes:
            print(f"siteproof: note: {note}", file=sys.stderr)
    return _finish(report, args, out, formats, default_stream=False, recorder=recorder)


def cmd_baseline(args) -> int:
    from audits.baseline import write_baseline

    args.verbose = False
    report = _local_report(args)
    target = Path(args.out)
    try:
        write_baseline(report.findings, target)
    except OSError as exc:
        raise UsageError(f"cannot write baseline {args.out}: {exc.strerror or exc}") from None
    if not args.quiet:
        print(f"Wrote {len(report.findings)} findings to baseline {target}")
    return EXIT_OK


def cmd_rules(args) -> int:
    rules = registry.load()
    if args.rule:
        rule = registry.get(args.rule)
        if rule is None:
            raise UsageError(f"unknown rule {args.rule!r} (run `siteproof rules` for the list)")
        print(f"{rule.id}  ({rule.severity.value}, {rule.scope} rule)\n")
        print(rule.docs)
        if rule.options:
            print(f"\nOptions ([audits.{rule.options}]):")
            for field in dataclasses.fields(registry.OPTIONS[rule.options]):
                default = field.default if field.default is not dataclasses.MISSING else field.default_factory()
                print(f"  {field.name} = {default!r}")
        print(f"\nDisable or change severity: [rules] {rule.id} = \"off\" | \"error\" | \"warning\" | \"info\"")
        return EXIT_OK
    width = max(len(r) for r in rules)
    for rule in rules.values():
        print(f"{rule.id:<{width}}  {rule.severity.value:<7}  {rule.description}")
    return EXIT_OK


def cmd_dispatch(args) -> int:
    from crawler import dispatch

    nodes = [dispatch.Node(dispatch.check_node_url(url)) for url in args.scrapyd]
    sites = dispatch.load_sites(args.configs)
    for job in sites:
        if not job.config.history.url:
            print(f"siteproof: note: {job.path} has no [history] url: its runs are recorded on the node "
                  "that crawls it, not in one shared history", file=sys.stderr)
    left = dispatch.dispatch(sites, nodes, say=print,
                             warn=lambda message: print(f"siteproof: warning: {message}", file=sys.stderr))
    if left:
        raise UsageError(f"{left} of {len(sites)} sites got no job: every node was down")
    return EXIT_OK


COMMANDS = {
    "crawl": cmd_crawl,
    "demo": cmd_demo,
    "check": cmd_check,
    "baseline": cmd_baseline,
    "rules": cmd_rules,
    "history": history_cli.cmd_history,
    "diff": history_cli.cmd_diff,
    "dispatch": cmd_dispatch,
}

if __name__ == "__main__":
    sys.exit(main())
