"""One site's whole job: crawl, every audit, the run in the history, the report files, the alerts.

``siteproof crawl`` and a Scrapyd job do the same job. The CLI drives its crawl
itself (crawler/run.py) and then calls ``audit_crawl`` and ``publish``. Scrapyd
runs Scrapy's own ``scrapy crawl site -a url=... -a config=...`` in a process
of its own, and ``SiteJob``, a Scrapy extension, does the rest around that
crawl with the same functions: before it, the history run and what earlier runs
stand for (``run.prepare``); when the spider closes, the audit, the record in
the history, the reports and the alerts.
"""
from __future__ import annotations

import dataclasses
import logging
import os
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Optional
from urllib.parse import urlsplit

from audits import __version__
from audits.config import Config
from audits.model import Severity

logger = logging.getLogger(__name__)

CRAWL_FORMATS = ("json", "csv", "html")
# A job's reports when [report] dir is not set: one folder per site and run, so two jobs never collide.
JOB_REPORT_DIR = "siteproof-reports/{site}/{run}"


def site_folder(url: str) -> str:
    """The site's host (and port), fit for a folder name."""
    return re.sub(r"[^A-Za-z0-9.-]+", "_", urlsplit(url).netloc.lower()) or "site"


def report_dir(template: str, site: str, run: str) -> Path:
    """``[report] dir`` with ``{site}`` and ``{run}`` filled in."""
    return Path(template.replace("{site}", site_folder(site)).replace("{run}", run))


def audit_crawl(config: Config, out: Path, summary, *, started_at: str, baseline=None,
                history: Optional[str] = None):
    """The report of the crawl recorded in ``out`` (its summary says whether it is complete, and why not).

    With the ``history`` store the crawl used, the rules' findings are kept there, and taken
    from it when every input they read is unchanged (crawler/recrawl.py).
    """
    from audits import store
    from audits.engine import audit
    from audits.site import Site
    from crawler.crawlstate import CrawlState

    sitemap = store.read_sitemap(out)
    kept = summary.kept
    site = Site.build(kept.pages.values() if kept else store.read_pages(out),
                      kept.fetches.values() if kept else store.read_fetches(out), config,
                      sitemap_urls=sitemap["urls"], sitemap_found=sitemap["found"], partial=summary.partial)
    key = summary.audit_inputs.key(site) if history is not None and summary.audit_inputs is not None else None
    state = CrawlState.open(history) if key is not None else None
    try:
        findings = state.audit_findings(key) if state is not None else None
        report = audit(site, baseline=baseline, started_at=started_at, findings=findings)
        if state is not None and findings is None:
            state.save_audit_findings(key, list(report.findings))
    finally:
        if state is not None:
            state.close()
    return dataclasses.replace(report, partial_reason=summary.partial_reason, crawl={
        "finish_reason": summary.finish_reason, "retries": summary.retries, "recovered": summary.recovered,
        "requests": summary.requests, "connections": summary.connections, "unreached": list(summary.unreached),
        "unaudited": summary.unaudited or {}, "findings_reused": findings is not None,
        "beyond_max_depth": summary.beyond_max_depth})


def publish(report, recorder, out: Optional[Path], formats: Iterable[str], *, fail_on: Severity):
    """Record the run, write the report files, send the alerts: (the report with its history, new findings)."""
    from audits import report as reports
    from crawler import history_cli

    report, new = history_cli.finish_history(recorder, report)
    if out is not None:
        reports.write_reports(report, out, list(formats), fail_on=fail_on)
    if report.config.notify.urls and report.history is not None:  # alerts say what is new: they need the history
        from crawler.notify import after_run

        after_run(report.config.notify, report.site, report.history["since_last"], new, out)
    return report, new


class SiteJob:
    """The job around a crawl started by ``scrapy crawl site`` (as Scrapyd runs it).

    Off when siteproof's own CLI runs the crawl (it sets SITEPROOF_CONFIGURED and
    does all this itself) and for a lone link check.
    """

    def __init__(self, crawler):
        from audits.engine import now
        from audits.report import remove_reports
        from crawler import history_cli, run

        spider = crawler.spider
        self.crawler = crawler
        self.config: Config = spider.config
        self.site = self.config.site.start_urls[0]
        self.started_at = now()
        self.clock = time.monotonic()
        if spider.out_dir is None:  # no `-a out=DIR`: [report] dir, else one folder per site and run
            stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
            run_name = f"{stamp}-{getattr(spider, '_job', None) or os.getpid()}"  # Scrapyd passes its job id as _job
            spider.out_dir = report_dir(self.config.report.dir or JOB_REPORT_DIR, self.site, run_name)
        self.out = Path(spider.out_dir)
        self.out.mkdir(parents=True, exist_ok=True)
        remove_reports(self.out)
        self.history = self.config.history.location
        self.recorder = history_cli.begin_run(self.history, self.config, site=self.site, command="crawl",
                                              started_at=self.started_at, out=self.out)
        self.state, spider.recrawl = run.prepare(self.config, self.out, self.history)

    @classmethod
    def from_crawler(cls, crawler):
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        spider = crawler.spider
        if crawler.settings.getbool("SITEPROOF_CONFIGURED") or spider is None or spider.check:
            raise NotConfigured
        from crawler.settings import scrapy_settings

        # The job's own config decides the crawl (its settings are not frozen yet), and a
        # Scrapyd log says what the job did; `-s LOG_LEVEL=...` still wins.
        crawler.settings.setdict(scrapy_settings(spider.config), priority="spider")
        crawler.settings.set("LOG_LEVEL", "INFO", priority="spider")
        job = cls(crawler)
        crawler.signals.connect(job.finish, signal=signals.spider_closed)
        return job

    def finish(self, spider, reason: str) -> None:
        from crawler import run
        from crawler.signals import crawl_over

        # The record is finished and the extraction workers stopped before the record is read
        # (their receivers do it once, whichever of this and spider_closed comes first).
        self.crawler.signals.send_catch_log(crawl_over, reason=reason)
        if self.state is not None:
            self.state.close()
        summary = run.summarize(self.crawler, spider.recrawl, self.out, time.monotonic() - self.clock,
                                finish_reason=reason)
        if summary.failure and summary.failure.startswith("cannot write"):
            logger.error("siteproof: %s; the run is not recorded", summary.failure)
            return
        report = audit_crawl(self.config, self.out, summary, started_at=self.started_at, history=self.history)
        unreachable = run.unreachable(self.crawler, self.config)
        if unreachable:
            logger.error("siteproof: %s", unreachable)
            report = dataclasses.replace(report, partial=True, partial_reason=unreachable)
        report, _ = publish(report, self.recorder, self.out, CRAWL_FORMATS, fail_on=Severity.ERROR)
        if reason == "finished":
            run.published(self.out, self.history)
        counts = report.counts()
        run_name = (report.history or {}).get("run", "not recorded")
        # Where the code came from too: on a Scrapyd node, the deployed egg.
        logger.info("siteproof %s from %s: %s %s: %d pages, %d errors, %d warnings, %d infos; reports in %s",
                    __version__, Path(__file__).parent.parent, run_name, self.site, len(report.pages),
                    counts.get("error", 0), counts.get("warning", 0), counts.get("info", 0), self.out.resolve())
