"""`siteproof check` shows its progress on a terminal (files read, then the audit) and clears it; a log gets none."""
from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def build(root: Path, pages: int = 30) -> None:
    root.mkdir()
    links = "".join(f'<a href="/p{i}/">Post {i}</a>' for i in range(pages))
    (root / "index.html").write_text(f"<title>Home</title><h1>Home</h1>{links}", encoding="utf-8")
    for i in range(pages):
        (root / f"p{i}").mkdir()
        (root / f"p{i}" / "index.html").write_text(f"<title>Post {i}</title><h1>Post {i}</h1><p>Text.</p>",
                                                   encoding="utf-8")


def check(site: Path, work: Path, stderr) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "crawler", "check", str(site), "--no-history", "--out", str(work),
                           "--format", "json"], cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=stderr,
                          timeout=120)


def test_a_terminal_sees_the_files_read_then_the_audit_and_the_line_cleared(tmp_path: Path):
    build(tmp_path / "site")
    (tmp_path / "work").mkdir()
    leader, follower = pty.openpty()
    try:
        proc = check(tmp_path / "site", tmp_path / "work", follower)
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: everything was read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert proc.returncode in (0, 1)
    text = shown.decode()
    assert "siteproof: 31 of 31 files read" in text
    assert "siteproof: 31 pages read; auditing" in text
    # Cleared before anything else is written: the notes start on a clean line.
    shown_last = re.search(r"\r(siteproof: 31 pages read; auditing, \d+s)\r( +)\rsiteproof: note:", text)
    assert shown_last and len(shown_last.group(2)) == len(shown_last.group(1))
    assert (tmp_path / "work" / "report.json").is_file()


def test_a_log_gets_no_progress_line(tmp_path: Path):
    build(tmp_path / "site")
    (tmp_path / "work").mkdir()
    proc = check(tmp_path / "site", tmp_path / "work", subprocess.PIPE)
    assert proc.returncode in (0, 1)
    assert b"\r" not in proc.stderr and b"files read" not in proc.stderr
