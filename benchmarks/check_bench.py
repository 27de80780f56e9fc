"""Check benchmark: `siteproof check BUILD_DIR` on a generated 2,000-page build folder.

    .venv/bin/python benchmarks/check_bench.py [--pages 2000] [--latency-ms 20] [--concurrency-per-host 8]

Two runs on the same folder (benchmarks/sitegen.py, internal links root-relative,
sitemap.xml with a fixed canonical origin):

1. offline: internal links are checked against the files, external links are not;
2. with --external: the ~200 cited external URLs are also checked, against a
   SiteServer on 127.0.0.2 that delays every response by --latency-ms.

Prints wall time, pages/s, CPU time and peak RSS of each child process, and the
offline run against the target (8 s for 2,000 pages, scaled to --pages). If this
checkout's `siteproof` has no `check` command (or no --external) yet, it says so
instead of failing. Nothing here is asserted in tests.
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from crawl_bench import siteproof_command  # noqa: E402
from measure import Measured, load_note, run_measured  # noqa: E402
from sitegen import generate  # noqa: E402

CHECK_TARGET_S = 8.0  # `check` of 2,000 pages (issue 12); scaled to --pages
CANONICAL = "https://valley-bench.test"  # .test is reserved: the folder's URLs are labels, never fetched


def check_available(cli: list[str], cwd: Path) -> str | None:
    """None when `siteproof check` exists; otherwise why not, in one line."""
    probe = run_measured([*cli, "check", "--help"], cwd)
    if probe.returncode != 0:
        last = (probe.stderr.strip().splitlines() or ["no output"])[-1]
        return f"`siteproof check` is not available in this checkout yet ({last})"
    if "--external" not in probe.stdout:
        return "`siteproof check` has no --external option yet"
    return None


def report_pages(out: Path) -> int | None:
    report = out / "report.json"
    return json.loads(report.read_text())["stats"]["pages"] if report.exists() else None


def show(label: str, run: Measured, pages: int | None, extra: str = "") -> None:
    print(f"\n{label}")
    print(f"  exit status      {run.returncode}")
    print(f"  pages audited    {pages}")
    print(f"  wall time        {run.wall_s:.2f} s  (child process: start-up, reading files, audit, reports)")
    if pages:
        print(f"  pages/s          {pages / run.wall_s:.1f}")
    print(f"  CPU time         {run.cpu_s:.2f} s  ({run.cpu_s / run.wall_s:.0%} of the wall time)")
    print(f"  peak RSS         {run.peak_rss_mb:.0f} MB")
    if extra:
        print(extra)


def failed(run: Measured, out: Path) -> str | None:
    """Why a run failed, or None. Exit 1 means findings, but a traceback exits 1 too: want the report."""
    if run.returncode in (0, 1) and (out / "report.json").exists():
        return None
    tail = run.stderr.strip().splitlines()
    return tail[-1] if tail else f"exit status {run.returncode}"


def main(argv: list[str] | None = None) -> int:
    from audits.config import CrawlConfig
    from crawler.siteserver import SiteServer

    parser = argparse.ArgumentParser(description="Benchmark `siteproof check` on a generated build folder.")
    parser.add_argument("--pages", type=int, default=2000, help="pages in the generated folder (default 2000)")
    parser.add_argument("--latency-ms", type=float, default=20.0, help="delay of the external server (default 20)")
    parser.add_argument("--concurrency-per-host", type=int, default=CrawlConfig.concurrency_per_host,
                        help=f"[crawl] concurrency_per_host for --external (default {CrawlConfig.concurrency_per_host})")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder and print where it is")
    args = parser.parse_args(argv)

    cli = siteproof_command()
    if cli is None:
        print("The `siteproof` command is not available in this checkout yet (no crawler/cli.py): nothing to measure.")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="siteproof-check-bench-"))
    try:
        missing = check_available(cli, tmp)
        if missing:
            print(f"{missing}: nothing to measure. Run this script again once it exists.")
            return 0
        (tmp / "gen" / "external").mkdir(parents=True)
        with SiteServer(tmp / "gen" / "external", host="127.0.0.2", latency_s=args.latency_ms / 1000) as ext:
            gen = generate(tmp / "gen", pages=args.pages, external_origin=ext.origin, site_origin=CANONICAL)
            config = tmp / "siteproof.toml"
            config.write_text(f'[site]\ncanonical_url = "{CANONICAL}"\nphone = "(559) 555-0142"\n'
                              f"[crawl]\nconcurrency_per_host = {args.concurrency_per_host}\n", encoding="utf-8")
            print(f"Generated {gen.pages} pages ({gen.html_bytes / gen.pages / 1024:.1f} KB of HTML each) in {gen.site}")
            print(f"External server {ext.origin}/ ({gen.external_urls} pages, {args.latency_ms:g} ms per response)")
            print(f"Load average before: {load_note()}")

            base = [*cli, "check", str(gen.site), "--config", str(config), "--quiet"]
            offline = run_measured([*base, "--out", str(tmp / "out-offline")], tmp)
            reason = failed(offline, tmp / "out-offline")
            if reason:
                print(f"\n`siteproof check` failed: {reason}")
                return 2
            show("check (offline: files only, external links not checked)", offline, report_pages(tmp / "out-offline"))
            target = CHECK_TARGET_S * args.pages / 2000
            print(f"  target           under {target:g} s for {args.pages:,} pages (issue 12: 8 s for 2,000)   "
                  f"{'MET' if offline.wall_s < target else 'NOT MET'}  (load average now: {load_note()})")
            if ext.requests:
                print(f"  note: the offline run sent {len(ext.requests)} requests to the external server")

            ext.clear_requests()
            online = run_measured([*base, "--external", "--out", str(tmp / "out-external")], tmp)
            reason = failed(online, tmp / "out-external")
            if reason:
                print(f"\n`siteproof check --external` is not working in this checkout yet: {reason}")
                return 0
            distinct = len({p for _, p in ext.requests})
            show("check --external (external links checked on 127.0.0.2)", online, report_pages(tmp / "out-external"),
                 f"  external requests {len(ext.requests)} ({distinct} distinct URLs of {gen.external_urls})")
            print(f"\nLoad average after: {load_note()}")
    finally:
        if args.keep:
            print(f"\nKept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
