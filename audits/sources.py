"""Where pages come from besides a live crawl: local HTML, a stored crawl, a few URLs.

``siteproof check public/`` audits what a static-site generator or a WordPress
export wrote, with no server. Each file becomes the page the site would serve
(``blog/a/index.html`` -> ``/blog/a/``, ``blog/a.html`` -> ``/blog/a``), is
extracted exactly like a crawled page, and every internal link is "fetched" by
looking its path up in the folder the way a static host would (the file, then
``.html``, then ``/index.html``): 200 when something answers, 404 when nothing
does. The result is the same ``Page``/``Fetch`` data a crawl records, so every
rule runs unchanged. Nothing here touches the network: external links stay
unchecked unless the caller hands in a checker (the CLI's ``--external``).
"""
from __future__ import annotations

import dataclasses
import mimetypes
import multiprocessing
import os
import posixpath
import stat
import sys
import threading
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional, Sequence
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from audits import store
from audits.config import Config, ConfigError
from audits.site import Site
from audits.extract import anchors_of, extract_options, extract_page
from audits.sniff import media_type_of
from audits.identity import FETCHED_SCHEMES, SiteIdentity
from audits.model import Fetch, Page
from audits.sitemap import parse_sitemap

HTML_SUFFIXES = (".html", ".htm")
INDEX_FILES = ("index.html", "index.htm")
# Static hosts (GitHub Pages, Netlify, Cloudflare Pages) answer missing paths with this page.
ERROR_PAGES = ("404.html", "404.htm")
SITEMAP_FILES = ("sitemap.xml", "sitemap_index.xml", "wp-sitemap.xml")
# Used when no canonical_url is configured: the URLs are only labels for the files then.
FALLBACK_ORIGIN = "http://localhost"
# Rules that compare pages with each other, so they only judge the pages given.
SITE_WIDE_RULES = ("orphan-page", "duplicate-title", "duplicate-meta-description", "irrelevant-related-post")

# Checks external URLs (each page once, [links] ignore already applied; with a #fragment when
# a link's fragment must be judged, so its ids are read) under the given configuration's
# [crawl] settings and returns a Fetch per URL (keyed without the fragment); the CLI passes
# the crawler's checker for --external. audits/ itself never fetches.
ExternalChecker = Callable[[Sequence[str], Config], Iterable[Fetch]]
# Fetches a few URLs (a staging draft) and returns the records; see pages_from_urls.
UrlFetcher = Callable[[Config], Iterable["Page | Fetch"]]


@dataclass
class LocalSite:
    """Pages and fetches from a non-crawl source, ready for ``Site.build``.

    ``notes`` are one-line remarks the CLI should print (and the report may
    show): a guessed origin or site root, partial input and what it affects.
    """

    pages: list[Page]
    fetches: list[Fetch]
    config: Config
    partial: bool = False
    crawled: bool = False  # True when the pages were fetched (a few URLs), not read from disk
    sitemap_urls: tuple[str, ...] = ()
    sitemap_found: bool = False
    notes: list[str] = field(default_factory=list)
    origin: str = ""
    root: Optional[Path] = None

    @property
    def note(self) -> str:
        """The notes as one line (empty when there is nothing to say)."""
        return "; ".join(self.notes)

    def site(self) -> Site:
        return Site.build(self.pages, self.fetches, self.config, sitemap_urls=self.sitemap_urls,
                          sitemap_found=self.sitemap_found, partial=self.partial, crawled=self.crawled)


# ---------------------------------------------------------------- local files


def unreadable(path: str | Path, max_bytes: int) -> Optional[str]:
    """Why a file must not be read (None when it may): only regular files, no larger than the crawler reads.

    Checked before opening: a FIFO blocks open() forever and /dev/zero never ends.
    A symlink counts as what it points to.
    """
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"cannot read it ({exc.strerror or exc})"
    if not stat.S_ISREG(st.st_mode):
        kind = ("a FIFO" if stat.S_ISFIFO(st.st_mode) else "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(
            st.st_mode) else "a socket" if stat.S_ISSOCK(st.st_mode) else "a folder" if stat.S_ISDIR(st.st_mode)
            else "special")
        return f"not a regular file ({kind})"
    if st.st_size > max_bytes:
        return f"{st.st_size / 2**20:.1f} MB, over [crawl] max_response_mb = {max_bytes / 2**20:g}"
    return None


