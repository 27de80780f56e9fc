"""Fleet benchmark: generated sites dispatched to one, then two, local Scrapyd nodes.

    .venv/bin/python benchmarks/fleet_bench.py [--sites 20] [--pages 200] [--max-proc 2]

Generates one site (benchmarks/sitegen.py) and serves it on --sites loopback
ports, so each is a site of its own to siteproof; its cited external pages are
served on 127.0.0.2. Starts a PostgreSQL server (the shared history), builds
the egg with scrapyd-deploy, then twice: starts N Scrapyd nodes (N = 1, then 2;
each runs at most --max-proc jobs at once), deploys the egg, runs `siteproof
dispatch` with every site's config, and waits until every job has finished.
Prints, for each: total wall time from dispatch to the last job's end, jobs per
minute, and the peak memory of one job (the crawl process and its extraction
worker, sampled from /proc every 0.2 s), then the ratio of the two runs.

Both node counts run on this one machine, so they share its CPUs: the ratio
says what a second node process gains here, not what a second machine would.
Nothing here is asserted in tests; the figures come from this run.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # the tests' real PostgreSQL and Scrapyd helpers
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Sampler, _descendants, _rss_mb, load_note  # noqa: E402
from sitegen import generate  # noqa: E402
from support.postgres import PostgresServer, binaries  # noqa: E402
from support.scrapyd import SCRIPTS, ScrapydNode, build_egg  # noqa: E402

_JOB = re.compile(r"_job=(\S+)")


class JobMemory(Sampler):
    """Peak RSS of each job's process tree: Scrapyd's runner processes are the nodes' children."""

    def __init__(self, nodes: list[ScrapydNode], step_s: float = 0.2):
        super().__init__(step_s)
        self.nodes = nodes
        self.peaks: dict[str, float] = {}

    def sample(self) -> None:
        for node in self.nodes:
            for pid in _descendants(node.proc.pid):
                job = _job_of(pid)
                if job is None:
                    continue  # an extraction worker: counted with its job below
                total = (_rss_mb(pid) or 0.0) + sum(_rss_mb(c) or 0.0 for c in _descendants(pid))
                self.peaks[job] = max(self.peaks.get(job, 0.0), total)


def _job_of(pid: int) -> str | None:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return None
    if "scrapyd.runner" not in cmdline:
        return None
    found = _JOB.search(cmdline)
    return found.group(1) if found else None


def write_configs(root: Path, servers, pages: int) -> list[Path]:
    configs = []
    for i, server in enumerate(servers):
        path = root / f"site{i:02d}.toml"
        path.write_text(f'[site]\nstart_urls = ["{server.url("/")}"]\n\n'
                        f'[crawl]\nmax_pages = {pages + 10}\ntimeout_s = 20\n\n'
                        '[history]\nurl = "$SITEPROOF_HISTORY_URL"\n\n'
                        f'[report]\ndir = "{root}/reports/{{site}}/{{run}}"\n', encoding="utf-8")
        configs.append(path)
    return configs


