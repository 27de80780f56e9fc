"""A real site against a peer: siteproof, then LinkChecker, on the same static export.

    .venv/bin/python benchmarks/real_bench.py DIR [--linkchecker PATH] [--threads 10]

DIR is a real site's static export (a WordPress mirror, a built site) that you
fetched yourself; nothing of it is committed. The script serves DIR with
Python's standard-library HTTP server on 127.0.0.1, crawls it with
`siteproof crawl` (external links off: nothing leaves the machine), then,
right after, with LinkChecker (PyPI: `pip install linkchecker` into a venv of
its own; it checks only internal links by default), and prints for each the
wall time, CPU time, peak RSS, requests and connections as the server saw
them, the time split (start-up, crawl, audit and reports), and the ratio.
It also compares what each reports broken. Last, siteproof crawls the site
again, unchanged, with the history the first crawl recorded (issue 9: pages
revalidated with If-Modified-Since, 304s re-use the stored page), and prints
that re-crawl's time as a share of the first and whether its findings are
identical.

LinkChecker waits 0.1-0.6 s between two requests to one host unless the
server answers with a `LinkChecker` header and its configuration raises
`maxrequestspersecond`; the server here sends the header and LinkChecker gets
a configuration file that raises the rate, so both go as fast as the server
and the machine let them. Targets (issue 12): siteproof at
most 0.5x LinkChecker's wall time, peak RSS at most 250 MB.
"""
from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_bench import RECRAWL_TARGET, finding_keys, siteproof_command, verdict  # noqa: E402
from measure import load_note, run_measured  # noqa: E402

RATIO_TARGET = 0.5
RSS_TARGET_MB = 250
LINKCHECKER_RATE = 10000  # requests a second to one host: far above what either tool reaches here


class _Log:
    """What the server saw: request times and paths, and connections accepted."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests: list[tuple[float, str]] = []
        self.connections = 0

    def reset(self) -> None:
        with self.lock:
            self.requests.clear()
            self.connections = 0


class _Handler(SimpleHTTPRequestHandler):
    log_book: _Log

    def setup(self) -> None:
        super().setup()
        with self.log_book.lock:
            self.log_book.connections += 1

    def end_headers(self) -> None:
        # The site owner's consent LinkChecker asks for before it goes faster than a few requests a second.
        self.send_header("LinkChecker", "allow-fast")
        super().end_headers()

    def log_request(self, code="-", size="-") -> None:
        with self.log_book.lock:
            self.log_book.requests.append((time.perf_counter(), self.path))

    def log_message(self, format, *args) -> None:  # noqa: A002 - stdlib signature
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a client that hung up mid-answer is normal
            super().handle_error(request, client_address)


def serve(folder: Path, log: _Log) -> tuple[_Server, str]:
    handler = type("Handler", (_Handler,), {"log_book": log})
    server = _Server(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def start_url(folder: Path, origin: str) -> str:
    """The export's front page: index.html at the top, else the only folder holding one."""
    if (folder / "index.html").is_file():
        return origin + "/"
    tops = [p.parent for p in sorted(folder.glob("*/index.html"))]
    if len(tops) == 1:
        return f"{origin}/{tops[0].name}/"
    raise SystemExit(f"real_bench: no index.html at the top of {folder} (pass the export's root)")


def linkchecker_broken(stdout: str) -> set[str]:
    """URLs LinkChecker's CSV output calls invalid (its `valid` column is False)."""
    lines = [line for line in stdout.splitlines() if line and not line.startswith("#")]
    broken = set()
    for row in csv.DictReader(io.StringIO("\n".join(lines)), delimiter=";"):
        if row.get("valid", "").strip().lower() == "false" and row.get("urlname"):
            broken.add(unquote(row.get("url") or row["urlname"]))
    return broken


def siteproof_broken(report: dict, rules: tuple[str, ...] = ("broken-link", "broken-head-link")) -> set[str]:
    """Targets siteproof calls broken: links a visitor sees, and the <head> links LinkChecker checks too."""
    return {unquote(f.get("target") or "") for f in report.get("findings", ())
            if f["rule"] in rules and f.get("target")}