def read_capped(path: str | Path, max_bytes: int) -> bytes:
    """A regular file's bytes, never more than ``max_bytes`` (it may grow after the check)."""
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise OSError(f"grew over {max_bytes} bytes while being read")
    return data


def max_bytes(config: Config) -> int:
    return int(config.crawl.max_response_mb * 2**20)


def pages_from_paths(paths: Sequence[str | Path], config: Config, *,
                     site_root: str | Path | None = None,
                     external_checker: Optional[ExternalChecker] = None,
                     path_base: str | Path | None = None,
                     progress: Optional[Callable[[int, int], None]] = None) -> LocalSite:
    """Read HTML files and folders as the pages of the site rooted at ``site_root``.

    ``site_root`` defaults to the folder given; for files, to the topmost
    folder above them that has an ``index.html``, without leaving the
    repository or the working directory (so ``public/blog/a.html`` finds
    ``public/``). Only .html/.htm files are read; others given are skipped. Links are resolved against the
    whole root even when only some files are given; the result is ``partial``
    then. ``source_path`` on pages is relative to ``path_base`` (default: the
    working directory) when the file is under it, so CI annotations point at
    the repository file. ``progress(done, total)`` is called as each file is read.
    """
    if not paths:
        raise ConfigError("nothing to check: give HTML files or a build folder")
    given = [Path(p) for p in paths]
    for p in given:
        if not p.exists():
            raise ConfigError(f"no such file or folder: {p}")
    notes: list[str] = []
    root = _site_root(given, site_root, notes)
    tree = _Tree(root)
    home, home_doc = _home_page(tree, config)  # what the build says of itself: its address, its base path
    origin = config.canonical_origin
    if not origin:
        origin, named_by = _declared_origin(tree, config, home, home_doc)
        if origin:
            notes.append(f"no [site] canonical_url configured: taking {origin}, which {named_by} names; "
                         "set canonical_url to say otherwise")
        else:
            origin = FALLBACK_ORIGIN
            notes.append(f"no [site] canonical_url configured: pages are mapped to {FALLBACK_ORIGIN}, "
                         "and absolute links to the real domain count as external")
        config = dataclasses.replace(config, site=dataclasses.replace(config.site, canonical_url=origin))
    served_under = _base_path(tree, home_doc)
    if served_under:
        notes.append(f"links carry the base path {served_under}/ (a site served under a folder, as a GitHub Pages "
                     f"project site is): the folder is read as {served_under}/")
    mapper = _UrlMap(origin, config, served_under)
    base = Path(path_base) if path_base is not None else Path.cwd()

    options = extract_options(config)
    shown_root = _display_path(root, base)
    cap = max_bytes(config)
    jobs = []
    for rel in dict.fromkeys(_html_files(given, tree.root)):
        shown = rel if shown_root == "." else f"{shown_root}/{rel}"
        why = unreadable(tree.root / rel, cap)
        if why:
            notes.append(f"skipped {shown}: {why}")
            continue
        jobs.append((str(tree.root / rel), mapper.url_for(rel), 404 if rel.lower() in ERROR_PAGES else 200,
                     shown, options, cap))
    pages = _extract_all(jobs, config.crawl.workers, progress)

    total = tree.html_count()
    partial = len(pages) < total
    if not pages:
        skipped = [n for n in notes if n.startswith("skipped ")]
        raise ConfigError(f"no .html or .htm files{' that can be read' if skipped else ''} in {', '.join(str(p) for p in given)}"
                          + (f" ({'; '.join(skipped)})" if skipped else ""))
    if partial:
        notes.append(f"partial input: {len(pages)} of {total} pages under {shown_root}/; "
                     f"{', '.join(SITE_WIDE_RULES)} only compare the pages given")

    fetches = _local_fetches(pages, tree, mapper, config)
    if external_checker is not None:
        fetches.extend(_external_fetches(pages, mapper, config, external_checker))

    sitemap_urls, found = _local_sitemap(tree, mapper, notes)
    if partial:
        given_urls = {p.url for p in pages}
        sitemap_urls = [u for u in sitemap_urls if u in given_urls]
    return LocalSite(pages=pages, fetches=fetches, config=config, partial=partial,
                     sitemap_urls=tuple(sitemap_urls), sitemap_found=found, notes=notes,
                     origin=origin, root=root)


