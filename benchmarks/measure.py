"""Run a child process and measure it: wall time, CPU time and peak RSS of that child alone.

``os.wait4`` returns the resource usage of the one child it reaps, so several
runs in one script each get their own peak RSS (RUSAGE_CHILDREN would report
the largest child so far).
"""
from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measured:
    returncode: int
    wall_s: float
    cpu_s: float  # user + system time of the child
    peak_rss_mb: float
    stdout: str
    stderr: str
    rss_samples: tuple[tuple[float, float], ...] = ()  # (time.perf_counter(), RSS in MB) every ~50 ms

    def rss_at(self, moment: float) -> float | None:
        """The last sampled RSS at or before ``moment`` (a time.perf_counter() value)."""
        before = [mb for t, mb in self.rss_samples if t <= moment]
        return before[-1] if before else None


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _sample_rss(pid: int, samples: list, stop: threading.Event, step_s: float = 0.05) -> None:
    while not stop.wait(step_s):
        mb = _rss_mb(pid)
        if mb is not None:
            samples.append((time.perf_counter(), mb))


def run_measured(cmd: list[str], cwd: Path) -> Measured:
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, text=True)
        samples: list[tuple[float, float]] = []
        stop = threading.Event()
        sampler = threading.Thread(target=_sample_rss, args=(proc.pid, samples, stop), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        stop.set()
        sampler.join()
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; Popen must not wait again
        out.seek(0)
        err.seek(0)
        return Measured(proc.returncode, wall, usage.ru_utime + usage.ru_stime,
                        usage.ru_maxrss / 1024,  # KiB on Linux
                        out.read(), err.read(), tuple(samples))


def load_note() -> str:
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    busy = "  (other work was running: wall times are inflated)" if load > cpus else ""
    return f"{load:.2f} on {cpus} CPUs{busy}"
