"""Many sites, many machines: the egg deployed to two real Scrapyd nodes, `siteproof dispatch`,
and every job's run in one real PostgreSQL history.

One module-wide fleet: a PostgreSQL database, two ``scrapyd`` processes on free loopback
ports with their own eggs and logs folders, the egg deployed to both with
``scrapyd-deploy``, and four small sites on loopback. Each site links to a page that
is missing (broken-link) and to one that answers slowly, so a job is still running
when ``dispatch`` is run again right after.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from crawler.siteserver import SiteServer
from support.postgres import free_port
from support.scrapyd import REPO, SCRIPTS, ScrapydNode, build_egg

SITES = 4


def siteproof(*args, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "crawler", *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})})


def write_site(root: Path, n: int) -> None:
    (root / "about").mkdir(parents=True)
    (root / "index.html").write_text(
        f'<!DOCTYPE html><html lang="en"><head><title>Clinic {n}</title>'
        f'<meta name="description" content="Clinic number {n}."></head><body><h1>Clinic {n}</h1>'
        '<p><a href="/about/">About</a> <a href="/slow/">Hours</a> <a href="/missing/">Prices</a></p>'
        '</body></html>', encoding="utf-8")
    (root / "about" / "index.html").write_text(
        f'<!DOCTYPE html><html lang="en"><head><title>About clinic {n}</title></head><body>'
        f'<h1>About us</h1><p>We care. <a href="/">Home</a></p></body></html>', encoding="utf-8")
    (root / "slow").mkdir()
    (root / "slow" / "index.html").write_text(
        f'<!DOCTYPE html><html lang="en"><head><title>Hours of clinic {n}</title></head><body>'
        f'<h1>Opening hours</h1><p>Monday to Friday. <a href="/">Home</a></p></body></html>', encoding="utf-8")
    (root / "_routes.toml").write_text('[[route]]\npath = "/slow/"\nstatus = 200\ndelay_s = 3\n', encoding="utf-8")


class Fleet:
    def __init__(self, root: Path, history: str, nodes: list[ScrapydNode], servers: list[SiteServer]):
        self.root, self.history, self.nodes, self.servers = root, history, nodes, servers
        self.configs = []
        for i, server in enumerate(servers):
            config = root / f"site{i}.toml"
            config.write_text(f'[site]\nstart_urls = ["{server.url("/")}"]\n\n'
                              '[crawl]\ntimeout_s = 10\n\n'
                              '[history]\nurl = "$SITEPROOF_HISTORY_URL"\n\n'
                              f'[report]\ndir = "{root}/reports/{{site}}/{{run}}"\n', encoding="utf-8")
            self.configs.append(config)

    def dispatch(self, *node_urls: str, configs=None) -> subprocess.CompletedProcess:
        args = [a for url in node_urls for a in ("--scrapyd", url)]
        return siteproof("dispatch", *args, *(configs or self.configs), cwd=self.root)

    def wait_finished(self, job_ids: set[str], timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while True:
            finished = {job["id"] for node in self.nodes for job in node.get("listjobs.json")["finished"]}
            if job_ids <= finished:
                return
            assert time.monotonic() < deadline, f"jobs not finished: {job_ids - finished}"
            time.sleep(0.3)

    def runs(self) -> list[dict]:
        done = siteproof("history", "--history", self.history, "--format", "json", cwd=self.root)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["runs"]


def scheduled(stdout: str) -> list[tuple[str, str, str]]:
    """(job id, site, node URL) of each `scheduled JOB SITE on NODE` line."""
    lines = [line.split() for line in stdout.splitlines() if line.startswith("scheduled ")]
    return [(words[1], words[2], words[4]) for words in lines]


@pytest.fixture(scope="module")
def fleet(postgres_server, tmp_path_factory):
    root = tmp_path_factory.mktemp("fleet")
    history = postgres_server.new_database()
    nodes = [ScrapydNode(root, f"node{i}") for i in (1, 2)]
    servers = []
    try:
        for node in nodes:  # booting while the egg builds
            node.start(env={"SITEPROOF_HISTORY_URL": history})
        egg = build_egg(root / "egg")
        for node in nodes:
            node.wait_ready()
        (root / "scrapy.cfg").write_text("[settings]\ndefault = crawler.settings\n\n" + "".join(
            f"[deploy:node{i}]\nurl = {node.url}\nproject = siteproof\n\n" for i, node in enumerate(nodes, 1)))
        deployed = subprocess.run([str(SCRIPTS / "scrapyd-deploy"), "-a", "--egg", str(egg)], cwd=root,
                                  capture_output=True, text=True, timeout=300)
        assert deployed.returncode == 0 and deployed.stdout.count('"status": "ok"') == 2, deployed.stderr
        for node in nodes:  # Scrapyd lists the spiders once per node, on the first schedule.json: not in the test
            assert node.get("listspiders.json?project=siteproof")["spiders"] == ["site"]
        for i in range(SITES):
            write_site(root / f"site{i}", i)
            servers.append(SiteServer(root / f"site{i}").start())
        yield Fleet(root, history, nodes, servers)
    finally:
        for server in servers:
            server.stop()
        for node in nodes:
            node.stop()


def test_four_sites_on_two_nodes_end_in_one_postgresql_history(fleet):
    node1, node2 = (node.url for node in fleet.nodes)
    first = fleet.dispatch(node1, node2)
    assert first.returncode == 0, first.stderr
    jobs = scheduled(first.stdout)
    # one job per site, each to the node with the fewest jobs: they alternate
    assert [site for _, site, _ in jobs] == [server.url("/") for server in fleet.servers]
    assert [node for _, _, node in jobs] == [node1, node2, node1, node2]
    again = fleet.dispatch(node1, node2)  # cron firing while the jobs still run
    assert again.returncode == 0, again.stderr
    assert scheduled(again.stdout) == []
    assert sorted(line.split()[1] for line in again.stdout.splitlines() if line.startswith("skipped ")) == \
        sorted(server.url("/") + ":" for server in fleet.servers)
    fleet.wait_finished({job_id for job_id, _, _ in jobs})

    runs = fleet.runs()
    assert sorted(run["site"] for run in runs) == sorted(server.url("/") for server in fleet.servers)
    for run in runs:
        assert run["complete"] and run["command"] == "crawl", run
        assert run["pages"] == 3  # home, about, the slow page
        assert run["by_rule"]["broken-link"] == 1
        assert run["by_rule"]["missing-meta-description"] == 2  # about and the slow page
        assert Path(run["out"]).parent == fleet.root / "reports" / Path(run["out"]).parent.name
        assert (Path(run["out"]) / "report.html").is_file()
    for job_id, site, node_url in jobs:
        node = next(n for n in fleet.nodes if n.url == node_url)
        log = node.job_log(job_id)
        assert "from " in log and ".egg" in log.split("from ", 1)[1].split(":", 1)[0], log[-2000:]

    # the job did what `siteproof crawl` does: the same findings for the same site
    site0 = fleet.servers[0].url("/")
    out = fleet.root / "cli-crawl"
    cli = siteproof("crawl", site0, "--config", fleet.configs[0], "--no-history", "--out", out, "-q", cwd=fleet.root,
                    env={"SITEPROOF_HISTORY_URL": fleet.history})
    assert cli.returncode == 1, cli.stderr  # the broken link is an error
    job_out = Path(next(run["out"] for run in runs if run["site"] == site0))

    def findings(folder: Path) -> Counter:
        report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        return Counter((f["rule"], f["url"], f.get("target")) for f in report["findings"])

    assert findings(job_out) == findings(out) and findings(out)

    # a node that is down is reported, and its sites go to the other node
    down = f"http://127.0.0.1:{free_port()}/"
    third = fleet.dispatch(down, node2, configs=fleet.configs[:2])
    assert third.returncode == 0, third.stderr
    assert f"node {down} is down" in third.stderr
    moved = scheduled(third.stdout)
    assert [node for _, _, node in moved] == [node2, node2]
    fleet.wait_finished({job_id for job_id, _, _ in moved})
    runs = fleet.runs()
    assert len(runs) == SITES + 2 and all(run["complete"] for run in runs)
    assert Counter(run["site"] for run in runs)[site0] == 2


def test_dispatch_refuses_a_config_without_a_site_in_one_line(tmp_path):
    (tmp_path / "empty.toml").write_text("[crawl]\nmax_pages = 5\n", encoding="utf-8")
    done = siteproof("dispatch", "--scrapyd", "http://127.0.0.1:9/", tmp_path / "empty.toml", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"siteproof: error: {tmp_path / 'empty.toml'} names no site: "
                                                 "set [site] start_urls"]
