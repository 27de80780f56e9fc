"""Run a child process and measure it: wall time, CPU time and peak RSS, of the child and of its process tree.

``os.wait4`` returns the resource usage of the one child it reaps, so several
runs in one script each get their own peak RSS (RUSAGE_CHILDREN would report
the largest child so far). Its CPU time includes the child's own children once
they are reaped (the crawl's extraction workers), but its peak RSS is the
largest single process. So /proc is also sampled every ~50 ms for the whole
tree: the child plus its descendants, summed. A sum of RSS counts pages shared
between processes (libraries) once per process, so it errs high.
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
    peak_tree_mb: float = 0.0  # the largest sampled sum of RSS over the child and its descendants
    peak_descendant_mb: float = 0.0  # the largest sampled RSS of any one descendant (an extraction worker)
    peak_descendants_mb: float = 0.0  # the largest sampled sum of RSS over the descendants alone
    most_descendants: int = 0  # the most descendants alive at one sample

    def rss_at(self, moment: float) -> float | None:
        """The last sampled RSS at or before ``moment`` (a time.perf_counter() value)."""
        before = [mb for t, mb in self.rss_samples if t <= moment]
        return before[-1] if before else None


class Sampler:
    """A context manager that calls ``sample()`` every ``step_s`` seconds in a thread, and once more at the end."""

    def __init__(self, step_s: float):
        self.step_s = step_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.sample()

    def sample(self) -> None:
        raise NotImplementedError

    def _run(self) -> None:
        while not self._stop.wait(self.step_s):
            self.sample()


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _children(pid: int) -> list[int]:
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tasks:  # any thread may have started a child
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as children:
                found.extend(int(c) for c in children.read().split())
        except OSError:
            pass
    return found


def _descendants(pid: int) -> list[int]:
    found, todo = [], _children(pid)
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(_children(child))
    return found


@dataclass
class _TreePeaks:
    tree_mb: float = 0.0
    descendant_mb: float = 0.0
    descendants_mb: float = 0.0
    most: int = 0


def _sample_rss(pid: int, samples: list, peaks: _TreePeaks, stop: threading.Event, step_s: float = 0.05) -> None:
    while not stop.wait(step_s):
        mb = _rss_mb(pid)
        if mb is None:
            continue
        samples.append((time.perf_counter(), mb))
        others = [r for r in map(_rss_mb, _descendants(pid)) if r is not None]
        peaks.tree_mb = max(peaks.tree_mb, mb + sum(others))
        peaks.descendants_mb = max(peaks.descendants_mb, sum(others))
        peaks.descendant_mb = max(peaks.descendant_mb, max(others, default=0.0))
        peaks.most = max(peaks.most, len(others))


def run_measured(cmd: list[str], cwd: Path) -> Measured:
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=err, text=True)
        samples: list[tuple[float, float]] = []
        peaks = _TreePeaks()
        stop = threading.Event()
        sampler = threading.Thread(target=_sample_rss, args=(proc.pid, samples, peaks, stop), daemon=True)
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
                        out.read(), err.read(), tuple(samples),
                        peak_tree_mb=max(peaks.tree_mb, usage.ru_maxrss / 1024), peak_descendant_mb=peaks.descendant_mb,
                        peak_descendants_mb=peaks.descendants_mb, most_descendants=peaks.most)


_SPIN = "import time; t = time.perf_counter()\nfor i in range(8_000_000): pass\nprint(time.perf_counter() - t)"


def parallel_capacity(processes: int | None = None) -> float:
    """How many CPUs' worth of work ``processes`` CPU-bound processes get done at once (ideally ``processes``).

    A VM can show two CPUs and still run two busy processes at half speed each;
    extraction workers can only help as far as this number exceeds 1.
    """
    import sys

    processes = processes or os.cpu_count() or 1
    alone = float(subprocess.run([sys.executable, "-c", _SPIN], capture_output=True, text=True).stdout)
    together = [subprocess.Popen([sys.executable, "-c", _SPIN], stdout=subprocess.PIPE, text=True)
                for _ in range(processes)]
    slowest = max(float(p.communicate()[0]) for p in together)
    return processes * alone / slowest


def load_note() -> str:
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    busy = "  (other work was running: wall times are inflated)" if load > cpus else ""
    return f"{load:.2f} on {cpus} CPUs{busy}"