# Below this many files a worker's start-up (imports, textstat's dictionary: ~1 s)
# costs more than it saves; a CI check of a few changed pages stays in-process.
PARALLEL_FROM_FILES = 100


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))  # a container or taskset may grant fewer than the machine has
    except AttributeError:
        return os.cpu_count() or 1


def _extract_file(job: tuple) -> Page:
    path, url, status, source, options, cap = job
    body = read_capped(path, cap)
    # A feed or JSON saved as index.html is what a server would label it, not a page.
    return extract_page(url, body, status=status, headers={"content-type": media_type_of(body)}, options=options,
                        source_path=source)


def _extract_all(jobs: list[tuple], workers: int,
                 progress: Optional[Callable[[int, int], None]] = None) -> list[Page]:
    """Extract every file, on all CPUs for a large build: extraction is nearly all of a check's time."""
    processes = workers if workers > 0 else available_cpus()
    pages: list[Page] = []
    if len(jobs) < PARALLEL_FROM_FILES or processes < 2:
        for job in jobs:
            pages.append(_extract_file(job))
            if progress is not None:
                progress(len(pages), len(jobs))
        return pages
    with ProcessPoolExecutor(max_workers=processes, mp_context=_start_method()) as pool:
        for page in pool.map(_extract_file, jobs, chunksize=16):  # in order, each as soon as it is ready
            pages.append(page)
            if progress is not None:
                progress(len(pages), len(jobs))
    return pages


