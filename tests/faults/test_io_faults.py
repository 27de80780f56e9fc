"""Input/output faults (issue 11), each through the real CLI: output that must stay
linear, input that must stay bounded, a disk that fills up, hostile configuration.

Every test asserts the outcome, that the run ended well inside a time bound, and
that nothing was lost (the pages it could read are all in report.json).
"""
from __future__ import annotations

import contextlib
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from support.e2e import REPO, siteproof

from crawler.siteserver import SiteServer

BOUND_S = 60  # generous: each of these runs takes a second or two


def run(*args, cwd: Path):
    started = time.monotonic()
    proc = siteproof(*args, cwd=cwd, timeout=BOUND_S)
    return proc, time.monotonic() - started


def shared_title_site(root: Path, pages: int) -> Path:
    """`pages` pages all titled "Blog", each linking to the next so none is an orphan."""
    root.mkdir(parents=True, exist_ok=True)
    for i in range(pages):
        (root / f"p{i}.html").write_text(
            f'<html><head><title>Blog</title><meta name="description" content="Same words."></head>'
            f'<body><h1>Post {i}</h1><a href="/p{(i + 1) % pages}.html">next</a></body></html>',
            encoding="utf-8")
    return root


def test_shared_titles_grow_the_report_linearly(tmp_path):
    sizes = {}
    for n in (100, 400):
        site = shared_title_site(tmp_path / f"site{n}", n)
        out = tmp_path / f"out{n}"
        proc, took = run("check", site, "--out", out, "--format", "text", "--format", "markdown",
                         "--fail-on", "error", "-q", cwd=tmp_path)
        assert proc.returncode == 0, proc.stderr
        assert took < BOUND_S
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        assert len(report["pages"]) == n
        dups = [f for f in report["findings"] if f["rule"] == "duplicate-title"]
        assert len(dups) == n  # one finding per page, as the contract's rule table says
        # Evidence is O(1): the group's id and size, never the other pages.
        assert all(not any(isinstance(v, list) for v in f["evidence"].values()) for f in dups)
        assert {f["evidence"]["group_size"] for f in dups} == {n}
        groups = {(g["rule"], g["group"]): g for g in report["duplicate_groups"]}
        title = groups[("duplicate-title", dups[0]["evidence"]["group"])]
        assert sorted(title["pages"]) == sorted(f["url"] for f in dups)  # each page listed once
        assert title["value"] == "Blog"
        assert any(g["rule"] == "duplicate-meta-description" and len(g["pages"]) == n for g in groups.values())
        csv_rows = (out / "findings.csv").read_text(encoding="utf-8").splitlines()
        assert max(len(r) for r in csv_rows) < 1000
        text = (out / "report.txt").read_text(encoding="utf-8")
        assert text.count(title["group"]) == 1  # the text report names the group once
        sizes[n] = sum((out / name).stat().st_size for name in ("report.json", "findings.csv", "report.html"))
    # 4x the pages, about 4x the bytes (quadratic output would be 16x).
    assert sizes[400] / sizes[100] < 5, sizes


def test_out_of_range_config_is_one_line_and_exit_2(tmp_path):
    site = shared_title_site(tmp_path / "site", 2)
    for line, key in (("timeout_s = nan", "crawl.timeout_s"), ("max_pages = -1", "crawl.max_pages"),
                      ("concurrency = 0", "crawl.concurrency")):
        (tmp_path / "siteproof.toml").write_text(f"[crawl]\n{line}\n", encoding="utf-8")
        for args in (("check", site), ("crawl", "http://127.0.0.1:9/")):
            proc, took = run(*args, cwd=tmp_path)
            assert proc.returncode == 2, (args, proc.stderr)
            assert key in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
            assert "Traceback" not in proc.stderr and took < BOUND_S


def test_check_reads_only_regular_files_within_the_size_cap(tmp_path):
    site = shared_title_site(tmp_path / "site", 3)
    (site / "zero.html").symlink_to("/dev/zero")
    os.mkfifo(site / "page.html")
    big = site / "big.html"
    with big.open("wb") as fh:  # sparse: 3 MB on a 1 MB cap costs no disk
        fh.truncate(3 * 2**20)
    (site / "alias.html").symlink_to(site / "p0.html")  # a symlink to a regular file is read
    (tmp_path / "siteproof.toml").write_text("[crawl]\nmax_response_mb = 1\n", encoding="utf-8")
    out = tmp_path / "out"
    proc, took = run("check", site, "--out", out, cwd=tmp_path)
    assert took < BOUND_S and proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    urls = {p["url"].rsplit("/", 1)[1] for p in report["pages"]}
    assert urls == {"p0", "p1", "p2", "alias"}  # every readable page, nothing else
    for name, why in (("zero.html", "a device"), ("page.html", "a FIFO"), ("big.html", "3.0 MB, over")):
        note = next(n for n in report["notes"] if n.startswith(f"skipped site/{name}:"))
        assert why in note
        assert f"{name}: " in proc.stderr  # the same note on stderr
    assert report["stats"]["partial"] is True  # 4 of 7 pages: site-wide rules judge only those

    # Given directly, the FIFO is skipped too, and a check of nothing readable is a one-line error.
    proc, took = run("check", site / "page.html", cwd=tmp_path)
    assert proc.returncode == 2 and took < BOUND_S
    assert "FIFO" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


