"""The history store survives what scheduled crawls do to it: kill -9 mid-crawl, two crawls at once."""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from support.e2e import REPO
from support.sites import EXTERNAL

from audits.history.store import HistoryStore
from crawler.siteserver import SiteServer


def _start(*args, cwd: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "crawler", *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _runs(store: Path) -> list[tuple]:
    if not store.exists():
        return []
    try:
        with sqlite3.connect(store) as conn:
            return conn.execute("SELECT id, status FROM runs").fetchall()
    except sqlite3.OperationalError:  # the schema is not there yet
        return []


def test_kill_9_mid_crawl_leaves_a_readable_store_and_the_run_incomplete(tmp_path):
    site = tmp_path / "site"
    (site / "slow").mkdir(parents=True)
    links = "".join(f'<a href="/slow/{i}/">slow {i}</a> ' for i in range(5))
    (site / "index.html").write_text(f"<title>Home</title><h1>Home</h1><p>{links}</p>", encoding="utf-8")
    (site / "_routes.toml").write_text("".join(
        f'[[route]]\npath = "/slow/{i}/"\nstatus = 200\ndelay_s = 60\n\n' for i in range(5)), encoding="utf-8")
    store = tmp_path / "history.sqlite"
    with SiteServer(site) as server:
        proc = _start("crawl", server.url("/"), "--out", tmp_path / "out", "--history", store, "-q", cwd=tmp_path)
        try:
            # the run is recorded as running, and the crawl is waiting on the slow pages
            _wait_for(lambda: _runs(store) == [(1, "running")] and server.requested("/slow/0/"))
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with HistoryStore.open(store) as history:
        (run,) = history.runs()
        assert (run.name, run.status, run.complete, run.finished_at) == ("r1", "running", False, None)
        assert history.runs(complete_only=True) == []


def test_two_crawls_of_two_sites_at_once_share_one_store(tmp_path):
    store = tmp_path / "history.sqlite"
    with SiteServer(EXTERNAL) as one, SiteServer(EXTERNAL) as two:
        procs = [_start("crawl", server.url("/"), "--out", tmp_path / f"out{i}", "--history", store, "-q",
                        cwd=tmp_path) for i, server in enumerate((one, two))]
        results = [p.communicate(timeout=120) for p in procs]
    for proc, (_, err) in zip(procs, results):
        assert proc.returncode in (0, 1), err
        assert "warning" not in err, err  # the run was recorded
    with HistoryStore.open(store) as history:
        runs = history.runs()
        assert sorted(r.site for r in runs) == sorted([one.url("/"), two.url("/")])
        assert all(r.complete for r in runs)
        for run in runs:
            pages = history.load(run.id).pages
            assert pages and all(url.startswith(run.site) for url in pages)
    with sqlite3.connect(store) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
