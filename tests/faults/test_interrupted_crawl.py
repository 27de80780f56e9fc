"""An interrupted crawl never looks complete, and leaves no process or earlier run behind.

`siteproof crawl` runs as a child process in its own session against a
generated site slow enough (20 ms a page, two requests at a time) to be
stopped midway; the tests signal it and read its --out folder and /proc.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from faultserver import FaultServer, answer, html

REPO = Path(__file__).resolve().parents[2]
PAGES = 400


def _generated(h) -> None:
    i = int(h.path.strip("/").split("/")[-1])
    h.server.site.sleep(0.02)
    answer(200, html(f"Page {i}", [f"/p/{(i * 7 + k) % PAGES}/" for k in range(5)]))(h)


@pytest.fixture(scope="module")
def site():
    routes = {"/": answer(200, html("Home", [f"/p/{i}/" for i in range(10)]))}
    routes.update({f"/p/{i}/": _generated for i in range(PAGES)})
    with FaultServer(routes) as server:
        urls = "".join(f"<url><loc>{server.url(f'/p/{i}/')}</loc></url>" for i in range(PAGES))
        server.routes["/sitemap.xml"] = answer(
            200, f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'.encode(),
            "application/xml")
        yield server


def _start(site: FaultServer, out: Path, *extra: str) -> subprocess.Popen:
    config = out.parent / f"{out.name}.toml"
    config.write_text("[crawl]\nconcurrency_per_host = 2\n", encoding="utf-8")
    return subprocess.Popen([sys.executable, "-m", "crawler", "crawl", site.url("/"), "--out", str(out),
                             "--config", str(config), "--format", "json", "--no-history", *extra],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _lines(path: Path) -> int:
    try:
        return path.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def _wait_for_pages(proc: subprocess.Popen, out: Path, pages: int, timeout: float = 60) -> None:
    """Until this run's record holds ``pages`` pages (its crawl.json marker says it started)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        state = out / "crawl.json"
        if state.exists() and _lines(out / "pages.jsonl") >= pages:
            try:
                if json.loads(state.read_text())["finish_reason"] is None:
                    return
            except (json.JSONDecodeError, KeyError):
                pass
        time.sleep(0.05)
    raise AssertionError(f"the crawl did not reach {pages} pages in {timeout} s")


def _children(pid: int) -> list[int]:
    """The direct children of ``pid`` (extraction workers, multiprocessing's resource tracker), from /proc."""
    kids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                kids.append(int(entry.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_ctrl_c_writes_a_partial_report_within_seconds(site, tmp_path):
    out = tmp_path / "out"
    proc = _start(site, out)
    _wait_for_pages(proc, out, 10)
    stopped = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole process group
    stdout, stderr = proc.communicate(timeout=30)
    took = time.monotonic() - stopped

    assert proc.returncode == 130, stderr
    assert took < 30, f"Ctrl-C took {took:.1f} s to stop the crawl"
    assert "interrupted by SIGINT" in stderr and "Traceback" not in stderr
    report = json.loads((out / "report.json").read_text())
    assert report["partial"] is True and report["stats"]["partial"] is True
    assert report["partial_reason"] == "interrupted by SIGINT"
    # Nothing lost: every page recorded is in the report, every page asked for and not
    # answered is listed as never reached, and the two together are less than the site.
    recorded = {json.loads(line)["url"] for line in (out / "pages.jsonl").read_text().splitlines()}
    assert {p["url"] for p in report["pages"]} == recorded
    unreached = set(report["crawl"]["unreached"])
    assert unreached and not unreached & recorded
    assert len(recorded) < PAGES + 1
    # Pages the crawl never reached are not orphans.
    assert report["stats"]["by_rule"].get("orphan-page") is None
    assert json.loads((out / "crawl.json").read_text())["complete"] is False
    assert (out / "sitemap.json").is_file()  # the pipeline finishes the whole record, interrupted or not


def test_a_second_ctrl_c_stops_at_once(site, tmp_path):
    out = tmp_path / "out"
    proc = _start(site, out)
    _wait_for_pages(proc, out, 10)
    os.killpg(proc.pid, signal.SIGINT)
    time.sleep(0.2)
    stopped = time.monotonic()
    os.killpg(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130, stderr
    assert time.monotonic() - stopped < 10
    assert "Traceback" not in stderr
    # No report claims anything about this run; the record says it did not finish.
    assert not (out / "report.json").exists()
    assert json.loads((out / "crawl.json").read_text())["complete"] is False


def test_max_pages_makes_a_partial_report(site, tmp_path):
    out = tmp_path / "out"
    proc = _start(site, out, "--max-pages", "5")
    _, stderr = proc.communicate(timeout=90)
    assert proc.returncode in (0, 1), stderr
    assert "partial crawl: max_pages (5) reached" in stderr
    report = json.loads((out / "report.json").read_text())
    assert report["partial"] is True and report["partial_reason"].startswith("max_pages (5) reached")
    assert report["stats"]["pages"] == 5
    assert report["stats"]["by_rule"].get("orphan-page") is None  # sitemap pages never crawled


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; the parent-death signal is Linux's")
def test_kill_9_leaves_no_process_and_no_earlier_report(site, tmp_path):
    out = tmp_path / "out"
    first = _start(site, out, "--max-pages", "3")
    first.communicate(timeout=90)
    assert (out / "report.json").exists()

    proc = _start(site, out)
    _wait_for_pages(proc, out, 20)
    deadline = time.monotonic() + 60  # past START_AT_PAGES pages asked for, extraction workers start
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    children = _children(proc.pid)
    assert len(children) >= 2, "expected a worker and the resource tracker"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=10)
    deadline = time.monotonic() + 15
    while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in children if _alive(pid)], "worker processes outlived the killed crawl"

    # The folder holds this run only: its partial record, and no report of the run before.
    assert not (out / "report.json").exists()
    assert not (out / "findings.csv").exists() and not (out / "sitemap.json").exists()
    state = json.loads((out / "crawl.json").read_text())
    assert state["complete"] is False and "killed" in state["partial_reason"]
    assert _lines(out / "pages.jsonl") >= 20