@contextlib.contextmanager
def full_disk(tmp_path: Path, size_kb: int = 16):
    """A real tiny file system (tmpfs) where we may mount one; else the same limit as RLIMIT_FSIZE.

    Yields (folder to write into, preexec_fn for the child).
    """
    mount = tmp_path / "small"
    mount.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mount)],
                             capture_output=True).returncode == 0
    limit = None
    if not mounted:
        def limit():  # Python ignores SIGXFSZ, so an over-limit write fails with EFBIG like a full disk
            resource.setrlimit(resource.RLIMIT_FSIZE, (size_kb * 1024, size_kb * 1024))
    try:
        yield mount, limit
    finally:
        if mounted:
            subprocess.run(["umount", str(mount)], check=False)


def run_limited(args, cwd: Path, limit):
    # No .pyc writes: under RLIMIT_FSIZE a truncated .pyc would break later imports.
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "crawler", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=BOUND_S, preexec_fn=limit)
    return proc, time.monotonic() - started


def test_a_full_disk_is_one_line_and_exit_2(tmp_path):
    site = shared_title_site(tmp_path / "site", 120)
    with full_disk(tmp_path) as (small, limit):
        # check: the report files do not fit
        proc, took = run_limited(("check", site, "--out", small / "check", "-q"), tmp_path, limit)
        assert proc.returncode == 2 and took < BOUND_S, proc.stderr
        assert proc.stderr.startswith("siteproof: error: cannot write ") and len(proc.stderr.splitlines()) == 1
        assert not list((small / "check").glob(".*.tmp"))  # no half-written temporary left behind
        # crawl: the crawl record does not fit either
        with SiteServer(site) as server:
            proc, took = run_limited(("crawl", server.origin + "/p0.html", "--out", small / "crawl", "-q"),
                                     tmp_path, limit)
        assert proc.returncode == 2 and took < BOUND_S, proc.stderr
        assert "Traceback" not in proc.stderr and len(proc.stderr.splitlines()) == 1, proc.stderr[-2000:]
        assert proc.stderr.startswith("siteproof: error: cannot write ")


def test_deep_nesting_loses_no_link_silently_and_latin1_decodes_as_a_browser_does(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    tail = '<a href="/gone.html">gone</a><a href="/index.html">home</a></body></html>'
    (site / "index.html").write_text(
        '<html><head><title>Home</title></head><body><a href="/font.html">f</a><a href="/deep.html">d</a>'
        '<a href="/latin.html">l</a></body></html>', encoding="utf-8")
    (site / "font.html").write_text("<html><head><title>Font</title></head><body>"
                                    + "<p><font>text" * 300 + tail, encoding="utf-8")
    (site / "deep.html").write_text("<html><head><title>Deep</title></head><body>"
                                    + "<div>" * 3000 + tail, encoding="utf-8")
    (site / "latin.html").write_bytes("<html><head><title>Déjà vu naïve</title></head><body>Crème brûlée</body></html>"
                                      .encode("latin-1"))
    out = tmp_path / "out"
    proc, took = run("check", site, "--out", out, cwd=tmp_path)
    assert proc.returncode == 1 and took < BOUND_S, proc.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    findings = {(f["rule"], f["url"].rsplit("/", 1)[1], (f["target"] or "").rsplit("/", 1)[-1])
                for f in report["findings"]}
    assert ("broken-link", "font", "gone.html") in findings  # 300 unclosed <p><font>: read to the end
    assert ("unparsable-page", "deep", "") in findings  # 3,000 levels: parser stops, and says so
    titles = {p["url"].rsplit("/", 1)[1]: p["title"] for p in report["pages"]}
    assert titles["latin"] == "Déjà vu naïve"


def test_hostile_strings_cannot_drive_the_terminal_or_break_markdown(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(
        "<html><head><title>\x1b]0;pwned\x07Clinic\x1b[2J</title></head><body><h1>Hi</h1>"
        '<a href="/rtl\u202egpj.exe">x</a><a href="/a|b.html">pipe</a></body></html>', encoding="utf-8")
    out = tmp_path / "out"
    proc, took = run("check", site, "--out", out, "--format", "text", "--format", "markdown", "--format", "github",
                     cwd=tmp_path)
    assert proc.returncode == 1 and took < BOUND_S, proc.stderr
    outputs = {name: (out / name).read_text(encoding="utf-8") for name in ("report.txt", "summary.md")}
    outputs["stdout"] = proc.stdout  # the streamed formats, github annotations among them
    for name, text in outputs.items():
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, name
    assert "<U+202E>" in (out / "report.txt").read_text(encoding="utf-8")
    for row in (out / "summary.md").read_text(encoding="utf-8").splitlines():
        if row.startswith("| ") and "broken-link" in row:
            assert row.count(" | ") == 4, row  # five cells: a | in the URL does not add one
