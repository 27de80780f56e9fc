"""What a crawl keeps between runs, in the history store's database (SQLAlchemy Core).

The tables are the history store's (schema 3, audits/history/crawl_tables.py);
this module reads and writes them through its own connection, whose reads need
no transaction, so a crawl looking up validators never holds a lock.

Validators let the next crawl ask "changed?" and reuse the page model; external
outcomes carry their check time; a checkpoint's records are committed as they come
(a page with its fetch) so a crawl killed with -9 can be resumed from its last record. The
fetches no page comes with (asset and external link checks, most of a real site's requests)
wait and are written together with the next page, or after ``WRITE_AFTER_S``: a kill loses
only the last moment's link checks, which ``--resume`` makes again. Page models are
stored once per distinct content, so an unchanged re-crawl adds no page rows.
The SQL is plain Core (upserts through the dialect's ``insert``), so the same
code serves SQLite and PostgreSQL (``[history] url``).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Optional

from sqlalchemy import Table, bindparam, create_engine, delete, event, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from audits.history.crawl_tables import (audit_results, checkpoint_records, checkpoints, externals, page_models,
                                         validators)
from audits.history.store import HistoryStore, is_url, server_engine
from audits.model import Fetch, Finding, Page


# Built once, parameters apart: a crawl records every page and fetch with it, one commit each, and a
# re-crawl reads each unchanged page's model.
_RECORD = checkpoint_records.insert()
_PAGE_TEXT = select(page_models.c.page).where(page_models.c.key == bindparam("key"))
# A page-less fetch's records wait at most this long (or this many) before they are committed.
WRITE_AFTER_S = 1.0
WRITE_AFTER_N = 256


@dataclass(frozen=True)
class Validators:
    etag: Optional[str]
    last_modified: Optional[str]
    body_hash: str
    page_key: str
    status: int
    content_type: Optional[str]


@dataclass(frozen=True)
class Checkpoint:
    id: int
    out: str
    config: str
    sitemap: Optional[dict]


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    # WAL: readers never block the crawl's writes, and a kill -9 loses at most the
    # transaction in progress. NORMAL syncs at checkpoints only: safe against a killed
    # process (the kill -9 this store is for), not against power loss mid-crawl.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_engine(path: Path | str) -> Engine:
    if is_url(path):
        return server_engine(str(path))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{path}")
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


class CrawlState:
    """One connection for one crawl; every write is its own short transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.conn: Connection = engine.connect()
        self._upserts: dict[tuple, Any] = {}
        # Link checks' records not written yet (record_fetch): external outcomes by URL, checkpoint rows in order.
        self._externals: dict[str, dict] = {}
        self._records: list[dict] = []
        self._waiting_since = 0.0
        self._page_open = False  # a page's records are written and wait for its fetch's commit

    @classmethod
    def open(cls, path: Path | str) -> "CrawlState":
        HistoryStore.open(path).close()  # creates the store, or migrates it to the schema with these tables
        return cls(open_engine(path))

    def close(self) -> None:
        self._write_waiting()
        if self.conn.in_transaction():
            self.conn.commit()  # a page recorded last, whose fetch never came (record_page)
        self.conn.close()
        self.engine.dispose()

    def _upsert(self, table: Table, values: dict | list[dict], keys: tuple[str, ...]) -> None:
        """Insert or update one row, or many of one shape in one statement."""
        columns = tuple(values if isinstance(values, dict) else values[0])
        shape = (table.name, keys, columns)
        stmt = self._upserts.get(shape)
        if stmt is None:  # built once per shape: building one is most of a small write's cost
            if self.engine.dialect.name == "postgresql":
                from sqlalchemy.dialects.postgresql import insert
            else:
                from sqlalchemy.dialects.sqlite import insert
            stmt = insert(table)
            changed = {k: stmt.excluded[k] for k in columns if k not in keys}
            stmt = self._upserts[shape] = (stmt.on_conflict_do_update(index_elements=list(keys), set_=changed)
                                           if changed else stmt.on_conflict_do_nothing(index_elements=list(keys)))
        self.conn.execute(stmt, values)

    # ---------------------------------------------------------------- page models and validators

    def _store_page(self, key: str, text: str) -> None:
        self._upsert(page_models, {"key": key, "page": text}, ("key",))

    def page_text(self, key: str) -> Optional[str]:
        """The stored model's JSON (``page_json``: no depth), or None."""
        return self.conn.execute(_PAGE_TEXT, {"key": key}).scalar()

    def load_page(self, key: str) -> Optional[Page]:
        text = self.page_text(key)
        return None if text is None else Page.from_dict(json.loads(text))

    def validators_for(self, url: str, extraction: str) -> Optional[Validators]:
        """The validators of ``url`` whose page model came from this ``extraction``."""
        return self._validators(validators.c.url == url, extraction).get(url)

    def validators_under(self, prefix: str, extraction: str) -> dict[str, Validators]:
        """URL -> validators of every page under ``prefix`` (an origin) whose model came from this
        ``extraction``: one query for a whole site instead of one a page."""
        return self._validators(validators.c.url.startswith(prefix, autoescape=True), extraction)

    def _validators(self, where, extraction: str) -> dict[str, Validators]:
        rows = self.conn.execute(
            select(validators.c.url, validators.c.etag, validators.c.last_modified, validators.c.body_hash,
                   validators.c.page_key, validators.c.status, validators.c.content_type)
            .where(where, validators.c.extraction == extraction))
        return {row[0]: Validators(*row[1:]) for row in rows}

    def save_validators(self, url: str, found: Validators, extraction: str) -> None:
        values = {"url": url, "etag": found.etag, "last_modified": found.last_modified,
                  "body_hash": found.body_hash, "extraction": extraction, "page_key": found.page_key,
                  "status": found.status, "content_type": found.content_type, "fetched_at": time.time()}
        self._upsert(validators, values, ("url",))

    # ---------------------------------------------------------------- external links

    def external(self, url: str) -> Optional[tuple[Fetch, float]]:
        row = self.conn.execute(select(externals.c.fetch, externals.c.checked_at)
                                .where(externals.c.url == url)).first()
        return None if row is None else (Fetch.from_dict(json.loads(row[0])), row[1])

    @staticmethod
    def _external_row(fetch: Fetch, text: str) -> dict:
        return {"url": fetch.url, "fetch": text, "checked_at": time.time()}

    # ---------------------------------------------------------------- the rules' findings

    KEPT_AUDITS = 20  # sites sharing a store each need their newest one

    def audit_findings(self, key: str) -> Optional[list[Finding]]:
        text = self.conn.execute(select(audit_results.c.findings).where(audit_results.c.key == key)).scalar()
        return None if text is None else [Finding.from_dict(f) for f in json.loads(text)]

    def save_audit_findings(self, key: str, findings: list[Finding]) -> None:
        text = json.dumps([f.to_dict() for f in findings], ensure_ascii=False, separators=(",", ":"))
        self._upsert(audit_results, {"key": key, "findings": text, "saved_at": time.time()}, ("key",))
        newest = select(audit_results.c.key).order_by(audit_results.c.saved_at.desc()).limit(self.KEPT_AUDITS)
        self.conn.execute(delete(audit_results).where(audit_results.c.key.not_in(newest)))
        self.conn.commit()

    # ---------------------------------------------------------------- checkpoints

    def checkpoint(self, out: str) -> Optional[Checkpoint]:
        row = self.conn.execute(select(checkpoints.c.id, checkpoints.c.out, checkpoints.c.config,
                                       checkpoints.c.sitemap).where(checkpoints.c.out == out)).first()
        if row is None:
            return None
        return Checkpoint(row[0], row[1], row[2], json.loads(row[3]) if row[3] else None)

    def start_checkpoint(self, out: str, config: str) -> Checkpoint:
        """A fresh checkpoint for ``out``; an older one there (a crawl not resumed) is dropped."""
        self.drop_checkpoint(out)
        new_id = self.conn.execute(checkpoints.insert().values(out=out, config=config, started_at=time.time())
                                   ).inserted_primary_key[0]
        self.conn.commit()
        return Checkpoint(new_id, out, config, None)

    def drop_checkpoint(self, out: str) -> None:
        found = self.checkpoint(out)
        if found is not None:
            self.conn.execute(delete(checkpoint_records).where(checkpoint_records.c.checkpoint == found.id))
            self.conn.execute(delete(checkpoints).where(checkpoints.c.id == found.id))
        self._drop_unused_pages()
        self.conn.commit()

    def _drop_unused_pages(self) -> None:
        used = select(validators.c.page_key).union(
            select(checkpoint_records.c.page_key).where(checkpoint_records.c.page_key.is_not(None)))
        try:
            with self.conn.begin_nested():
                self.conn.execute(delete(page_models).where(page_models.c.key.not_in(used)))
        except IntegrityError:
            # A crawl on another machine just came to use one of them again (a shared server):
            # they stay, and the next crawl to finish drops what is still unused.
            pass

    def save_sitemap(self, checkpoint: Checkpoint, found: bool, urls: list[str]) -> None:
        self.conn.execute(update(checkpoints).where(checkpoints.c.id == checkpoint.id)
                          .values(sitemap=json.dumps({"found": found, "urls": urls})))
        self.conn.commit()

    def record_page(self, checkpoint: Optional[Checkpoint], page: Page, key: str, text: Optional[str],
                    found: Optional[Validators] = None, extraction: str = "") -> None:
        """One page: its model (``key``, ``text``: ``page_json``; no text when it is stored already), its
        validators when given, and its checkpoint record. With a checkpoint they are committed with the
        page's fetch, which the crawl records right after: a page whose fetch was not recorded is
        fetched again on ``--resume`` anyway, and one commit a page is half the crawl's commits."""
        self._write_waiting()  # the checkpoint keeps the records in the order they were made
        if text is not None:
            self._store_page(key, text)
        if found is not None:
            self.save_validators(page.url, Validators(found.etag, found.last_modified, found.body_hash, key,
                                                      found.status, found.content_type), extraction)
        if checkpoint is not None:
            self.conn.execute(_RECORD, {"checkpoint": checkpoint.id, "url": page.url, "page_key": key,
                                        "depth": page.depth})
            self._page_open = True
        else:
            self.conn.commit()

    def record_fetch(self, checkpoint: Optional[Checkpoint], fetch: Fetch, text: str, external: bool = False) -> None:
        """One fetch: its outcome as an external link's last check when ``external``, and its checkpoint
        record (``text``: its ``fetch_json``). A page's fetch is committed at once with the page's records;
        any other fetch (a link check) waits, and is written with the next page or within WRITE_AFTER_S, in
        one statement with the others waiting: an external link's last check always in one transaction
        with its checkpoint record."""
        if external:
            self._externals[fetch.url] = self._external_row(fetch, text)
        if checkpoint is not None:
            self._records.append({"checkpoint": checkpoint.id, "url": fetch.url, "page_key": None,
                                  "depth": None, "fetch": text})
        if self._page_open:
            self._page_open = False
            self._write_waiting()
            self.conn.commit()
            return
        now = time.monotonic()
        if not self._waiting_since:
            self._waiting_since = now
        if now - self._waiting_since >= WRITE_AFTER_S or len(self._records) + len(self._externals) >= WRITE_AFTER_N:
            self._write_waiting()
            self.conn.commit()

    def _write_waiting(self) -> None:
        """Execute the link checks' waiting records (the caller commits)."""
        if self._externals:
            self._upsert(externals, list(self._externals.values()), ("url",))
            self._externals = {}
        if self._records:
            self.conn.execute(_RECORD, self._records)
            self._records = []
        self._waiting_since = 0.0

    def records(self, checkpoint: Checkpoint) -> Iterator[Page | Fetch]:
        """The checkpoint's records in the order they were made."""
        rows = self.conn.execute(
            select(checkpoint_records.c.page_key, checkpoint_records.c.depth, checkpoint_records.c.fetch,
                   page_models.c.page)
            .select_from(checkpoint_records.outerjoin(page_models, page_models.c.key == checkpoint_records.c.page_key))
            .where(checkpoint_records.c.checkpoint == checkpoint.id)
            .order_by(checkpoint_records.c.id))
        for page_key, depth, fetch, page in rows:
            if page_key is not None:
                data = json.loads(page)
                data["depth"] = depth or 0
                yield Page.from_dict(data)
            else:
                yield Fetch.from_dict(json.loads(fetch))
