"""Real Scrapyd nodes on loopback, and siteproof's egg as ``scrapyd-deploy`` builds it.

Each node is a ``scrapyd`` process with its own folder (eggs, logs, queues) and a
free port; it runs jobs with this interpreter, where siteproof's dependencies are
installed, and the deployed egg supplies siteproof's own code.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from support.postgres import free_port

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = Path(sys.executable).parent  # scrapyd, scrapyd-deploy and siteproof sit beside the interpreter


def build_egg(out: Path) -> Path:
    """The project's egg, built by ``scrapyd-deploy --build-egg`` from a copy of the sources
    (the build writes build/ and egg-info beside the sources it reads)."""
    src = out / "src"
    src.mkdir(parents=True)
    for name in ("pyproject.toml", "setup.py", "scrapy.cfg", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for package in ("audits", "crawler"):
        shutil.copytree(REPO / package, src / package, ignore=shutil.ignore_patterns("__pycache__"))
    egg = out / "siteproof.egg"
    done = subprocess.run([str(SCRIPTS / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=src,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and egg.is_file(), done.stderr
    return egg


class ScrapydNode:
    def __init__(self, root: Path, name: str, max_proc: int = 4):
        self.dir = root / name
        self.dir.mkdir(parents=True)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        (self.dir / "scrapyd.conf").write_text(
            "[scrapyd]\n"
            "bind_address = 127.0.0.1\n"
            f"http_port = {self.port}\n"
            "eggs_dir = eggs\nlogs_dir = logs\ndbs_dir = dbs\nitems_dir =\n"
            f"poll_interval = 0.2\nmax_proc = {max_proc}\n", encoding="utf-8")
        self.proc: subprocess.Popen | None = None

    def start(self, env: dict | None = None) -> "ScrapydNode":
        """Boot in the background (``wait_ready`` waits); ``env`` is added to the jobs' environment."""
        env = {**{k: v for k, v in os.environ.items() if k not in ("SCRAPY_SETTINGS_MODULE", "PYTHONPATH")},
               **(env or {})}
        self.proc = subprocess.Popen([str(SCRIPTS / "scrapyd")], cwd=self.dir, env=env,
                                     stdout=open(self.dir / "scrapyd.out", "wb"), stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while True:
            assert self.proc.poll() is None, (self.dir / "scrapyd.out").read_text(errors="replace")[-3000:]
            try:
                self.get("daemonstatus.json")
                return
            except OSError:
                assert time.monotonic() < deadline, "scrapyd did not start"
                time.sleep(0.1)

    def get(self, action: str) -> dict:
        with urllib.request.urlopen(self.url + action, timeout=120) as response:
            return json.loads(response.read())

    def job_log(self, job_id: str) -> str:
        return (self.dir / "logs" / "siteproof" / "site" / f"{job_id}.log").read_text(errors="replace")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
