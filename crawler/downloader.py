"""Scrapy's downloader and resolver, each with one thing set right (see each class)."""
from __future__ import annotations

from scrapy.core.downloader import Downloader
from scrapy.resolver import CachingThreadedResolver
from twisted.internet._resolver import HostResolution
from twisted.internet.abstract import isIPv6Address
from twisted.internet.address import IPv6Address
from twisted.internet.interfaces import IHostnameResolver
from zope.interface import implementer


class PoliteDownloader(Downloader):
    """Scrapy's downloader with its per-host concurrency limit enforced again.

    Scrapy 2.19 starts each download in an asyncio task that runs later, and
    counts a request as transferring only once that task runs. The loop that hands
    queued requests to the network therefore sees a free slot every time and sends
    the whole queue at once: with ``CONCURRENT_REQUESTS_PER_DOMAIN = 2`` a small
    clinic server got 15 requests at a time. Counting the request when it is
    handed on, not when its task starts, restores the limit. ``_download`` adds it
    again (a set, so no harm) and removes it when the answer is in.
    """

    def _wait_for_download(self, slot, request, queue_dfd):
        slot.transferring.add(request)
        return super()._wait_for_download(slot, request, queue_dfd)


@implementer(IHostnameResolver)
class _LiteralHosts:
    """A name resolver answering IP literals itself and asking ``inner`` for names.

    Twisted wraps a simple resolver such as Scrapy's in a converter that only
    ever yields IPv4 addresses, so ``http://[::1]:8000/`` failed as a DNS error.
    """

    def __init__(self, inner):
        self.inner = inner

    def resolveHostName(self, receiver, hostName, portNumber=0, addressTypes=None, transportSemantics="TCP"):
        if not isIPv6Address(hostName):
            return self.inner.resolveHostName(receiver, hostName, portNumber, addressTypes, transportSemantics)
        resolution = HostResolution(hostName)
        receiver.resolutionBegan(resolution)
        receiver.addressResolved(IPv6Address("TCP", hostName, portNumber))
        receiver.resolutionComplete()
        return resolution


class Resolver(CachingThreadedResolver):
    """Scrapy's caching resolver (with DNS_TIMEOUT), plus IPv6 literal hosts."""

    def install_on_reactor(self) -> None:
        super().install_on_reactor()
        self.reactor.installNameResolver(_LiteralHosts(self.reactor.nameResolver))