def _start_method():
    """Fork when this process runs no other thread (the CLI's `check`): a forked worker starts at once
    with what is already imported, where a spawned one imports it all again (about a second of CPU
    each). Otherwise spawn: a forked child can inherit a lock another thread was holding."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _display_path(file: Path, base: Path) -> str:
    try:
        return file.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return file.resolve().as_posix()


def _site_root(given: list[Path], site_root: str | Path | None, notes: list[str]) -> Path:
    if site_root is not None:
        root = Path(site_root)
        if not root.is_dir():
            raise ConfigError(f"--site-root is not a folder: {root}")
        for p in given:
            if not _is_under(p, root):
                raise ConfigError(f"{p} is not inside the site root {root}")
        return root
    dirs = [p.resolve() if p.is_dir() else p.parent.resolve() for p in given]
    common = Path(os.path.commonpath(dirs))
    if all(p.is_dir() for p in given):
        return common
    # A page deep in a build folder links to /about etc.: the root those resolve against
    # is the topmost folder above it with a home page, within the repository (or cwd).
    root = common
    cwd = Path.cwd().resolve()
    for folder in (common, *common.parents):
        if any((folder / name).is_file() for name in INDEX_FILES):
            root = folder
        if folder == cwd or (folder / ".git").exists():
            break
    notes.append(f"site root taken as {_display_path(root, cwd)}/ (set it with --site-root)")
    return root


def _is_under(path: Path, root: Path) -> bool:
    try:
        _located(path).relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _located(path: Path) -> Path:
    """An absolute path to a folder, or to a file by its own name: a symlink is not replaced by its target."""
    return path.resolve() if path.is_dir() else path.parent.resolve() / path.name


def _html_files(given: list[Path], root: Path) -> Iterator[str]:
    """Relative posix paths of the HTML files given (root is resolved), in a stable order."""
    for p in given:
        if not p.is_dir():  # a file, or a FIFO or device under an .html name: unreadable() says which
            if p.name.lower().endswith(HTML_SUFFIXES):
                yield _located(p).relative_to(root).as_posix()
            continue
        p = p.resolve()
        # String slicing, not Path arithmetic: this runs once per file of a large build.
        skip = len(str(root)) + 1
        for dirpath, dirnames, filenames in os.walk(p):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            rel_dir = dirpath[skip:].replace(os.sep, "/") if len(dirpath) >= skip else ""
            prefix = rel_dir + "/" if rel_dir else ""
            for name in sorted(filenames):
                if name.lower().endswith(HTML_SUFFIXES):
                    yield prefix + name


class _Tree:
    """Every file under the site root, walked once: path lookups are set lookups.

    A set also answers case-sensitively, like the Linux host the site is
    deployed to, even on a case-insensitive laptop file system.
    """

    def __init__(self, root: Path):
        self.root = root.resolve()
        self.files: set[str] = set()
        skip = len(str(self.root)) + 1
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel_dir = dirpath[skip:].replace(os.sep, "/") if len(dirpath) >= skip else ""
            prefix = rel_dir + "/" if rel_dir else ""
            self.files.update(prefix + name for name in filenames)

    def html_count(self) -> int:
        return sum(1 for f in self.files if f.lower().endswith(HTML_SUFFIXES))

    def resolve(self, url_path: str) -> Optional[str]:
        """The file a static host serves for a URL path, or None (a 404)."""
        raw = unquote(url_path)
        rel = posixpath.normpath("/" + raw).lstrip("/")  # "/../x" cannot leave the root
        if rel == ".":
            rel = ""
        prefix = rel + "/" if rel else ""
        if raw.endswith("/") or not rel:
            candidates = [prefix + name for name in INDEX_FILES]
        else:
            candidates = [rel, rel + ".html", rel + ".htm", *(prefix + name for name in INDEX_FILES)]
        for candidate in candidates:
            if candidate in self.files:
                return candidate
        return None


class _UrlMap:
    """File path <-> URL on the site's origin, and which URLs are the site's own."""

    def __init__(self, origin: str, config: Config, base: str = ""):
        self.origin = origin.rstrip("/")
        self.base = base  # the URL path the folder is served under ("/clinic-site"), "" at the root
        self.config = config
        self.identity = SiteIdentity.from_config(config)

    def file_path(self, url: str) -> Optional[str]:
        """The path in the folder a URL's path names; None when it lies outside the base path."""
        path = urlsplit(url).path or "/"
        if not self.base:
            return path
        if path == self.base or path.startswith(self.base + "/"):
            return path[len(self.base):] or "/"
        return None

    def url_for(self, rel: str) -> str:
        path = rel
        name = posixpath.basename(path)
        if name.lower() in INDEX_FILES:
            path = path[: -len(name)]
        elif path.lower().endswith(HTML_SUFFIXES):
            path = path.rsplit(".", 1)[0]
        return self.origin + self.base + "/" + quote(path, safe="/!$&'()*+,;=:@~-._")

    def is_internal(self, url: str) -> bool:
        return urlsplit(url).scheme in FETCHED_SCHEMES and self.identity.is_own(url)

    def on_origin(self, url: str) -> str:
        """The same path and query on our origin (for sitemap URLs written for production)."""
        parts = urlsplit(url)
        path = parts.path or "/"
        if self.file_path(url) is None:  # production serves the site at the root, this build under its base
            path = self.base + path
        return self.origin + urlunsplit(("", "", path, parts.query, ""))


def _local_fetches(pages: list[Page], tree: _Tree, mapper: _UrlMap, config: Config) -> list[Fetch]:
    """One Fetch per distinct internal target (and per page given), from the file tree."""
    by_url = {p.url: p for p in pages}
    fetches: dict[str, Fetch] = {}
    for page in pages:
        fetches[page.url] = Fetch(url=page.url, status=page.status, content_type=page.content_type or "text/html",
                                  anchors=page.anchors)
    wanted_anchors: set[str] = set()
    targets: dict[str, None] = {}  # first-seen order
    for page in pages:
        for link in page.links:
            url = link.fetch_url
            if url in fetches or not mapper.is_internal(url) or mapper.identity.ignored(link.target):
                continue
            targets[url] = None
            if link.fragment:
                wanted_anchors.add(url)
    for url in targets:
        path = mapper.file_path(url)
        rel = tree.resolve(path) if path is not None else None
        if rel is None:
            fetches[url] = Fetch(url=url, status=404, content_type="text/html")
            continue
        is_html = rel.lower().endswith(HTML_SUFFIXES)
        page_url = mapper.url_for(rel) if is_html else None
        anchors = None
        if is_html:
            if page_url in by_url:
                anchors = by_url[page_url].anchors
            elif url in wanted_anchors and not unreadable(tree.root / rel, max_bytes(config)):
                anchors = tuple(anchors_of(read_capped(tree.root / rel, max_bytes(config))))
        content_type = "text/html" if is_html else (mimetypes.guess_type(rel)[0] or "application/octet-stream")
        # A static host serves /a, /a.html and /a/ from one file without a redirect;
        # final_url names the page it is so rules can find that page's record.
        fetches[url] = Fetch(url=url, status=200, content_type=content_type, anchors=anchors,
                             final_url=page_url if page_url and page_url != url else None)
    return list(fetches.values())


