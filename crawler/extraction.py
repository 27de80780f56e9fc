"""Page extraction off the reactor thread, shared with a small pool of worker processes.

``extract_page`` is pure CPU (the lxml walk, phone matching, textstat
readability), about two thirds of a crawl's CPU time. On the reactor thread
every page waits for the one before it and a second CPU sits idle. So pages go
to worker processes while the reactor keeps fetching, and the spider awaits
each result. The crawl process extracts a page itself only when every worker
already has a backlog (or is still starting): it is then idle anyway, and one
worker beside it keeps two CPUs busy: as fast as two workers, measured, and
one process (~130 MB) lighter.

With a single CPU nothing can run beside the reactor, so every page is
extracted in-process, without the pickling and the extra process. A worker
costs ~2 s of CPU to start (imports, textstat's dictionary), so it is started
only once the crawl has asked for START_AT_PAGES pages: a smaller site is done
before one would pay off.

Workers are spawned, not forked: the crawl process already runs the reactor's
threads, and a forked child can inherit a lock another thread was holding. As
with any spawned process, a script that calls ``crawl()`` at import time needs
the ``if __name__ == "__main__":`` guard; the CLI and ``python -c`` do not.
"""
from __future__ import annotations

import asyncio
import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Mapping, Optional

from audits.extract import ExtractOptions, extract_page, phones_in_text
from audits.model import Page
from audits.readability import measure
from audits.sources import available_cpus

# Enough prose for measure() to score it: the first score loads textstat's
# syllable dictionary (about 1.5 s), which should not land on the first page.
_WARM_TEXT = "The clinic opens at nine in the morning, and our team will gladly help you book a visit today. " * 3


class ExtractionError(RuntimeError):
    """A worker process died (killed, out of memory, crashed): the crawl cannot go on without it."""


def worker_count(configured: int, cpus: Optional[int] = None) -> int:
    """Worker processes for ``[crawl] workers``; 0 means extract in-process."""
    cpus = available_cpus() if cpus is None else cpus
    if cpus <= 1:
        return 0
    return configured if configured > 0 else max(1, cpus - 1)


# ---------------------------------------------------------------- in the worker

_options: Optional[ExtractOptions] = None


_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """Ask Linux to SIGKILL this process when the crawl process dies, however it dies.

    A pool worker otherwise waits for work forever after a ``kill -9`` of the
    crawl (its siblings keep the call queue open), and multiprocessing's
    resource tracker waits for the workers: both would outlive the crawl by
    minutes. Once the workers are gone the tracker reads end-of-file and exits.
    Elsewhere nothing is done (no such call).
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the crawl died before the request took effect
        os._exit(1)


def _start_worker(options: ExtractOptions, parent: int) -> None:
    global _options
    _options = options
    die_with_parent(parent)
    # Ctrl-C reaches the whole process group; the crawl process decides when workers stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    measure(_WARM_TEXT, [_WARM_TEXT])
    phones_in_text("(559) 555-0142", options.phone_region)


def _ready() -> int:
    return os.getpid()


def _extract(url: str, body: bytes, status: int, headers: Mapping[str, str]) -> Page:
    return extract_page(url, body, status=status, headers=headers, options=_options)


# ---------------------------------------------------------------- in the crawl process

# Pages a worker may have queued before the crawl process extracts the next one
# itself: with two, the worker still has one to go on while the reactor spends
# a page's time (~8 ms) extracting.
BACKLOG = 2
START_AT_PAGES = 100


@contextlib.contextmanager
def _ctrl_c_ignored():
    """Spawn processes that ignore Ctrl-C from their first instruction.

    Ctrl-C reaches the whole process group; a worker (or the resource tracker)
    still importing would die of it, and the crawl would fail instead of
    stopping cleanly. An ignored SIGINT survives exec, and Python then installs
    no handler of its own. Only the main thread may change handlers.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class Extractor:
    """``await extractor.extract(...)`` -> Page, in a worker or here; ``close()`` when done."""

    def __init__(self, options: ExtractOptions, workers: int, start_at: Optional[int] = None):
        self.options = options
        self.workers = workers
        self.start_at = START_AT_PAGES if start_at is None else start_at
        self.in_workers = 0  # pages extracted by a worker
        self._pool: Optional[ProcessPoolExecutor] = None
        self._closed = False
        self._load = 0  # pages in the workers' hands, not back yet; a starting worker counts as a full backlog
        self._lock = threading.Lock()  # the pool's own thread reports work done
        self._starting: list = []
        self.expect(0)

    def expect(self, pages: int) -> None:
        """The crawl has asked for ``pages`` pages so far: start the workers once that makes them worth it."""
        if self._pool is not None or self._closed or not self.workers or pages < self.start_at:
            return
        with _ctrl_c_ignored():
            self._pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                             initializer=_start_worker, initargs=(self.options, os.getpid()))
            # Start every worker now, so their imports and warm-up overlap the next downloads.
            self._starting = [self._pool.submit(_ready) for _ in range(self.workers)]
        for future in self._starting:
            self._track(future, BACKLOG)

    async def started(self) -> None:
        """Wait until the workers are warm (until then pages are extracted here)."""
        await asyncio.gather(*map(asyncio.wrap_future, self._starting))

    def _track(self, future, weight: int) -> None:
        with self._lock:
            self._load += weight

        def done(_):
            with self._lock:
                self._load -= weight

        future.add_done_callback(done)

    async def extract(self, url: str, body: bytes, *, status: int, headers: Mapping[str, str]) -> Page:
        if self._pool is None or self._load >= BACKLOG * self.workers:
            return extract_page(url, body, status=status, headers=headers, options=self.options)
        try:
            future = self._pool.submit(_extract, url, body, status, dict(headers))
            self._track(future, 1)
            page = await asyncio.wrap_future(future)
            self.in_workers += 1
            return page
        except BrokenProcessPool:
            raise ExtractionError(f"a page extraction process died (killed, or out of memory?) while {url} "
                                  "was being extracted") from None

    def close(self) -> None:
        """Stop the workers; pages still queued are dropped. Safe to call twice."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
