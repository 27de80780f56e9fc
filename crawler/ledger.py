"""What was requested and how each URL resolved, with redirect chains composed.

The spider follows ``Location`` itself. Each URL is requested at most once per
method; when a redirect points at a URL that is already resolved or in flight,
the chain is completed from that URL's outcome instead of fetching it again.
A redirect back into a chain that is still waiting is a loop, named on every
URL of the cycle. Plain Python (no Scrapy) so it is tested on its own.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional

from audits.model import Fetch, Hop

HEAD, GET = 1, 2


@dataclass(frozen=True)
class PendingHop:
    """A URL that answered with a redirect and waits for where it leads."""

    status: int
    location: str
    method: str
    external: bool
    elapsed_ms: Optional[float] = None


class Ledger:
    def __init__(self, max_redirects: int = 10):
        self.max_redirects = max_redirects
        self._claimed: dict[str, int] = {}  # url -> HEAD|GET bits
        self._done: dict[str, Fetch] = {}
        self._pending: dict[str, PendingHop] = {}
        self._waiters: dict[str, list[str]] = {}  # url -> URLs whose redirect points at it

    def claim(self, url: str, method: str) -> bool:
        """True when ``url`` should be requested with ``method`` now.

        A GET answers everything a HEAD would, so a HEAD is never sent after a
        GET; a GET after a HEAD is, because only a body can be parsed.
        """
        have = self._claimed.get(url, 0)
        bit = GET if method == "GET" else HEAD
        if have & GET or have & bit:
            return False
        self._claimed[url] = have | bit
        return True

    def claimed(self, url: str) -> bool:
        return url in self._claimed

    def done(self, url: str) -> Optional[Fetch]:
        return self._done.get(url)

    @property
    def unresolved(self) -> int:
        return len(self._pending)

    def resolve(self, fetch: Fetch) -> list[Fetch]:
        """Record the final outcome of ``fetch.url``; return it and every chain it completes."""
        out = [fetch]
        self._done[fetch.url] = fetch
        stack = [fetch]
        while stack:
            target = stack.pop()
            for url in self._waiters.pop(target.url, ()):
                hop = self._pending.pop(url, None)
                if hop is None:
                    continue
                composed = self._compose(url, hop, target)
                self._done[url] = composed
                out.append(composed)
                stack.append(composed)
        return out

    def redirect(self, url: str, hop: PendingHop, hops_so_far: int = 0) -> tuple[list[Fetch], Optional[str]]:
        """``url`` answered ``hop.status`` pointing at ``hop.location``.

        Returns the fetches this resolves (a loop, an over-long chain, or a chain
        into a known URL) and the URL to request next, if any. ``hops_so_far``
        counts redirects already followed to reach ``url`` in this request line.
        """
        first = Hop(url, hop.status)
        if hops_so_far + 1 > self.max_redirects:
            fetch = Fetch(url=url, error="too-many-redirects", redirect_chain=(first,),
                          final_url=hop.location, method=hop.method, external=hop.external,
                          elapsed_ms=hop.elapsed_ms)
            return self.resolve(fetch), None
        if hop.location == url or self._leads_to(hop.location, url):
            self._pending[url] = hop
            return self._loop(url), None
        known = self._done.get(hop.location)
        if known is not None:
            return self.resolve(self._compose(url, hop, known)), None
        self._pending[url] = hop
        self._waiters.setdefault(hop.location, []).append(url)
        return [], hop.location

    def _leads_to(self, start: str, goal: str) -> bool:
        seen = set()
        url = start
        while url in self._pending and url not in seen:
            seen.add(url)
            url = self._pending[url].location
            if url == goal:
                return True
        return False

    def _loop(self, url: str) -> list[Fetch]:
        cycle = [url]
        nxt = self._pending[url].location
        while nxt != url:
            cycle.append(nxt)
            nxt = self._pending[nxt].location
        members = set(cycle)
        # Cycle members wait on each other; unhook them so only outside waiters compose.
        for member in cycle:
            waiting = self._waiters.get(member)
            if waiting:
                self._waiters[member] = [w for w in waiting if w not in members]
        hops = [self._pending[m] for m in cycle]
        out: list[Fetch] = []
        for i, member in enumerate(cycle):
            order = list(range(i, len(cycle))) + list(range(0, i))
            chain = tuple(Hop(cycle[j], hops[j].status) for j in order)
            hop = hops[i]
            del self._pending[member]
            out.extend(self.resolve(Fetch(url=member, error="redirect-loop", redirect_chain=chain,
                                          final_url=member, method=hop.method, external=hop.external,
                                          elapsed_ms=hop.elapsed_ms)))
        return out

    def _compose(self, url: str, hop: PendingHop, target: Fetch) -> Fetch:
        chain = (Hop(url, hop.status), *target.redirect_chain)
        error = target.error
        if error is None and len(chain) > self.max_redirects:
            error = "too-many-redirects"
        return replace(target, url=url, error=error, redirect_chain=chain, method=hop.method,
                       external=hop.external, elapsed_ms=hop.elapsed_ms,
                       status=None if error == "too-many-redirects" else target.status)
