"""Run one crawl: ``[crawl]`` -> Scrapy settings, one CrawlerProcess, a summary.

A process runs at most one CrawlerProcess (Twisted's reactor cannot restart),
so tests and the CLI call ``crawl`` once per process.
"""
from __future__ import annotations

import hashlib
import json
import logging
import signal
import tempfile
import time
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional, Sequence

from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import ScrapyDeprecationWarning
from scrapy.settings import Settings
from scrapy.utils.ossignal import signal_names

from audits import store
from audits.config import Config, ConfigError
from audits.extract import extract_options
from audits.identity import origin_of
from audits.model import Fetch
from crawler.crawlstate import Checkpoint, CrawlState
from crawler.recrawl import AuditInputs, Recrawl
from crawler.settings import scrapy_settings
from crawler.signals import crawl_over
from crawler.spiders.site import SiteSpider


@dataclass(frozen=True)
class CrawlSummary:
    pages: int  # HTML pages parsed (pages.jsonl lines)
    fetches: int  # distinct URLs checked (fetches.jsonl lines)
    errors: int  # fetches that are broken (4xx/5xx or a named error)
    elapsed_s: float
    sitemap_found: bool
    sitemap_urls: int
    finish_reason: str
    out_dir: Path
    pages_in_workers: int = 0  # pages extracted by worker processes (crawler/extraction.py), not in-process
    partial_reason: Optional[str] = None  # why the crawl did not see the whole site; None when it did
    interrupted: Optional[str] = None  # "SIGINT" / "SIGTERM" when a signal stopped it
    failure: Optional[str] = None  # the error that stopped it (a page extraction process died)
    retries: int = 0  # requests made again after a transient failure
    recovered: int = 0  # URLs that failed, were asked again and then answered
    requests: int = 0  # HTTP requests sent, retries and robots.txt included
    connections: int = 0  # TCP connections opened for them (keep-alive reuses the rest)
    unreached: tuple[str, ...] = ()  # pages asked for and never answered (a partial crawl)
    unaudited: Optional[dict] = None  # page URL -> why it could not be fetched (after its retries)
    beyond_max_depth: int = 0  # pages linked only from pages at max_depth: checked, not crawled

    @property
    def partial(self) -> bool:
        return self.partial_reason is not None

    unchanged: int = 0  # pages that answered 304: their stored model was audited again
    reused: int = 0  # pages downloaded with the body of the stored model, not extracted again
    fetched: int = 0  # pages downloaded and extracted
    resumed: int = 0  # pages taken from the interrupted crawl (--resume)
    external_reused: int = 0  # external links whose recent success stood for a new check
    # what the crawl recorded, as the rules read it: their findings may be kept and reused under it
    audit_inputs: Optional[AuditInputs] = field(default=None, repr=False, compare=False)
    kept: Optional[store.Kept] = field(default=None, repr=False, compare=False)  # the records, as written

    def counts_line(self) -> str:
        """What a re-crawl took from earlier runs, for the summary."""
        line = (f"{self.pages} pages: {self.unchanged} unchanged (304), {self.reused} re-used, "
                f"{self.fetched} fetched")
        if self.resumed:
            line += f", {self.resumed} resumed"
        return line + f"; {self.external_reused} external links re-used"


class CrawlFailed(ConfigError):
    """The crawl had to stop (a page extraction process died).

    A ConfigError so the CLI reports it in one line, as it does an unreachable
    start URL; the record written so far is incomplete.
    """


# After a first Ctrl-C (or SIGTERM) the crawl closes gracefully: requests in
# flight may still land in the record. A hung server must not hold that up for
# timeout_s, so the reactor stops regardless after this long.
GRACE_S = 2.0


class _Process(CrawlerProcess):
    """Scrapy's signal handling, plus: the stats say the crawl was interrupted, and the wait is bounded."""

    killed = False  # a second signal: stop at once, write no report
    interrupted: Optional[str] = None

    def start(self, *args, **kwargs):
        # Until the reactor runs Scrapy has no handlers: Ctrl-C while starting up counts too.
        signal.signal(signal.SIGINT, self._signal_shutdown)
        signal.signal(signal.SIGTERM, self._signal_shutdown)
        super().start(*args, **kwargs)

    def _signal_shutdown(self, signum, frame):
        from twisted.internet import reactor  # the one Scrapy installed; importing it first would install another

        self.interrupted = signal_names.get(signum, str(signum))
        for crawler in self.crawlers:
            if crawler.spider is not None:  # so its stats exist
                crawler.stats.set_value("siteproof/interrupted", self.interrupted)
        super()._signal_shutdown(signum, frame)
        reactor.callFromThread(reactor.callLater, GRACE_S, self._stop_reactor)

    def _signal_kill(self, signum, frame):
        self.killed = True
        super()._signal_kill(signum, frame)