def _external_fetches(pages: list[Page], mapper: _UrlMap, config: Config,
                      checker: ExternalChecker) -> list[Fetch]:
    # One URL per page checked; written with a #fragment when some link needs one
    # judged, so the checker GETs it and reads its ids.
    urls: dict[str, str] = {}
    for page in pages:
        for link in page.links:
            url = link.fetch_url
            if (urlsplit(url).scheme in FETCHED_SCHEMES and not mapper.is_internal(url)
                    and not mapper.identity.ignored(link.target)):
                if link.fragment or url not in urls:
                    urls[url] = link.target
    if not urls:
        return []
    return [dataclasses.replace(f, external=True) for f in checker(list(urls.values()), config)]


def _home_page(tree: _Tree, config: Config):
    """The build's home page file and its parsed document; (name or None, None) when it has none to read."""
    cap = max_bytes(config)
    home = next((name for name in INDEX_FILES if name in tree.files), None)
    if home is None or unreadable(tree.root / home, cap):
        return home, None
    try:
        return home, lxml.html.document_fromstring(read_capped(tree.root / home, cap))
    except etree.ParserError:  # empty, or only a comment
        return home, None


def _declared_origin(tree: _Tree, config: Config, home: Optional[str], doc) -> tuple[str, str]:
    """The address a build names itself by, and where it says so; ("", "") when it names none.

    A static generator or WordPress export writes its production address into the home page's
    canonical link and into its sitemap. Without it every absolute link to the site would count
    as external: its pages never linked, its menu unseen, its broken internal links unchecked.
    """
    cap = max_bytes(config)
    if doc is not None:
        for what, xpath in (("canonical link", "//link[@rel='canonical']/@href"),
                            ("og:url", "//meta[@property='og:url']/@content")):
            parts = urlsplit(next(iter(doc.xpath(xpath)), "").strip())
            if parts.scheme in ("http", "https") and parts.netloc:
                return f"{parts.scheme}://{parts.netloc}", f"{home}'s {what}"
    sitemap = next((name for name in SITEMAP_FILES if name in tree.files), None)
    if sitemap is not None and not unreadable(tree.root / sitemap, cap):
        pages, children = parse_sitemap(read_capped(tree.root / sitemap, cap))
        origins = Counter(f"{p.scheme}://{p.netloc}" for p in map(urlsplit, pages or children)
                          if p.scheme in ("http", "https") and p.netloc)
        if origins:
            best, n = origins.most_common(1)[0]
            if 2 * n > sum(origins.values()):
                return best, sitemap
    return "", ""


def _base_path(tree: _Tree, doc) -> str:
    """The URL path a build is served under, when its home page's links say so; "" for the root.

    A GitHub Pages project site (and any site under a folder) writes its root-relative links with the
    folder's name, /clinic-site/about/, which the build holds as about/. Read at the root, every such
    link would be broken. Evidence: most of the home page's root-relative links start with one segment
    the folder has no entry for, and what follows it is a file the folder does have.
    """
    if doc is None:
        return ""
    top = {f.split("/", 1)[0] for f in tree.files}
    paths = [urlsplit(v.strip()).path for v in doc.xpath("//a/@href | //link/@href | //img/@src | //script/@src")]
    rooted = [p for p in paths if p.startswith("/") and not p.startswith("//")]
    firsts = Counter(p.split("/")[1] for p in rooted if p.count("/") >= 2 and p.split("/")[1] not in top)
    if not firsts:
        return ""
    segment, n = firsts.most_common(1)[0]
    inside = [p[len(segment) + 1:] for p in rooted if p.split("/")[1] == segment]
    found = sum(1 for p in inside if tree.resolve(p) is not None)
    return f"/{segment}" if segment and 2 * n > len(rooted) and 2 * found > len(inside) else ""


