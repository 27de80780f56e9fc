"""What a crawl yields: audits.model.Page and Fetch as they are, and SitemapUrls."""
from dataclasses import dataclass

from audits.model import Fetch, Page

__all__ = ["Fetch", "Page", "SitemapUrls"]


@dataclass(frozen=True)
class SitemapUrls:
    """A sitemap was found: the page URLs it lists (none for an index that only names other sitemaps)."""

    urls: tuple[str, ...] = ()