class _QuietRobotsErrors(logging.Filter):
    """An unreachable site also fails its robots.txt; crawl() names that once, as a ConfigError."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Error downloading")


def _settings(config: Config, progress: Optional[bool], verbose: bool) -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    settings.setdict(scrapy_settings(config), priority="project")
    settings.set("SITEPROOF_CONFIGURED", True, priority="project")
    settings.set("SITEPROOF_PROGRESS", progress, priority="project")
    settings.set("LOG_LEVEL", "INFO" if verbose else "ERROR", priority="project")
    return settings


def _run(config: Config, out_dir: Path, progress: Optional[bool], verbose: bool, **spider_args):
    """One CrawlerProcess, run to the end; returns its crawler, whose stats hold the results."""
    with warnings.catch_warnings():
        if not verbose:
            warnings.simplefilter("ignore", ScrapyDeprecationWarning)
            logging.getLogger("scrapy.downloadermiddlewares.robotstxt").addFilter(_QuietRobotsErrors())
        process = _Process(_settings(config, progress, verbose))
        crawler = process.create_crawler(SiteSpider)
        try:
            process.crawl(crawler, config=config, out_dir=out_dir, **spider_args)
            process.start()
        finally:
            # The record is finished (and the extraction workers stop) when the spider
            # closes; a signal's hard stop or an error can stop the reactor before that.
            if crawler.spider is not None:
                if process.interrupted:  # a signal may come before the stats existed
                    crawler.stats.set_value("siteproof/interrupted", process.interrupted)
                crawler.signals.send_catch_log(crawl_over, reason=crawler.stats.get_value("finish_reason")
                                               or "shutdown")
            # Scrapy's handlers outlive the reactor: Ctrl-C during the audit must stop it.
            signal.signal(signal.SIGINT, signal.default_int_handler)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if process.killed:
        raise KeyboardInterrupt
    if crawler.spider is None:
        raise RuntimeError("the crawler did not start (run with --verbose to see why)")
    return crawler


def config_fingerprint(config: Config) -> str:
    text = json.dumps(config.to_dict(), sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _interrupted(config: Config, out_dir: Path, state: Optional[CrawlState]) -> Optional[Checkpoint]:
    """The checkpoint of the crawl interrupted in ``out_dir``, None when there is none.

    ConfigError when it cannot be resumed: no history store, or another configuration.
    """
    if state is None:
        raise ConfigError("--resume needs the history store (it is where the crawl was checkpointed)")
    checkpoint = state.checkpoint(str(out_dir.resolve()))
    if checkpoint is not None and checkpoint.config != config_fingerprint(config):
        raise ConfigError(f"the interrupted crawl in {out_dir} used another configuration; "
                          "run without --resume to start over")
    return checkpoint


def resumable(config: Config, out_dir: Path, history: Optional[Path]) -> bool:
    """Whether ``--resume`` has an interrupted crawl to continue in ``out_dir`` (asked before a run is recorded)."""
    state = CrawlState.open(history) if history is not None else None
    try:
        return _interrupted(config, Path(out_dir), state) is not None
    finally:
        if state is not None:
            state.close()


def _recrawl(config: Config, out_dir: Path, state: Optional[CrawlState], full: bool, resume: bool) -> Recrawl:
    if state is None and not resume:
        return Recrawl()
    resumed = ()
    if resume:
        checkpoint = _interrupted(config, out_dir, state)
        if checkpoint is None:
            raise ConfigError(f"nothing to resume in {out_dir}: no interrupted crawl was recorded there")
        resumed = state.records(checkpoint)
    else:
        checkpoint = state.start_checkpoint(str(out_dir.resolve()), config_fingerprint(config))
    origins = [origin.url for origin in map(origin_of, config.site.start_urls) if origin is not None]
    return Recrawl(state, options=extract_options(config), full=full,
                   recheck_external_s=config.crawl.recheck_external_after_s, checkpoint=checkpoint, resumed=resumed,
                   origins=origins)


def crawl(config: Config, out_dir: Path, *, progress: Optional[bool] = None, verbose: bool = False,
          history: Optional[str] = None, full: bool = False, resume: bool = False) -> CrawlSummary:
    """Crawl ``config.site.start_urls`` into ``out_dir`` (pages.jsonl, fetches.jsonl, sitemap.json).

    ``progress``: None shows the live line only when stderr is a terminal.
    ``history``: the history store (a path or a database URL), where validators, external outcomes
    and the checkpoint live (crawler/recrawl.py); None crawls without any of them.
    ``full``: take nothing from earlier runs. ``resume``: continue the crawl
    interrupted in ``out_dir``.
    Raises ConfigError when a start URL cannot be fetched at all, CrawlFailed when the crawl
    had to stop (a page extraction process died).
    """
    if not config.site.start_urls:
        raise ConfigError("no start URL given")
    if config.crawl.workers < 0:
        raise ConfigError("config key 'crawl.workers' must be 0 or more")
    out_dir = Path(out_dir)
    started = time.monotonic()
    state, recrawl = prepare(config, out_dir, history, full=full, resume=resume)
    try:
        # The checkpoint outlives a finished crawl until its run is published
        # (``published``): a kill during the audit is resumed, not crawled afresh.
        crawler = _run(config, out_dir, progress, verbose, recrawl=recrawl)
    finally:
        if state is not None:
            state.close()
    stats = crawler.stats
    failure = stats.get_value("siteproof/failure")
    if failure and failure.startswith("cannot write"):
        raise CrawlFailed(failure)  # nothing sound to audit: the record itself is incomplete
    problem = unreachable(crawler, config)
    if problem:
        raise ConfigError(problem)
    return summarize(crawler, recrawl, out_dir, time.monotonic() - started)


def published(out_dir: Path, history: Optional[str]) -> None:
    """The crawl in ``out_dir`` is audited and its run recorded: nothing is left to resume."""
    if history is None:
        return
    state = CrawlState.open(history)
    try:
        state.drop_checkpoint(str(Path(out_dir).resolve()))
    finally:
        state.close()


def prepare(config: Config, out_dir: Path, history: Optional[str], *, full: bool = False,
            resume: bool = False) -> tuple[Optional[CrawlState], Recrawl]:
    """Before a crawl: what earlier runs in ``history`` stand for, and a fresh record in ``out_dir``.

    The state stays open for the crawl; the caller closes it.
    """
    state = CrawlState.open(history) if history is not None else None
    try:
        recrawl = _recrawl(config, out_dir, state, full, resume)
        try:
            store.start_record(out_dir, datetime.now(timezone.utc).replace(microsecond=0).isoformat())
        except OSError as exc:
            raise ConfigError(store.write_failure(out_dir, exc)) from None
    except BaseException:
        if state is not None:
            state.close()
        raise
    return state, recrawl


def summarize(crawler, recrawl: Recrawl, out_dir: Path, elapsed_s: float,
              finish_reason: Optional[str] = None) -> CrawlSummary:
    """What a finished crawl did, from its crawler's stats and record."""
    stats = crawler.stats
    record = store.read_crawl_state(out_dir) or {}
    return CrawlSummary(
        pages=stats.get_value("siteproof/pages", 0),
        fetches=stats.get_value("siteproof/fetches", 0),
        errors=stats.get_value("siteproof/errors", 0),
        elapsed_s=round(elapsed_s, 3),
        sitemap_found=stats.get_value("siteproof/sitemap_found", False),
        sitemap_urls=stats.get_value("siteproof/sitemap_urls", 0),
        finish_reason=finish_reason or stats.get_value("finish_reason", ""),
        out_dir=out_dir,
        pages_in_workers=stats.get_value("siteproof/pages_in_workers", 0),
        partial_reason=record.get("partial_reason"),
        interrupted=stats.get_value("siteproof/interrupted"),
        failure=stats.get_value("siteproof/failure"),
        retries=stats.get_value("siteproof/retries", 0),
        recovered=stats.get_value("siteproof/recovered", 0),
        requests=stats.get_value("downloader/request_count", 0),
        connections=stats.get_value("siteproof/connections_opened", 0),
        unreached=tuple(record.get("unreached", ())),
        unaudited=record.get("unaudited") or {},
        beyond_max_depth=stats.get_value("siteproof/beyond_max_depth", 0),
        unchanged=recrawl.counts["unchanged"],
        reused=recrawl.counts["reused"],
        fetched=recrawl.counts["fetched"],
        resumed=recrawl.counts["resumed"],
        external_reused=recrawl.counts["external_reused"],
        audit_inputs=recrawl.audit_inputs(),
        kept=recrawl.kept,
    )


