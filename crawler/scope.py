"""Which URLs the crawler requests at all, and which belong to the site.

Which hosts are the site's own and which targets ``[links] ignore`` skips is
``audits.identity``'s answer; this adds what only a crawler asks. Plain Python.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from audits.config import Config
from audits.identity import FETCHED_SCHEMES, SiteIdentity


class Scope:
    def __init__(self, config: Config):
        self.identity = SiteIdentity.from_config(config)
        self._own: dict[str, bool] = {}  # URL -> internal: asked for every link of every page, about few URLs

    def fetchable(self, url: str) -> bool:
        return url.split(":", 1)[0].lower() in FETCHED_SCHEMES

    def well_formed(self, url: str) -> bool:
        """A host and, if given, a valid port: what any request needs."""
        try:
            parts = urlsplit(url)
            parts.port
        except ValueError:
            return False
        return bool(parts.hostname)

    @staticmethod
    def never_resolves(url: str) -> bool:
        """A host under .invalid, which RFC 6761 reserves to never resolve.

        Answered as a DNS error without asking any resolver: the name is known
        not to exist, and a lookup could leave the machine for nothing.
        """
        host = (urlsplit(url).hostname or "").rstrip(".")
        return host == "invalid" or host.endswith(".invalid")

    def internal(self, url: str) -> bool:
        own = self._own.get(url)
        if own is None:
            own = self._own[url] = self.identity.is_own(url)
        return own

    def ignored(self, url: str) -> bool:
        return self.identity.ignored(url)