def _local_sitemap(tree: _Tree, mapper: _UrlMap, notes: list[str]) -> tuple[list[str], bool]:
    """Page URLs of the build's own sitemap, moved onto our origin (it is written for production)."""
    cap = max_bytes(mapper.config)
    start = next((name for name in SITEMAP_FILES if name in tree.files), None)
    if start is None:
        return [], False
    urls: list[str] = []
    queue, seen = [start], set()
    while queue:
        rel = queue.pop(0)
        if rel in seen:
            continue
        seen.add(rel)
        why = unreadable(tree.root / rel, cap)
        if why:
            notes.append(f"skipped {rel}: {why}")
            continue
        pages, children = parse_sitemap(read_capped(tree.root / rel, cap))
        urls.extend(pages)
        for child in children:
            child_path = mapper.file_path(child)
            child_rel = tree.resolve(child_path) if child_path is not None else None
            if child_rel is not None:
                queue.append(child_rel)
    # Without a configured origin every sitemap URL is taken to be this site's.
    keep_all = mapper.origin == FALLBACK_ORIGIN
    moved = [mapper.on_origin(u) if keep_all or mapper.is_internal(u) else u for u in urls]
    return list(dict.fromkeys(moved)), True


# ---------------------------------------------------------------- stored crawl


def pages_from_store(path: str | Path, config: Config) -> LocalSite:
    """A crawl recorded by ``siteproof crawl --out DIR`` (DIR or DIR/pages.jsonl)."""
    path = Path(path)
    folder = path.parent if path.name == store.PAGES else path
    if not (folder / store.PAGES).is_file():
        raise ConfigError(f"no {store.PAGES} in {folder}: not a stored crawl")
    sitemap = store.read_sitemap(folder)
    pages = list(store.read_pages(folder))
    fetches = list(store.read_fetches(folder))
    notes = [] if pages else [f"{folder / store.PAGES} holds no pages"]
    if not config.site.start_urls and not config.site.canonical_url and pages:
        # The stored pages know where the site was; report under that origin.
        parts = urlsplit(pages[0].url)
        config = config.with_start_urls([f"{parts.scheme}://{parts.netloc}/"])
    return LocalSite(pages=pages, fetches=fetches, config=config, partial=False,
                     sitemap_urls=tuple(sitemap.get("urls") or ()),
                     sitemap_found=bool(sitemap.get("found")), notes=notes,
                     origin=config.canonical_origin, root=folder)


def is_stored_crawl(path: str | Path) -> bool:
    path = Path(path)
    return (path.is_file() and path.name == store.PAGES) or (path.is_dir() and (path / store.PAGES).is_file())


# ---------------------------------------------------------------- a few URLs


def staging_config(urls: Sequence[str], config: Config) -> Config:
    """The configuration to fetch only ``urls``: those pages and their links' targets, no deeper.

    The canonical origin stays what the config says (production), so links
    from a staging draft to the live site are judged as the live site's own.
    """
    _check_urls(urls)
    crawl = dataclasses.replace(config.crawl, max_depth=0, max_pages=max(len(urls), 1))
    return dataclasses.replace(config.with_start_urls(list(urls)), crawl=crawl)


def pages_from_urls(urls: Sequence[str], config: Config, fetcher: UrlFetcher) -> LocalSite:
    """Audit a few pages by URL (a staging draft): always ``partial``.

    ``fetcher(staging_config(urls, config))`` must fetch the given URLs, record
    each as a Page, and check every link target on them as the crawler does
    (a Fetch each), following no further pages; it returns those records. The
    CLI builds it from the Scrapy crawler (max_depth=0) and reads the records
    back with audits.store.
    """
    cfg = staging_config(urls, config)
    pages: list[Page] = []
    fetches: list[Fetch] = []
    for record in fetcher(cfg):
        (pages if isinstance(record, Page) else fetches).append(record)
    if not pages:
        raise ConfigError(f"none of the URLs could be fetched as a page: {', '.join(urls)}")
    notes = [f"partial input: {len(pages)} page(s) by URL; {', '.join(SITE_WIDE_RULES)} only compare the pages given"]
    return LocalSite(pages=pages, fetches=fetches, config=cfg, partial=True, crawled=True, notes=notes,
                     origin=cfg.canonical_origin)


def _check_urls(urls: Sequence[str]) -> None:
    if not urls:
        raise ConfigError("no URLs given")
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"not an http(s) URL: {url}")
