"""Crawl benchmark: `siteproof crawl` against a generated site on loopback, with latency.

    .venv/bin/python benchmarks/crawl_bench.py [--pages 2000] [--latency-ms 20] [--linkinator PATH] [--no-faults]

Generates a site (benchmarks/sitegen.py, with faults: two articles cite a
reference that hangs for 55 s, one that answers 503 with Retry-After: 120, one
that is gone, and a removed post), serves it on 127.0.0.1 and its ~200 cited
external pages on 127.0.0.2 (two SiteServers, every response delayed by
--latency-ms), runs `siteproof crawl ORIGIN --out TMP --quiet` as a child
process, and prints wall time, where it went (site, external links, audit and
reports), pages/s, the peak RSS of the child and of its process tree (page
extraction runs in worker processes), requests and connections as the servers
saw them, and the ratio of the wall time to a lower bound. Targets: wall time
within 2x of the bound, peak RSS under 300 MB.

Right after, the peer: linkinator (npm) on the same served site, recursive,
`--timeout 20000`, its default concurrency: wall time, peak RSS, requests,
connections, what each tool reported broken, and the ratio siteproof /
linkinator (issue 12's aim: at most 0.6x).

Then a second, unchanged crawl of the same site into another folder, with the
same history store (the servers answer conditional requests with 304, as
nginx does): its wall time, its ratio to the first (target: at most 20 %) and
whether its findings are identical. The figures come from this run on this
machine; nothing here is asserted in tests.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import load_note, parallel_capacity, run_measured  # noqa: E402
from sitegen import FAULT_TARGETS, generate  # noqa: E402

RSS_TARGET_MB = 300
RATIO_TARGET = 2.0
RECRAWL_TARGET = 0.20  # an unchanged re-crawl's wall time, as a share of the first crawl's
PEER_TARGET = 0.6  # siteproof's wall time, as a share of linkinator's on the same site (issue 12)
FAULT_PATHS = tuple(target.format(ext="") for target in FAULT_TARGETS)  # the paths sitegen's faults are served at
PEER_TIMEOUT_MS = 20000  # linkinator's --timeout: siteproof's default [crawl] timeout_s is 20 s too
HOSTS = 2  # the site and the external server


def siteproof_command() -> list[str] | None:
    """How to run the CLI from here: the installed script, else the module, else None."""
    script = Path(sys.executable).parent / "siteproof"
    if script.exists():
        return [str(script)]
    if (ROOT / "crawler" / "cli.py").exists():
        return [sys.executable, "-m", "crawler"]
    return None


def crawl_command(origin: str, out: Path, config: Path) -> list[str]:
    cli = siteproof_command()
    if cli is not None:
        return [*cli, "crawl", origin + "/", "--out", str(out), "--quiet", "--config", str(config)]
    # Before the CLI existed: the crawl alone (no audit, no reports), per docs/dev/INTERFACES.md.
    code = ("import sys; from pathlib import Path; from audits.config import load_config; from crawler.run import crawl; "
            "c = load_config(sys.argv[3]).with_start_urls([sys.argv[1]]); crawl(c, Path(sys.argv[2]), progress=False)")
    return [sys.executable, "-c", code, origin + "/", str(out), str(config)]


def write_config(path: Path, pages: int, concurrency: int, per_host: int) -> None:
    path.write_text(
        "[site]\n"
        'phone = "(559) 555-0142"\n'
        "[crawl]\n"
        f"max_pages = {pages + 100}\n"
        f"concurrency = {concurrency}\n"
        f"concurrency_per_host = {per_host}\n"
        "check_external = true\n",
        encoding="utf-8",
    )


def finding_keys(report: Path) -> list[tuple]:
    findings = json.loads(report.read_text())["findings"]
    return sorted((f["rule"], f["url"], f.get("target") or "", f["message"]) for f in findings)


def verdict(ok: bool) -> str:
    return "MET" if ok else "NOT MET"


def linkinator_command(linkinator: str, origin: str) -> list[str]:
    # Its default concurrency (100 requests at once, no per-host limit) is left as it ships.
    return [linkinator, origin + "/", "--recurse", "--timeout", str(PEER_TIMEOUT_MS), "--format", "json"]


def linkinator_broken(stdout: str) -> set[str]:
    """URLs linkinator's JSON output calls BROKEN."""
    try:
        links = json.loads(stdout)["links"]
    except (ValueError, KeyError):
        return set()
    return {link["url"] for link in links if link.get("state") == "BROKEN"}


