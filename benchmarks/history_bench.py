"""History store at scale: 50 runs of a 2,000-page site, a few changes each.

Runs are recorded through the store API (what a crawl's end records), not by
crawling 50 times: the figures are the store's. Prints the store size, the
first run's size against an unchanged re-run's increment, and the wall time of
`siteproof history` and `siteproof diff` on the full store (each run in a fresh
process, as a user runs them).

    python benchmarks/history_bench.py [--runs 50] [--pages 2000]
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from audits.history.facts import Outcome, PageFacts, RunSnapshot  # noqa: E402
from audits.history.store import HistoryStore, store_size  # noqa: E402

SITE = "https://clinic.example/"
RULES = [("missing-alt", "warning"), ("broken-link", "error"), ("hard-to-read", "warning"),
         ("phone-format", "info"), ("duplicate-title", "warning")]


def first_snapshot(n_pages: int, rng: random.Random) -> RunSnapshot:
    pages, findings, outcomes = {}, [], {}
    for i in range(n_pages):
        url = f"{SITE}blog/post-{i}/"
        article = i % 3 != 0
        pages[url] = PageFacts(url=url, status=200, title=f"Post {i}: a title of usual length | Clinic",
                               meta_description=f"What post {i} is about, in a sentence or two for the search results page.",
                               h1=f"Post {i}", canonical=url, word_count=rng.randint(150, 1800),
                               grade=round(rng.uniform(5, 14), 1) if article else None, is_article=article,
                               body_hash=f"{rng.getrandbits(128):032x}")
        for j in range(3):  # three links a page to distinct targets
            target = f"{SITE}blog/post-{(i * 7 + j) % n_pages}/" if j else f"https://ext{i % 400}.example/ref/{i}"
            outcomes[target] = Outcome(target=target, status=200)
        if i % 2 == 0:  # a finding on every other page
            rule, severity = RULES[i % len(RULES)]
            findings.append({"rule": rule, "severity": severity, "url": url, "target": None,
                             "message": f"{rule} on post {i}: a message a person can act on, of typical length.",
                             "evidence": {"line": 40 + i % 30}, "fingerprint": f"{i:032x}"})
    return RunSnapshot(findings=tuple(findings), pages=pages, outcomes=outcomes)


def mutate(snap: RunSnapshot, rng: random.Random, n_changes: int) -> RunSnapshot:
    """A few edits: titles and bodies changed, a link broken or mended, a finding fixed or planted."""
    pages, outcomes, findings = dict(snap.pages), dict(snap.outcomes), list(snap.findings)
    urls = list(pages)
    for _ in range(n_changes):
        url = rng.choice(urls)
        pages[url] = replace(pages[url], title=f"Retitled {rng.getrandbits(32):x}", body_hash=f"{rng.getrandbits(128):032x}",
                             word_count=pages[url].word_count + rng.randint(-20, 20))
        target = rng.choice(list(outcomes))
        outcomes[target] = replace(outcomes[target], status=404 if outcomes[target].status == 200 else 200)
        if findings and rng.random() < 0.5:
            findings.pop(rng.randrange(len(findings)))
        else:
            findings.append({"rule": "broken-link", "severity": "error", "url": url, "target": target,
                             "message": f"Link to {target} returns 404.", "evidence": {"status": 404},
                             "fingerprint": f"{rng.getrandbits(128):032x}"})
    return RunSnapshot(findings=tuple(findings), pages=pages, outcomes=outcomes)


def record(store: HistoryStore, snap: RunSnapshot, day: int) -> int:
    run_id = store.begin_run(site=SITE, command="crawl", started_at=f"2026-10-{1 + day % 28:02d}T03:00:{day % 60:02d}Z",
                             tool_version="0.1.0", config_fingerprint="bench", out="/srv/siteproof-report")
    store.finish_run(run_id, snap, finished_at=f"2026-10-{1 + day % 28:02d}T03:20:00Z", links_checked=len(snap.outcomes))
    return run_id


def timed_cli(*args: str) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one `siteproof ...` in a fresh process.

    CPU time is printed beside wall time because this machine is shared: under
    load the wall time is mostly waiting for a core.
    """
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "crawler", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"siteproof {' '.join(args)} failed: {proc.stderr.strip()}")
    return elapsed, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _fmt(figures: tuple[float, float]) -> str:
    return f"{figures[0]:.2f} s wall, {figures[1]:.2f} s CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--changes", type=int, default=5, help="edits between two runs")
    args = parser.parse_args()
    rng = random.Random(8)
    with tempfile.TemporaryDirectory(prefix="history-bench-") as tmp:
        path = Path(tmp) / "history.sqlite"
        store = HistoryStore.open(path)
        empty = store_size(store)
        snap = first_snapshot(args.pages, rng)
        started = time.perf_counter()
        record(store, snap, 0)
        first_s = time.perf_counter() - started
        first = store_size(store) - empty
        started = time.perf_counter()
        record(store, snap, 1)  # unchanged re-run
        rerun_s = time.perf_counter() - started
        unchanged = store_size(store) - empty - first
        record_times = []
        for day in range(2, args.runs):
            snap = mutate(snap, rng, args.changes)
            started = time.perf_counter()
            record(store, snap, day)
            record_times.append(time.perf_counter() - started)
        total = store_size(store)
        store.close()
        copies = first * args.runs
        history_s = min(timed_cli("history", "--history", str(path)) for _ in range(3))
        diff_s = min(timed_cli("diff", "--history", str(path)) for _ in range(3))
        diff_json_s = min(timed_cli("diff", "r1", f"r{args.runs}", "--format", "json", "--history", str(path))
                          for _ in range(3))
        baseline_s = min(timed_cli("--version") for _ in range(3))
    findings = len(snap.findings)
    print(f"history store: {args.runs} runs of a {args.pages:,}-page site ({len(snap.outcomes):,} link targets, "
          f"~{findings:,} findings), {args.changes} changes between runs")
    print(f"  first run:            {first / 1024:8.0f} KiB  (recorded in {first_s:.2f} s)")
    print(f"  unchanged re-run:     {unchanged / 1024:8.0f} KiB  = {unchanged / first:.1%} of the first run "
          f"(recorded in {rerun_s:.2f} s)")
    print(f"  store after {args.runs} runs: {total / 1024:8.0f} KiB  = {total / copies:.1%} of {args.runs} full copies "
          f"({copies / 1024:.0f} KiB); median record {sorted(record_times)[len(record_times) // 2]:.2f} s")
    print(f"  `siteproof history`:            {_fmt(history_s)} (best of 3; `siteproof --version`: {_fmt(baseline_s)})")
    print(f"  `siteproof diff` (newest two):  {_fmt(diff_s)}")
    print(f"  `siteproof diff r1 r{args.runs} --format json`: {_fmt(diff_json_s)}")
    print(f"  load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
