"""Work done in a forked child while this process does other work (2 CPUs: the audit's tail ran on one).

The child reads what it inherited (nothing is sent to it) and sends back only the answer.
Only a process with one thread forks: a forked child may inherit a lock another thread was
holding (a crawl's audit runs beside Twisted's threads, and does its work here instead).
"""
from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from typing import Any, Callable


# Below this many pages a fork costs more than the rule or the report file it would run apart.
MIN_PAGES = 100


def can_fork() -> bool:
    return hasattr(os, "fork") and sys.platform.startswith("linux") and threading.active_count() == 1


def worth_forking(pages: int) -> bool:
    """Whether work on a site of ``pages`` pages should run in a forked child (and can here)."""
    return pages >= MIN_PAGES and can_fork()


class Forked:
    """``func(*args)`` worked out in a forked child; ``result()`` waits for it.

    An exception raised there is raised here; a child that dies without answering (killed,
    out of memory) has ``func`` run here, so the answer never depends on whether the fork worked.
    """

    def __init__(self, func: Callable[..., Any], *args: Any):
        self.func, self.args = func, args
        # The child flushes its copy of these buffers when it ends: empty them first, or it prints them again.
        sys.stdout.flush()
        sys.stderr.flush()
        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe(duplex=False)
        self._process = context.Process(target=self._child, args=(child_end,), daemon=True)
        self._process.start()
        child_end.close()
        self.pid = self._process.pid

    def _child(self, conn) -> None:
        try:
            answer = ("ok", self.func(*self.args))
        except BaseException as exc:  # noqa: BLE001 - raised again in the parent
            answer = ("raised", exc)
        conn.send(answer)
        conn.close()

    def result(self) -> Any:
        try:
            kind, value = self._conn.recv()
        except (EOFError, OSError):
            kind, value = "ok", self.func(*self.args)
        finally:
            self._conn.close()
            self._process.join()
        if kind == "raised":
            raise value
        return value
