"""The crawl record: pages.jsonl and fetches.jsonl, one JSON object a line.

Written as pages arrive, so an interrupted crawl keeps what it fetched. The
crawl that wrote them audits the records it still holds (``RecordWriter.kept``);
a stored crawl audited again reads the files back.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Iterator, Optional

from audits.model import Fetch, Page

PAGES = "pages.jsonl"
FETCHES = "fetches.jsonl"


def _write_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError, sqlite3.OperationalError]
    try:  # the history store reaches SQLite through SQLAlchemy, which wraps its errors
        from sqlalchemy.exc import OperationalError

        errors.append(OperationalError)
    except ImportError:
        pass
    return tuple(errors)


def __getattr__(name: str):
    # WRITE_ERRORS: what a full or read-only disk raises while the record (files, history store)
    # is written. Settled on first use: SQLAlchemy takes most of a second to import, and an
    # extraction process that imports this module never writes the history.
    if name == "WRITE_ERRORS":
        globals()[name] = errors = _write_errors()
        return errors
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def write_failure(where: Path | str, exc: BaseException) -> str:
    """One line naming what could not be written and why (a full disk, no permission)."""
    why = getattr(exc, "strerror", None) or str(getattr(exc, "orig", None) or exc).splitlines()[0]
    name = getattr(exc, "filename", None) or where
    return f"cannot write {name}: {why}"


def page_json(data: dict) -> tuple[str, str]:
    """(key, JSON) of a page model's ``to_dict()``, as the record and the history store keep it.
    Depth is left out, so the same page at another depth is one model; the record's line puts it
    back in front."""
    text = json.dumps({k: v for k, v in data.items() if k != "depth"}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest(), text


def fetch_json(fetch: Fetch) -> str:
    """A fetch's JSON, as the record and the history store keep it."""
    return json.dumps(fetch.to_dict(), ensure_ascii=False, separators=(",", ":"))


class Kept:
    """The records as written, by URL (a later record of a URL replaces the earlier, as on reading back)."""

    def __init__(self):
        self.pages: dict[str, Page] = {}
        self.fetches: dict[str, Fetch] = {}


class RecordWriter:
    """Appends pages and fetches to their files; one line a record, flushed.

    ``kept``: what was written, for the audit of the same process: the audit holds every
    page at once anyway, and reading 2,000 pages back costs seconds of JSON decoding."""

    def __init__(self, out_dir: Path | str):
        self.kept = Kept()
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self._pages = open(self.dir / PAGES, "w", encoding="utf-8")
        self._fetches = open(self.dir / FETCHES, "w", encoding="utf-8")

    def write(self, record: Page | Fetch) -> None:
        if isinstance(record, Page):
            self.write_page(record, page_json(record.to_dict())[1])
            return
        self.write_fetch(record, fetch_json(record))

    def write_fetch(self, fetch: Fetch, text: str) -> None:
        """``text``: the fetch's ``fetch_json``."""
        self.kept.fetches[fetch.url] = fetch
        self._line(self._fetches, text)

    def write_page(self, page: Page, text: str) -> None:
        """``text``: the page's ``page_json``, which leaves the depth out; its line puts it first."""
        self.kept.pages[page.url] = page
        self._line(self._pages, f'{{"depth":{page.depth},{text[1:]}')

    @staticmethod
    def _line(stream, text: str) -> None:
        try:
            stream.write(text + "\n")
            stream.flush()
        except OSError as exc:
            raise OSError(exc.errno, exc.strerror, stream.name) from None

    def close(self) -> None:
        """Close both files; the first failure (a full disk flushing the rest) is raised after both are closed."""
        failure = None
        for stream in (self._pages, self._fetches):
            try:
                stream.close()
            except OSError as exc:
                failure = failure or OSError(exc.errno, exc.strerror, stream.name)
        if failure:
            raise failure

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _lines(path: Path) -> Iterator[dict]:
    if not path.exists():
        return
    with open(path, encoding="utf-8") as stream:
        for line in stream:
            line = line.strip()
            if line:
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    # An interrupted crawl may leave a half-written last line.
                    continue


def read_pages(out_dir: Path | str) -> Iterator[Page]:
    for data in _lines(Path(out_dir) / PAGES):
        yield Page.from_dict(data)


def read_fetches(out_dir: Path | str) -> Iterator[Fetch]:
    for data in _lines(Path(out_dir) / FETCHES):
        yield Fetch.from_dict(data)


SITEMAP = "sitemap.json"


def write_sitemap(out_dir: Path | str, urls: list[str], found: bool) -> None:
    with open(Path(out_dir) / SITEMAP, "w", encoding="utf-8") as stream:
        json.dump({"found": found, "urls": urls}, stream, indent=1)


def read_sitemap(out_dir: Path | str) -> dict:
    """{"found": bool, "urls": [...]}; a crawl that wrote none found none."""
    path = Path(out_dir) / SITEMAP
    if not path.exists():
        return {"found": False, "urls": []}
    with open(path, encoding="utf-8") as stream:
        data = json.load(stream)
    return {"found": bool(data.get("found")), "urls": list(data.get("urls", []))}


CRAWL_STATE = "crawl.json"


def start_record(out_dir: Path | str, started_at: str) -> None:
    """Mark ``out_dir`` as holding a crawl in progress, and drop what an earlier run left.

    The folder never mixes two runs: a crawl killed before it finishes leaves
    this marker (``complete: false``) and its own partial record, not the last
    run's sitemap beside it.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name in (PAGES, FETCHES, SITEMAP):
        (out / name).unlink(missing_ok=True)
    write_crawl_state(out, {"complete": False, "started_at": started_at, "finish_reason": None,
                            "partial_reason": "did not finish (the crawl process was killed)"})


def write_crawl_state(out_dir: Path | str, state: dict) -> None:
    path = Path(out_dir) / CRAWL_STATE
    tmp = path.with_name(f".{CRAWL_STATE}.tmp")
    tmp.write_text(json.dumps(state, indent=1), encoding="utf-8")
    tmp.replace(path)


def read_crawl_state(out_dir: Path | str) -> Optional[dict]:
    """What the crawl said about itself (complete or partial, and why); None for a record without it."""
    path = Path(out_dir) / CRAWL_STATE
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
