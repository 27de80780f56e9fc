"""`siteproof dispatch`: one Scrapyd job per site, each to the node with the fewest jobs waiting or running.

Meant to run from cron or a systemd timer. A site is one job, never split across
machines: a clinic site is small and must be crawled politely. The nodes are
asked through Scrapyd's JSON API only (``listjobs.json``, ``schedule.json``).

A job's id names its site (``<host>-<digest>-<time>``), so a site whose previous
job is still pending or running on any node is skipped rather than crawled
twice at once; Scrapyd reports running jobs without their arguments, and the id
is what it does report. A node that does not answer is reported and left out;
its sites go to the others.
"""
from __future__ import annotations

import base64
import hashlib
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional, Sequence

from audits.config import Config, ConfigError, load_config
from audits.history.store import site_key

PROJECT = "siteproof"  # scrapy.cfg's [deploy] project
SPIDER = "site"
TIMEOUT_S = 60.0  # schedule.json lists the spiders first: a Scrapy process start on a busy node


class NodeDown(Exception):
    """A node that did not answer, or answered with an error; the message says which."""


@dataclass(frozen=True)
class SiteJob:
    """A site to dispatch: its config file, as loaded and as sent (inline TOML, so nodes need no shared files)."""

    path: str
    config: Config
    text: str

    @property
    def site(self) -> str:
        return self.config.site.start_urls[0]


@dataclass
class Node:
    url: str
    load: int = 0  # pending and running jobs, of every project
    jobs: list[str] = field(default_factory=list)  # ids of siteproof's pending and running jobs
    down: Optional[str] = None  # why the node is left out

    def call(self, action: str, data: Optional[dict] = None) -> dict:
        """One API call; raises NodeDown however it fails."""
        parts = urllib.parse.urlsplit(self.url)
        bare = parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()
        url = urllib.parse.urljoin(bare.rstrip("/") + "/", action)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(url, data=body)
        if parts.username is not None:  # Scrapyd's username/password, given as http://user:pass@host:6800/
            token = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
            request.add_header("Authorization", "Basic " + base64.b64encode(token.encode()).decode())
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as exc:
            raise NodeDown(f"HTTP {exc.code} from {action}") from None
        except urllib.error.URLError as exc:
            raise NodeDown(str(getattr(exc.reason, "strerror", None) or exc.reason)) from None
        except (OSError, ValueError) as exc:  # a timeout, a reset, an answer that is not JSON
            raise NodeDown(str(exc) or type(exc).__name__) from None
        if answer.get("status") != "ok":
            raise NodeDown(f"{action}: {answer.get('message', answer)}")
        return answer

    def survey(self) -> None:
        """Count the node's jobs; a node that cannot run siteproof's jobs is down for this dispatch."""
        try:
            if PROJECT not in self.call("listprojects.json").get("projects", []):
                raise NodeDown(f"project {PROJECT!r} is not deployed there (run scrapyd-deploy)")
            jobs = self.call("listjobs.json")
        except NodeDown as exc:
            self.down = str(exc)
            return
        active = jobs.get("pending", []) + jobs.get("running", [])
        self.load = len(active)
        self.jobs = [job["id"] for job in active if job.get("project") == PROJECT]


def job_prefix(site: str) -> str:
    """What every job id of this site starts with: its host, readable, and a digest of the whole site key."""
    key = site_key(site)
    host = re.sub(r"[^A-Za-z0-9.-]+", "_", urllib.parse.urlsplit(key).netloc) or "site"
    return f"{host}-{hashlib.sha256(key.encode()).hexdigest()[:8]}-"


def new_job_id(site: str, now: datetime) -> str:
    return job_prefix(site) + now.strftime("%Y%m%dT%H%M%S")


def load_sites(paths: Sequence[str]) -> list[SiteJob]:
    """Every config, read and checked before any job is posted."""
    sites = []
    for path in paths:
        config = load_config(path)
        if not config.site.start_urls:
            raise ConfigError(f"{path} names no site: set [site] start_urls")
        sites.append(SiteJob(path, config, Path(path).read_text(encoding="utf-8")))
    seen: dict[str, str] = {}
    for job in sites:
        key = site_key(job.site)
        if key in seen:
            raise ConfigError(f"{job.path} and {seen[key]} are the same site ({key})")
        seen[key] = job.path
    return sites


def dispatch(sites: Sequence[SiteJob], nodes: Sequence[Node], *, say: Callable[[str], None],
             warn: Callable[[str], None]) -> int:
    """Post one job per site that has none pending or running; the number of sites left without a job."""
    for node in nodes:
        node.survey()
    if all(node.down for node in nodes):
        raise ConfigError("no Scrapyd node answered: " + "; ".join(f"{shown(n.url)} ({n.down})" for n in nodes))
    reported: set[str] = set()
    _report_down(nodes, warn, reported)
    left = 0
    for job in sites:
        prefix = job_prefix(job.site)
        busy = next(((n, j) for n in nodes if not n.down for j in n.jobs if j.startswith(prefix)), None)
        if busy is not None:
            say(f"skipped {job.site}: job {busy[1]} is still pending or running on {shown(busy[0].url)}")
            continue
        while True:
            up = [n for n in nodes if not n.down]
            if not up:
                warn(f"no node left for {job.site}")
                left += 1
                break
            node = min(up, key=lambda n: n.load)  # ties go to the node named first
            job_id = new_job_id(job.site, datetime.now(timezone.utc))
            try:
                node.call("schedule.json", {"project": PROJECT, "spider": SPIDER, "jobid": job_id,
                                            "url": job.site, "config": job.text})
            except NodeDown as exc:
                node.down = str(exc)
                _report_down(nodes, warn, reported)
                continue
            node.load += 1
            node.jobs.append(job_id)
            say(f"scheduled {job_id} {job.site} on {shown(node.url)}")
            break
    return left


def _report_down(nodes: Sequence[Node], warn: Callable[[str], None], reported: set[str]) -> None:
    for node in nodes:
        if node.down and node.url not in reported:
            reported.add(node.url)
            warn(f"node {shown(node.url)} is down ({node.down}); its sites go to the other nodes")


def shown(url: str) -> str:
    """A node's URL without its password, for messages."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    return parts._replace(netloc=f"{parts.username}:***@{parts.netloc.rpartition('@')[2]}").geturl()


def check_node_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"--scrapyd wants a node's http(s) URL, such as http://127.0.0.1:6800/, not {url!r}")
    return url