def siteproof_flagged(report: Path) -> tuple[set[str], set[str]]:
    """Targets of siteproof's broken-link and unverifiable-link findings."""
    findings = json.loads(report.read_text())["findings"] if report.exists() else []
    targets = lambda rule: {f["target"] for f in findings if f["rule"] == rule and f.get("target")}  # noqa: E731
    return targets("broken-link"), targets("unverifiable-link")


class Traffic:
    """What the servers saw during one run: requests, HEADs, connections, and when (for the time split)."""

    def __init__(self, servers: dict):
        self.servers = servers  # label -> SiteServer

    def __enter__(self):
        for server in self.servers.values():
            server.clear_requests()
        self._connections = {label: s.connections_opened for label, s in self.servers.items()}
        self.started = time.monotonic()
        return self

    def __exit__(self, *exc):
        self.requests = {label: list(s.requests) for label, s in self.servers.items()}
        self.times = {label: list(s.request_times) for label, s in self.servers.items()}
        self.connections = sum(s.connections_opened - self._connections[label] for label, s in self.servers.items())
        # The servers stamp requests with time.monotonic(); measure.py's RSS samples use perf_counter().
        self._perf_offset = time.perf_counter() - time.monotonic()

    @property
    def network_s(self) -> float:
        """First to last request seen by any server."""
        stamps = [t for times in self.times.values() for t in times]
        return max(stamps) - min(stamps) if stamps else 0.0

    @property
    def last_perf(self) -> float | None:
        """When the last request arrived, on time.perf_counter()'s clock."""
        stamps = [t for times in self.times.values() for t in times]
        return max(stamps) + self._perf_offset if stamps else None

    @property
    def total(self) -> int:
        return sum(map(len, self.requests.values()))

    @property
    def heads(self) -> int:
        return sum(1 for reqs in self.requests.values() for m, _ in reqs if m == "HEAD")

    def asked(self, paths: tuple[str, ...]) -> str:
        """How often each of ``paths`` was requested (retries show here)."""
        counts = {p: sum(1 for reqs in self.requests.values() for _, q in reqs if q == p) for p in paths}
        return ", ".join(f"{p} x{n}" for p, n in counts.items())

    def split(self, wall_s: float) -> str:
        """Where the wall time went: each server's first to last request, then the time after the last."""
        parts, last = [], 0.0
        for label, times in self.times.items():
            if times:
                first, end = times[0] - self.started, times[-1] - self.started
                parts.append(f"{label} requests {first:.1f}-{end:.1f} s")
                last = max(last, end)
        return ", ".join(parts + [f"after the last request {wall_s - last:.1f} s"]) if parts else "no requests seen"


