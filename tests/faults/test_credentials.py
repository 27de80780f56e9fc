"""A URL with user:password is refused in one line that does not echo the password."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_credentials_in_the_start_url_are_refused_and_never_written(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "crawler", "crawl", "http://alice:s3cret-pw@127.0.0.1:9/",
                           "--out", str(out), "--no-history"], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "credentials in URLs are not supported" in proc.stderr
    assert "s3cret-pw" not in proc.stderr + proc.stdout and "alice" not in proc.stderr
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert not [p for p in written if "s3cret-pw" in p.read_text(errors="replace")]
