"""One status line on stderr, redrawn in place and cleared when the work is done.

Plain Python, so `check` can show its progress without importing Scrapy.
"""
from __future__ import annotations

import sys
import time

INTERVAL_S = 0.2  # at most five redraws a second: a terminal flooded with updates slows the work


class StatusLine:
    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.width = 0
        self.shown_at = float("-inf")

    def show(self, text: str, *, now: bool = False) -> None:
        """Redraw the line, unless it was drawn less than INTERVAL_S ago and ``now`` is false."""
        moment = time.monotonic()
        if not now and moment - self.shown_at < INTERVAL_S:
            return
        self.shown_at = moment
        pad = max(0, self.width - len(text))
        self.width = len(text)
        self.stream.write("\r" + text + " " * pad)
        self.stream.flush()

    def clear(self) -> None:
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0