def phases(log: _Log, started: float, wall_s: float) -> str:
    if not log.requests:
        return "no requests seen"
    first, last = log.requests[0][0] - started, log.requests[-1][0] - started
    return (f"start-up {first:.1f} s, crawl {last - first:.1f} s, "
            f"after the last request (audit, reports) {wall_s - last:.1f} s")


def served_run(cmd: list[str], cwd: Path, log: _Log):
    """Run ``cmd`` against the server: what it cost, its time split, and the requests and connections it made."""
    log.reset()
    print("Running:", " ".join(cmd))
    sys.stdout.flush()
    started = time.perf_counter()
    run = run_measured(cmd, cwd)
    return run, phases(log, started, run.wall_s), len(log.requests), log.connections


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="siteproof vs LinkChecker on a real static export.")
    parser.add_argument("folder", type=Path, help="the export's root folder")
    parser.add_argument("--linkchecker", default=shutil.which("linkchecker"),
                        help="the linkchecker command (default: the one on PATH)")
    parser.add_argument("--threads", type=int, default=10, help="LinkChecker threads (its default, 10)")
    args = parser.parse_args(argv)
    folder = args.folder.resolve()
    if not folder.is_dir():
        parser.error(f"not a folder: {folder}")
    cli = siteproof_command()
    if cli is None:
        parser.error("siteproof is not installed in this Python")

    log = _Log()
    server, origin = serve(folder, log)
    url = start_url(folder, origin)
    html_files = sum(1 for _ in folder.rglob("*.htm*"))
    print(f"Site: {folder} ({html_files} HTML files), served by Python's http.server at {url}")
    print(f"Load average before: {load_note()}")
    with tempfile.TemporaryDirectory(prefix="siteproof-real-bench-") as tmp_name:
        tmp = Path(tmp_name)
        config = tmp / "siteproof.toml"
        config.write_text("[crawl]\nmax_pages = 100000\ncheck_external = false\n", encoding="utf-8")
        # A history store, as a user's crawl keeps by default: the re-crawl below revalidates against it.
        history = tmp / "history.sqlite"
        cmd = [*cli, "crawl", url, "--out", str(tmp / "out"), "--quiet", "--history", str(history),
               "--config", str(config)]
        ours, our_split, our_requests, our_connections = served_run(cmd, tmp, log)
        report_file = tmp / "out" / "report.json"
        report = json.loads(report_file.read_text()) if report_file.exists() else {}

        peer = None
        if args.linkchecker:
            rc = tmp / "linkcheckerrc"
            rc.write_text(f"[checking]\nmaxrequestspersecond={LINKCHECKER_RATE}\n", encoding="utf-8")
            peer_cmd = [args.linkchecker, "--no-status", "-f", str(rc), "-o", "csv", "-t", str(args.threads), url]
            peer, peer_split, peer_requests, peer_connections = served_run(peer_cmd, tmp, log)
        again_cmd = [*cli, "crawl", url, "--out", str(tmp / "out-again"), "--history", str(history),
                     "--config", str(config)]  # not --quiet: its summary says how many pages were unchanged
        again, again_split, again_requests, again_connections = served_run(again_cmd, tmp, log)
        again_report = tmp / "out-again" / "report.json"
        first_keys = set(finding_keys(report_file)) if report_file.exists() else set()
        again_keys = set(finding_keys(again_report)) if again_report.exists() else set()
        same_findings = first_keys == again_keys if report_file.exists() and again_report.exists() else None
        again_counts = next((line for line in again.stderr.splitlines() if "unchanged (304)" in line), "")
    server.shutdown()
    server.server_close()

    if ours.returncode not in (0, 1):
        print(f"siteproof failed (exit {ours.returncode}): {ours.stderr.strip()[-1500:]}", file=sys.stderr)
        return 2
    stats, crawl = report.get("stats", {}), report.get("crawl", {})
    print()
    print("siteproof (crawl and the full audit)")
    print(f"  wall time      {ours.wall_s:.2f} s   CPU {ours.cpu_s:.2f} s ({ours.cpu_s / ours.wall_s:.0%})   "
          f"peak RSS {ours.peak_rss_mb:.0f} MB (tree {ours.peak_tree_mb:.0f} MB)")
    print(f"  pages          {stats.get('pages', '?')}; findings {len(report.get('findings', ()))}")
    print(f"  requests       {our_requests} seen by the server ({crawl.get('requests', '?')} sent by Scrapy); "
          f"connections {our_connections} ({crawl.get('connections', '?')} opened by Scrapy)")
    print(f"  time split     {our_split}")
    print("siteproof, the unchanged re-crawl (same history store)")
    if again.returncode not in (0, 1):
        print(f"  FAILED (exit {again.returncode}): {again.stderr.strip()[-500:]}")
    else:
        share = again.wall_s / ours.wall_s
        print(f"  wall time      {again.wall_s:.2f} s   CPU {again.cpu_s:.2f} s   peak RSS {again.peak_rss_mb:.0f} MB   "
              f"{share:.0%} of the first crawl (aim at most {RECRAWL_TARGET:.0%}: "
              f"{verdict(share <= RECRAWL_TARGET and bool(same_findings))})")
        print(f"  requests       {again_requests} seen by the server; connections {again_connections}")
        print(f"  time split     {again_split}")
        print(f"  summary        {again_counts.removeprefix('siteproof: ')}")
        print(f"  findings identical to the first crawl's: {same_findings}")
        for name, keys in (("only the first crawl", first_keys - again_keys), ("only the re-crawl", again_keys - first_keys)):
            for key in sorted(keys)[:5]:
                print(f"    {name}: {' | '.join(key)[:300]}")
            if len(keys) > 5:
                print(f"    {name}: …and {len(keys) - 5} more")
    if peer is None:
        print("\nLinkChecker not found (pip install linkchecker, or --linkchecker PATH): no ratio.")
        return 0
    print("LinkChecker (links only)")
    print(f"  wall time      {peer.wall_s:.2f} s   CPU {peer.cpu_s:.2f} s ({peer.cpu_s / peer.wall_s:.0%})   "
          f"peak RSS {peer.peak_rss_mb:.0f} MB   exit {peer.returncode}")
    print(f"  requests       {peer_requests}; connections {peer_connections}")
    print(f"  time split     {peer_split}")
    ours_broken = {urlsplit(u).path for u in siteproof_broken(report)}
    theirs_broken = {urlsplit(u).path for u in linkchecker_broken(peer.stdout)
                     if urlsplit(u).netloc == urlsplit(origin).netloc}
    print()
    print("Broken links on the site (paths)")
    visible = {urlsplit(u).path for u in siteproof_broken(report, ("broken-link",))}
    print(f"  siteproof {len(ours_broken)} ({len(visible)} broken-link, the rest broken-head-link: <head> links no "
          f"visitor sees), LinkChecker {len(theirs_broken)}, both {len(ours_broken & theirs_broken)}")
    for label, only in (("only siteproof", ours_broken - theirs_broken), ("only LinkChecker", theirs_broken - ours_broken)):
        if only:
            print(f"  {label}: " + ", ".join(sorted(only)[:8]) + (" …" if len(only) > 8 else ""))
    if peer.returncode not in (0, 1):
        print(f"\nLinkChecker did not finish (exit {peer.returncode}): no ratio.")
        return 0
    ratio = ours.wall_s / peer.wall_s
    print()
    print(f"Ratio siteproof / LinkChecker wall time   {ratio:.2f}x   "
          f"(target at most {RATIO_TARGET}x: {'met' if ratio <= RATIO_TARGET else 'NOT met'})")
    print(f"Peak RSS                                  {ours.peak_rss_mb:.0f} MB   "
          f"(target at most {RSS_TARGET_MB} MB: {'met' if ours.peak_rss_mb <= RSS_TARGET_MB else 'NOT met'})")
    print(f"Load average after: {load_note()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
