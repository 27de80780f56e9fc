"""orphan-page: sitemap URLs that no crawled page links to."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterator
from urllib.parse import urlsplit

from audits.identity import page_key
from audits.model import Hit
from audits.registry import site_rule

if TYPE_CHECKING:
    from audits.site import Site


@site_rule("orphan-page", "warning")
def orphan_page(site: "Site", opts: None) -> Iterator[Hit]:
    """A page listed in sitemap.xml that no crawled page links to.

    **Why it matters.** Visitors can only reach an orphan page from search or
    a bookmark, and search engines treat a page the site itself never links
    to as unimportant.

    **Example.** An old campaign landing page still listed in the sitemap but
    removed from every menu and post.

    **How to fix.** Link the page from a related post or the menu, or drop it
    from the sitemap (and redirect it) if it is obsolete. Links count whatever
    their form: `/a` and `/a/`, `http://` and `https://`, `www.` or not, with
    a fragment or not, or through a redirect. A page linking only to itself
    does not count, nor do asset references. Not reported: the home page and
    start URLs, sitemap URLs that answer with an error (a broken sitemap
    entry, not an orphan), and nothing at all when no sitemap was found or
    only some files of a site were checked. A sitemap naming another host
    (a preview or local build serving the production sitemap) is read by
    its paths; with `canonical_url` set, another host's URLs are left out.
    """
    if not site.sitemap_found or site.partial:
        return
    linked: set[str] = set()
    for page in site.pages.values():
        own = page_key(page.url)
        for link in page.links:
            if link.context == "asset":
                continue
            fetch = site.fetch(link.target)
            for url in (link.target, fetch.final_url if fetch and fetch.final_url else None):
                if url and page_key(url) != own:
                    linked.add(page_key(url))
    cfg = site.config
    homes = {page_key(u) for u in cfg.site.start_urls}
    homes |= {page_key(f"{p.scheme}://{p.netloc}/") for p in map(urlsplit, cfg.site.start_urls)}
    if cfg.canonical_origin:
        homes.add(page_key(cfg.canonical_origin + "/"))
    reported: set[str] = set()
    for url in site.sitemap_pages():
        key = page_key(url)
        if key in homes or key in linked or key in reported:
            continue
        fetch = site.fetch(url)
        page = site.page_at(url)
        if (fetch and fetch.is_broken) or (page and page.status >= 400):
            continue
        if fetch and fetch.final_url and page_key(fetch.final_url) in linked | homes:
            continue
        reported.add(key)
        yield Hit(
            f"{url} is listed in the sitemap but no crawled page links to it; "
            "link it from a related page or the menu, or drop it from the sitemap.",
            url=url, evidence={"in_sitemap": True, "crawled": page is not None},
        )