def unreachable(crawler, config: Config) -> Optional[str]:
    """The one line for a start URL that could not be crawled at all; None when every one answered."""
    start_errors = crawler.stats.get_value("siteproof/start_errors") or {}
    for url in dict.fromkeys(u.split("#", 1)[0] for u in config.site.start_urls):
        if start_errors.get(url):
            return _unreachable(url, start_errors[url], config)
    return None


def _unreachable(url: str, error: str, config: Config) -> str:
    """The one line for a start URL that could not be crawled at all."""
    if error == "robots-disallowed":
        return f"robots.txt disallows {url} (set [crawl] obey_robots = false to crawl it anyway)"
    if error == "robots-unavailable":
        return (f"robots.txt of {url} answered with a server error, which means nothing may be crawled "
                "(RFC 9309); set [crawl] obey_robots = false to crawl it anyway")
    if error == "too-large":
        return (f"{url} is larger than [crawl] max_response_mb = {config.crawl.max_response_mb:g} "
                "(raise it to crawl this page)")
    return f"cannot reach {url}: {error.replace('-', ' ')}"


def check_urls(urls: Sequence[str], config: Config, *, progress: Optional[bool] = False,
               verbose: bool = False) -> list[Fetch]:
    """Check these URLs once each and crawl nothing (``siteproof check --external``).

    A URL with a #fragment is fetched with GET so its ids land in ``Fetch.anchors``.
    Same process rule as crawl(): once per process.
    """
    if not urls:
        return []
    with tempfile.TemporaryDirectory(prefix="siteproof-check-") as tmp:
        _run(config, Path(tmp), progress, verbose, check=list(urls))
        return list(store.read_fetches(tmp))