def run_fleet(root: Path, nodes_count: int, egg: Path, history: str, configs: list[Path], max_proc: int) -> dict:
    nodes = [ScrapydNode(root, f"n{nodes_count}-{i}", max_proc=max_proc) for i in range(1, nodes_count + 1)]
    for node in nodes:
        node.start(env={"SITEPROOF_HISTORY_URL": history})
    try:
        for node in nodes:
            node.wait_ready()
        cfg = root / f"deploy{nodes_count}" / "scrapy.cfg"
        cfg.parent.mkdir()
        cfg.write_text("[settings]\ndefault = crawler.settings\n\n" + "".join(
            f"[deploy:node{i}]\nurl = {n.url}\nproject = siteproof\n\n" for i, n in enumerate(nodes, 1)))
        deployed = subprocess.run([str(SCRIPTS / "scrapyd-deploy"), "-a", "--egg", str(egg)], cwd=cfg.parent,
                                  capture_output=True, text=True)
        if deployed.returncode != 0:
            raise SystemExit(f"scrapyd-deploy failed: {deployed.stderr}")
        for node in nodes:
            node.get("listspiders.json?project=siteproof")  # Scrapyd lists the spiders once, before timing
        with JobMemory(nodes) as memory:
            started = time.perf_counter()
            dispatched = subprocess.run([str(SCRIPTS / "siteproof"), "dispatch",
                                         *[a for n in nodes for a in ("--scrapyd", n.url)], *map(str, configs)],
                                        cwd=root, capture_output=True, text=True)
            if dispatched.returncode != 0:
                raise SystemExit(f"dispatch failed: {dispatched.stderr}")
            jobs = {line.split()[1] for line in dispatched.stdout.splitlines() if line.startswith("scheduled ")}
            while True:
                finished = {j["id"] for n in nodes for j in n.get("listjobs.json")["finished"]}
                if jobs <= finished:
                    break
                time.sleep(0.5)
            wall = time.perf_counter() - started
        logs = [n.job_log(j) for n in nodes for j in jobs if (n.dir / "logs" / "siteproof" / "site" / f"{j}.log").exists()]
        failed = [log for log in logs if "Traceback" in log or "[crawler.job] INFO: siteproof" not in log]
        return {"nodes": nodes_count, "jobs": len(jobs), "wall_s": wall, "jobs_per_min": len(jobs) / wall * 60,
                "peak_job_mb": max(memory.peaks.values(), default=0.0),
                "median_job_mb": statistics.median(memory.peaks.values()) if memory.peaks else 0.0,
                "failed": len(failed)}
    finally:
        for node in nodes:
            node.stop()


def main(argv: list[str] | None = None) -> int:
    from crawler.siteserver import SiteServer

    parser = argparse.ArgumentParser(description="Benchmark `siteproof dispatch` on one and two local Scrapyd nodes.")
    parser.add_argument("--sites", type=int, default=20, help="sites to dispatch (default 20)")
    parser.add_argument("--pages", type=int, default=200, help="pages per site (default 200)")
    parser.add_argument("--max-proc", type=int, default=2, help="jobs one node runs at once (default 2)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print where it is")
    args = parser.parse_args(argv)
    bin_dir = binaries()
    if bin_dir is None:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")

    tmp = Path(tempfile.mkdtemp(prefix="siteproof-fleet-bench-"))
    servers = []
    try:
        (tmp / "gen" / "external").mkdir(parents=True)
        with PostgresServer(bin_dir) as postgres, \
                SiteServer(tmp / "gen" / "external", host="127.0.0.2") as ext:
            gen = generate(tmp / "gen", pages=args.pages, external_origin=ext.origin)
            servers = [SiteServer(gen.site).start() for _ in range(args.sites)]
            configs = write_configs(tmp, servers, args.pages)
            print(f"{args.sites} sites of {gen.pages} pages ({gen.external_urls} external pages on {ext.origin}), "
                  f"{args.max_proc} jobs at once per node; {os.cpu_count()} CPUs; load before: {load_note()}")
            t0 = time.perf_counter()
            egg = build_egg(tmp / "egg")
            print(f"egg built by scrapyd-deploy in {time.perf_counter() - t0:.1f} s")
            results = []
            for count in (1, 2):
                result = run_fleet(tmp, count, egg, postgres.new_database(), configs, args.max_proc)
                results.append(result)
                print(f"{count} node(s): {result['jobs']} jobs in {result['wall_s']:.1f} s wall, "
                      f"{result['jobs_per_min']:.2f} jobs/min; peak memory of one job {result['peak_job_mb']:.0f} MB "
                      f"(median {result['median_job_mb']:.0f} MB); jobs that failed: {result['failed']}; "
                      f"load after: {load_note()}")
                sys.stdout.flush()
            one, two = results
            print(f"two nodes / one node: jobs per minute x{two['jobs_per_min'] / one['jobs_per_min']:.2f}, "
                  f"wall x{two['wall_s'] / one['wall_s']:.2f}")
    finally:
        for server in servers:
            server.stop()
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