def main(argv: list[str] | None = None) -> int:
    from audits.config import CrawlConfig
    from crawler.siteserver import SiteServer, load_routes

    parser = argparse.ArgumentParser(description="Benchmark `siteproof crawl` on a generated loopback site.")
    parser.add_argument("--pages", type=int, default=2000, help="pages in the generated site (default 2000)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="delay added to every response (default 20)")
    parser.add_argument("--concurrency-per-host", type=int, default=CrawlConfig.concurrency_per_host,
                        help=f"[crawl] concurrency_per_host (default {CrawlConfig.concurrency_per_host})")
    parser.add_argument("--concurrency", type=int, default=CrawlConfig.concurrency,
                        help=f"[crawl] concurrency, requests in flight in all (default {CrawlConfig.concurrency})")
    parser.add_argument("--linkinator", default=shutil.which("linkinator"),
                        help="the linkinator command to compare with (default: the one on PATH; none: no peer run)")
    parser.add_argument("--no-faults", action="store_true",
                        help="a site without the faults (issue 9's unchanged re-crawl: a hanging citation, checked "
                             "again on every run, would set its floor)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print where it is")
    args = parser.parse_args(argv)
    if args.linkinator == "none":
        args.linkinator = None

    latency = args.latency_ms / 1000
    tmp = Path(tempfile.mkdtemp(prefix="siteproof-crawl-bench-"))
    try:
        external_root = tmp / "gen" / "external"
        external_root.mkdir(parents=True)
        with SiteServer(external_root, host="127.0.0.2", latency_s=latency) as ext:
            t0 = time.perf_counter()
            gen = generate(tmp / "gen", pages=args.pages, external_origin=ext.origin, faults=not args.no_faults)
            gen_s = time.perf_counter() - t0
            ext.routes = load_routes(ext.root)  # the fault routes were written after the server started
            with SiteServer(gen.site, host="127.0.0.1", latency_s=latency) as site:
                config, out = tmp / "siteproof.toml", tmp / "out"
                write_config(config, args.pages, args.concurrency, args.concurrency_per_host)
                cmd = crawl_command(site.origin, out, config)
                print(f"Generated {gen.pages} pages ({gen.html_bytes / gen.pages / 1024:.1f} KB of HTML each), "
                      f"{gen.external_urls} external pages, {gen.assets} assets in {gen_s:.1f} s")
                print(f"Site {site.origin}/, external {ext.origin}/, latency {args.latency_ms:g} ms per response")
                if gen.fault_pages:
                    print(f"Faults: articles {', '.join(map(str, gen.fault_pages))} cite {ext.origin}/ref/slow/ "
                          "(hangs 55 s), /ref/busy/ (503, Retry-After: 120), /ref/gone/ (404) and link "
                          "/blog/removed-post/")
                else:
                    print("Faults: none (--no-faults)")
                print(f"Load average before: {load_note()}")
                cpus = os.cpu_count() or 1
                print(f"CPU capacity: {cpus} CPU-bound processes at once get {parallel_capacity(cpus):.2f} CPUs' worth "
                      "of work done (page extraction workers can only help above 1)")
                print("Running:", " ".join(cmd[:2] + ["…"] if "-c" in cmd else cmd))
                sys.stdout.flush()
                servers = {"site": site, "external": ext}
                with Traffic(servers) as ours:
                    run = run_measured(cmd, tmp)
                load_after = load_note()
                site_reqs, ext_reqs = ours.requests["site"], ours.requests["external"]
                peer = peer_traffic = None
                if args.linkinator:
                    peer_cmd = linkinator_command(args.linkinator, site.origin)
                    print("Running the peer right after:", " ".join(peer_cmd))
                    sys.stdout.flush()
                    with Traffic(servers) as peer_traffic:
                        peer = run_measured(peer_cmd, tmp)
                site.clear_requests()
                ext.clear_requests()
                out2 = tmp / "out-again"
                # Not --quiet: the summary line says how many pages were unchanged.
                again_cmd = [arg for arg in crawl_command(site.origin, out2, config) if arg != "--quiet"]
                print("Running the unchanged re-crawl:", " ".join(again_cmd))
                sys.stdout.flush()
                with Traffic(servers) as again_traffic:
                    again = run_measured(again_cmd, tmp)
                again_304 = len(site.answered(304))
                again_reqs = len(site.requests) + len(ext.requests)
        report = out / "report.json"
        # Without the CLI (crawl only) there is no report: count the page URLs the server served.
        pages_done = (json.loads(report.read_text())["stats"]["pages"] if report.exists()
                      else len({p for _, p in site_reqs if p == "/" or p.startswith("/blog/")}))
        same_findings = None
        if report.exists() and (out2 / "report.json").exists():
            same_findings = finding_keys(report) == finding_keys(out2 / "report.json")
        summary_again = next((line for line in again.stderr.splitlines() if "unchanged (304)" in line), "")
        flagged = siteproof_flagged(report)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    if run.returncode not in (0, 1):
        print(f"\nThe crawl failed (exit {run.returncode}):\n{run.stderr.strip()[-2000:]}", file=sys.stderr)
        return 2
    wall, cpu_s, peak_mb = run.wall_s, run.cpu_s, run.peak_rss_mb
    site_urls = {p for _, p in site_reqs}
    ext_urls = {p for _, p in ext_reqs}
    distinct = len(site_urls) + len(ext_urls)
    total = len(site_reqs) + len(ext_reqs)
    heads = sum(1 for m, _ in site_reqs + ext_reqs if m == "HEAD")

    effective = min(args.concurrency, args.concurrency_per_host * HOSTS)
    bound = distinct * latency / effective
    per_host_bound = max(len(site_urls), len(ext_urls)) * latency / min(args.concurrency, args.concurrency_per_host)
    ratio = wall / bound if bound else float("inf")
    network = ours.network_s
    rss_crawled = run.rss_at(ours.last_perf) if ours.last_perf is not None else None

    print()
    print("Results")
    print(f"  exit status            {run.returncode} ({'no findings at error level' if run.returncode == 0 else 'findings'})")
    print(f"  pages crawled          {pages_done} of {gen.pages}" + ("" if pages_done == gen.pages else "  (INCOMPLETE)"))
    print(f"  wall time              {wall:.2f} s  (child process: start-up, crawl, audit, reports)")
    print(f"  network phase          {network:.2f} s  (first to last request seen by the servers)")
    print(f"  pages/s                {pages_done / wall:.1f}")
    print(f"  requests               {total} in all ({heads} HEAD), {distinct} distinct URLs "
          f"({len(site_urls)} on the site, {len(ext_urls)} external); {ours.connections} TCP connections opened")
    print(f"  time split             {ours.split(wall)}")
    print("                         (after the last request: answers still awaited, e.g. a timeout, then audit and reports)")
    print(f"  faulty URLs asked      {ours.asked(FAULT_PATHS)}")
    print(f"  CPU time (child)       {cpu_s:.2f} s  ({cpu_s / wall:.0%} of the wall time: near 100% means CPU-bound)")
    print(f"  peak RSS (child)       {peak_mb:.0f} MB" + (
        f"  ({rss_crawled:.0f} MB when the last request was answered; the rest is audit and reports)"
        if rss_crawled is not None else ""))
    if run.most_descendants:
        print(f"  peak RSS (workers)     {run.most_descendants} processes: largest {run.peak_descendant_mb:.0f} MB, "
              f"together {run.peak_descendants_mb:.0f} MB")
    print(f"  peak RSS (tree)        {run.peak_tree_mb:.0f} MB  (child and workers summed at one sample; "
          "shared library pages count once per process)")
    print(f"  load average after     {load_after}")
    print()
    print("Lower bound")
    print(f"  Requests in flight at best = min(total concurrency {args.concurrency}, "
          f"per-host concurrency {args.concurrency_per_host} x {HOSTS} hosts) = {effective}.")
    print(f"  Each distinct URL costs at least {args.latency_ms:g} ms, so no crawl can finish sooner than")
    print(f"  {distinct} URLs x {args.latency_ms:g} ms / {effective} = {bound:.2f} s.")
    print(f"  (Tighter, per host: {max(len(site_urls), len(ext_urls))} URLs on the busiest host x "
          f"{args.latency_ms:g} ms / {min(args.concurrency, args.concurrency_per_host)} = {per_host_bound:.2f} s, "
          f"because the external host has too few URLs to keep its slots busy; ratio to it {wall / per_host_bound:.2f}x.)")
    print(f"  ratio wall / bound     {ratio:.2f}x")
    if network:
        print(f"  crawl phase alone      {pages_done / network:.1f} pages/s, {network / bound:.2f}x the bound "
              "(the network phase, without start-up, audit and reports)")
    print()
    print("Targets")
    print(f"  wall time within {RATIO_TARGET:g}x of the bound   {ratio:.2f}x   {verdict(ratio <= RATIO_TARGET)}")
    print(f"  peak RSS under {RSS_TARGET_MB} MB            {peak_mb:.0f} MB   {verdict(peak_mb < RSS_TARGET_MB)}")
    print(f"    ... whole process tree           {run.peak_tree_mb:.0f} MB   "
          f"{verdict(run.peak_tree_mb < RSS_TARGET_MB)}")
    print()
    print("Unchanged re-crawl (same site, same history store)")
    if again.returncode not in (0, 1):
        print(f"  FAILED (exit {again.returncode}): {again.stderr.strip()[-500:]}")
    else:
        share = again.wall_s / wall
        print(f"  wall time              {again.wall_s:.2f} s  ({share:.0%} of the first crawl's {wall:.2f} s)")
        print(f"  requests               {again_reqs} in all, {again_304} answered 304 Not Modified")
        print(f"  time split             {again_traffic.split(again.wall_s)}")
        print(f"  faulty URLs asked      {again_traffic.asked(FAULT_PATHS)}")
        print(f"  CPU time (child)       {again.cpu_s:.2f} s;  peak RSS {again.peak_rss_mb:.0f} MB")
        print(f"  summary                {summary_again.removeprefix('siteproof: ')}")
        print(f"  findings identical     {same_findings}")
        print(f"  re-crawl at most {RECRAWL_TARGET:.0%} of the first   {share:.0%}   "
              f"{verdict(share <= RECRAWL_TARGET and bool(same_findings))}")
    print_peer(peer, peer_traffic, run, flagged, args.linkinator)
    if args.keep:
        print(f"\nKept {tmp} (report in {out})")
    return 0


def print_peer(peer, traffic, ours, flagged: tuple[set[str], set[str]], linkinator: str | None) -> None:
    print()
    if peer is None:
        print("Peer: linkinator not found (npm install linkinator, then --linkinator PATH): no ratio.")
        return
    version = subprocess.run([linkinator, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"Peer: linkinator {version or '?'} on the same served site (recursive, --timeout {PEER_TIMEOUT_MS}, "
          "its default concurrency of 100)")
    if not peer.stdout.strip():
        print(f"  FAILED (exit {peer.returncode}): {peer.stderr.strip()[-800:]}")
        return
    print(f"  wall time              {peer.wall_s:.2f} s   CPU {peer.cpu_s:.2f} s   peak RSS {peer.peak_rss_mb:.0f} MB   "
          f"exit {peer.returncode}")
    print(f"  requests               {traffic.total} in all ({traffic.heads} HEAD); "
          f"{traffic.connections} TCP connections opened")
    print(f"  time split             {traffic.split(peer.wall_s)}")
    print(f"  faulty URLs asked      {traffic.asked(FAULT_PATHS)}")
    broken, unverifiable = flagged
    theirs = linkinator_broken(peer.stdout)
    print("  reported broken        "
          f"siteproof {len(broken)} broken + {len(unverifiable)} unverifiable; linkinator {len(theirs)} broken")
    for label, urls in (("siteproof broken", broken), ("siteproof unverifiable", unverifiable),
                        ("linkinator broken", theirs)):
        if urls:
            print(f"    {label}: " + ", ".join(sorted(urls)[:8]) + (" …" if len(urls) > 8 else ""))
    ratio = ours.wall_s / peer.wall_s
    print(f"  ratio siteproof / linkinator wall time   {ratio:.2f}x   "
          f"(target at most {PEER_TARGET}x: {verdict(ratio <= PEER_TARGET)})")
    print(f"  peak RSS siteproof / linkinator          {ours.peak_rss_mb:.0f} / {peer.peak_rss_mb:.0f} MB")


if __name__ == "__main__":
    raise SystemExit(main())
