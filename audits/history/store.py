"""The history store: runs, and the findings, page facts and link outcomes each saw.

SQLAlchemy Core over SQLite by default (the standard library's ``sqlite3``,
WAL, a busy timeout), or PostgreSQL (psycopg 3) when given a ``postgresql://``
URL, so that crawls on many machines share one history; the SQL is Core
constructs only, and the same code serves both. A record (finding, page facts, outcome) is stored
once, keyed by its content digest; a run points at the records it saw through
two-integer link rows, so an unchanged re-run adds little more than those rows.

A run is inserted as ``running`` when a crawl starts and becomes ``complete``
or ``partial`` when it ends, in one transaction; a crawl killed in between
leaves a ``running`` (incomplete) run and nothing half-written.

The schema is versioned in the ``meta`` table; ``MIGRATIONS`` upgrades an older
store in place, and a newer one is refused rather than misread. Writers on many
machines are safe: a record several runs share is inserted by whichever gets
there first (``ON CONFLICT DO NOTHING``), and creating or migrating the schema
happens once, under SQLite's write lock or PostgreSQL's advisory lock, while
every other opener waits and then finds it done.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Optional, Sequence
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import (Boolean, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text,
                        create_engine, event, insert, inspect, literal, select, text, update)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError

from audits.config import ConfigError
from audits.history.facts import Outcome, PageFacts, RunSnapshot, median_grade

SCHEMA_VERSION = 4
DEFAULT_PATH = ".siteproof/history.sqlite"
RUNNING, COMPLETE, PARTIAL = "running", "complete", "partial"
_EVIDENCE = json.JSONEncoder(sort_keys=True)  # a finding's evidence column, as json.dumps(..., sort_keys=True) wrote it
_CHUNK = 400  # ids per IN (...) list: under every database's parameter limit
_SCHEMA_LOCK = 0x5173_6870  # PostgreSQL advisory lock key held while the schema is created or migrated

metadata = MetaData()

meta = Table("meta", metadata,
             Column("key", String(64), primary_key=True),
             Column("value", String(200), nullable=False))

sites = Table("sites", metadata,
              Column("id", Integer, primary_key=True),
              Column("url", String(2000), nullable=False, unique=True))

runs = Table("runs", metadata,
             Column("id", Integer, primary_key=True),
             Column("site_id", Integer, ForeignKey("sites.id"), nullable=False),
             Column("command", String(20), nullable=False),
             Column("started_at", String(40), nullable=False),
             Column("finished_at", String(40)),
             Column("tool_version", String(40), nullable=False),
             Column("config_fingerprint", String(64), nullable=False),
             Column("status", String(16), nullable=False),
             Column("reason", Text),
             Column("out", Text),
             Column("pages", Integer, nullable=False, default=0),
             Column("links_checked", Integer, nullable=False, default=0),
             Column("errors", Integer, nullable=False, default=0),
             Column("warnings", Integer, nullable=False, default=0),
             Column("infos", Integer, nullable=False, default=0),
             Column("by_rule", Text, nullable=False, default="{}"),
             Column("stats", Text, nullable=False, default="{}"),
             Column("median_grade", Float),  # schema 2: for the trend chart without reading page rows
             Index("ix_runs_site", "site_id", "id"),
             Index("ix_runs_out", "out"))

findings = Table("findings", metadata,
                 Column("id", Integer, primary_key=True),
                 Column("digest", String(32), nullable=False, unique=True),
                 Column("fingerprint", String(32), nullable=False),
                 Column("rule", String(100), nullable=False),
                 Column("severity", String(10), nullable=False),
                 Column("url", Text, nullable=False),
                 Column("target", Text),
                 Column("message", Text, nullable=False),
                 Column("evidence", Text, nullable=False))

pages = Table("pages", metadata,
              Column("id", Integer, primary_key=True),
              Column("digest", String(32), nullable=False, unique=True),
              Column("url", Text, nullable=False),
              Column("status", Integer),
              Column("title", Text),
              Column("meta_description", Text),
              Column("h1", Text),
              Column("canonical", Text),
              Column("word_count", Integer, nullable=False),
              Column("grade", Float),
              Column("is_article", Boolean, nullable=False),
              Column("body_hash", String(32)))

outcomes = Table("outcomes", metadata,
                 Column("id", Integer, primary_key=True),
                 Column("digest", String(32), nullable=False, unique=True),
                 Column("target", Text, nullable=False),
                 Column("status", Integer),
                 Column("error", String(100)),
                 Column("final_url", Text))


def _link_table(name: str, column: str, target: Table) -> Table:
    # Two integers a row, clustered on the key (no rowid on SQLite): the whole cost of an unchanged record.
    return Table(name, metadata,
                 Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
                 Column(column, Integer, ForeignKey(target.c.id), primary_key=True),
                 Column("count", Integer, nullable=False, default=1),
                 sqlite_with_rowid=False)


run_findings = _link_table("run_findings", "finding_id", findings)
run_pages = _link_table("run_pages", "page_id", pages)
run_outcomes = _link_table("run_outcomes", "outcome_id", outcomes)


# ---------------------------------------------------------------- migrations

def _v1_to_v2(conn: Connection) -> None:
    """Schema 2 keeps each run's median article grade on the run (the trend chart reads no page rows)."""
    conn.execute(text("ALTER TABLE runs ADD COLUMN median_grade FLOAT"))
    for (run_id,) in conn.execute(select(runs.c.id)).all():
        facts = conn.execute(select(pages.c.grade, pages.c.is_article)
                             .join(run_pages, run_pages.c.page_id == pages.c.id)
                             .where(run_pages.c.run_id == run_id)).all()
        grade = median_grade(PageFacts(url="", status=200, grade=g, is_article=a) for g, a in facts)
        conn.execute(update(runs).where(runs.c.id == run_id).values(median_grade=grade))


def _v2_to_v3(conn: Connection) -> None:
    """Schema 3 adds the crawl state: validators for conditional re-crawls, external outcomes, resume checkpoints."""
    from audits.history.crawl_tables import TABLES

    metadata.create_all(conn, tables=TABLES)


def _v3_to_v4(conn: Connection) -> None:
    """Schema 4 keeps the rules' findings of recent crawls, keyed by their inputs, for unchanged re-crawls."""
    from audits.history.crawl_tables import TABLES_4

    metadata.create_all(conn, tables=TABLES_4)


# version -> the step that upgrades a store of that version to the next one
MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _v1_to_v2, 2: _v2_to_v3, 3: _v3_to_v4}


# ---------------------------------------------------------------- values

def site_key(url: str) -> str:
    """One spelling per site: lower-case scheme and host, a path (``/`` at least), no query or fragment."""
    parts = urlsplit(url.strip())
    if not parts.scheme:
        return url.strip()
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", "", ""))


def run_name(run_id: int) -> str:
    return f"r{run_id}"


@dataclass(frozen=True)
class Run:
    """One run's row: what ``siteproof history`` lists."""

    id: int
    site: str
    command: str
    started_at: str
    finished_at: Optional[str]
    tool_version: str
    config_fingerprint: str
    status: str
    reason: Optional[str]
    out: Optional[str]
    pages: int
    links_checked: int
    findings: dict[str, int]
    by_rule: dict[str, int]
    stats: dict[str, Any] = field(default_factory=dict)
    median_grade: Optional[float] = None

    @property
    def name(self) -> str:
        return run_name(self.id)

    @property
    def complete(self) -> bool:
        return self.status == COMPLETE

    def to_dict(self) -> dict[str, Any]:
        """The ``history --format json`` entry."""
        return {"run": self.name, "site": self.site, "command": self.command,
                "started_at": self.started_at, "finished_at": self.finished_at,
                "complete": self.complete, "status": self.status, "reason": self.reason,
                "pages": self.pages, "findings": dict(self.findings), "by_rule": dict(self.by_rule),
                "out": self.out, "tool_version": self.tool_version,
                "config_fingerprint": self.config_fingerprint, "median_grade": self.median_grade}


def _run(row) -> Run:
    return Run(id=row.id, site=row.site, command=row.command, started_at=row.started_at,
               finished_at=row.finished_at, tool_version=row.tool_version,
               config_fingerprint=row.config_fingerprint, status=row.status, reason=row.reason,
               out=row.out, pages=row.pages, links_checked=row.links_checked,
               findings={"error": row.errors, "warning": row.warnings, "info": row.infos},
               by_rule=json.loads(row.by_rule or "{}"), stats=json.loads(row.stats or "{}"),
               median_grade=row.median_grade)


_RUN_COLUMNS = [*runs.c, sites.c.url.label("site")]


# ---------------------------------------------------------------- the store

def _sqlite_engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 60})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # A writer takes the write lock when it begins, so two crawls finishing at once queue
        # on the busy timeout instead of failing to upgrade a read lock; readers never wait.
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

    return engine


def server_engine(url: str) -> Engine:
    """An engine for a database URL; ``postgresql://`` means psycopg 3, not SQLAlchemy's default psycopg2."""
    try:
        parsed = make_url(url)
        if parsed.drivername in ("postgresql", "postgres"):
            parsed = parsed.set(drivername="postgresql+psycopg")
        # pre_ping: a crawl holds its engine for hours; the server may have restarted meanwhile.
        return create_engine(parsed, pool_pre_ping=True)
    except ArgumentError as exc:  # a malformed URL, or no driver for its database
        raise ConfigError(f"cannot open the history store {shown_url(url)}: {exc}") from None


def shown_url(url: str) -> str:
    """A database URL fit for messages and reports: its password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url.split("://", 1)[0] + "://***"


def is_url(location: str) -> bool:
    return "://" in str(location)


class HistoryStore:
    """``HistoryStore.open(path_or_url)``; every method is one short transaction."""

    def __init__(self, engine: Engine, location: str):
        self.engine = engine
        self.location = location

    @classmethod
    def open(cls, location: str | os.PathLike) -> "HistoryStore":
        location = str(location)
        if is_url(location):  # [history] url: a database server the crawls of many machines share
            engine = server_engine(location)
            location = shown_url(location)
        else:
            path = Path(location)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(f"cannot create the history folder {path.parent}: {exc.strerror or exc}") from None
            engine = _sqlite_engine(path)
        store = cls(engine, location)
        try:
            store._prepare()
        except SQLAlchemyError as exc:
            engine.dispose()
            raise ConfigError(f"cannot open the history store {location}: {_reason(exc)}") from None
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- transactions

    def _write(self):
        return _Transaction(self.engine, write=True)

    def _read(self):
        return _Transaction(self.engine, write=False)

    def _prepare(self) -> None:
        with self._write() as conn:
            if conn.dialect.name == "postgresql":
                # Held to the end of this transaction: nodes opening an empty or older database at
                # once queue here, and all but the first find the schema already there.
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
            version = _version(conn)
            if version is None:
                from audits.history import crawl_tables  # noqa: F401  (its tables join metadata)

                metadata.create_all(conn)
                conn.execute(insert(meta).values(key="schema_version", value=str(SCHEMA_VERSION)))
                return
            if version > SCHEMA_VERSION:
                raise ConfigError(f"the history store {self.location} has schema {version}, "
                                  f"newer than this siteproof reads ({SCHEMA_VERSION}); upgrade siteproof")
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](conn)
                version += 1
                conn.execute(update(meta).where(meta.c.key == "schema_version").values(value=str(version)))

    def schema_version(self) -> int:
        with self._read() as conn:
            return _version(conn) or 0

    # -- writing

    def begin_run(self, *, site: str, command: str, started_at: str, tool_version: str,
                  config_fingerprint: str, out: Optional[str] = None) -> int:
        """Insert a run as ``running``; it stays so unless ``finish_run`` is called."""
        with self._write() as conn:
            return conn.execute(insert(runs).values(
                site_id=_site_id(conn, site), command=command, started_at=started_at, tool_version=tool_version,
                config_fingerprint=config_fingerprint, status=RUNNING, out=out, by_rule="{}", stats="{}",
            )).inserted_primary_key[0]

    def finish_run(self, run_id: int, snap: RunSnapshot, *, finished_at: str, partial_reason: Optional[str] = None,
                   links_checked: int = 0, stats: Optional[dict] = None, site: Optional[str] = None,
                   like: Optional[tuple[int, RunSnapshot]] = None) -> None:
        """Store what the run saw and mark it complete (or partial, with the reason), in one transaction.

        ``like``: an earlier run's id and snapshot (the last complete run of the site). Where this run
        saw exactly its records (an unchanged re-crawl: all of them), it is linked to that run's records
        without digesting its own again."""
        counts = {"error": 0, "warning": 0, "info": 0}
        by_rule: dict[str, int] = {}
        for f in snap.findings:
            counts[f["severity"]] = counts.get(f["severity"], 0) + 1
            by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
        same = snap.same_records(like[1]) if like is not None else set()
        parts = [
            ("findings", run_findings, "finding_id", findings, lambda: [
                {"digest": _finding_digest(f), "fingerprint": f["fingerprint"], "rule": f["rule"],
                 "severity": f["severity"], "url": f["url"], "target": f.get("target"), "message": f["message"],
                 "evidence": _EVIDENCE.encode(f.get("evidence") or {})} for f in snap.findings]),
            ("pages", run_pages, "page_id", pages, lambda: [{"digest": p.digest(), **vars(p)} for p in snap.pages.values()]),
            ("outcomes", run_outcomes, "outcome_id", outcomes,
             lambda: [{"digest": o.digest(), **vars(o)} for o in snap.outcomes.values()]),
        ]
        rows = {name: None if name in same else make() for name, _, _, _, make in parts}
        for attempt in range(3):
            try:
                with self._write() as conn:
                    if site is not None:  # known only now for `check` of local files
                        conn.execute(update(runs).where(runs.c.id == run_id).values(site_id=_site_id(conn, site)))
                    for name, link, column, table, _ in parts:
                        if name in same:
                            _link_as(conn, run_id, link, column, like[0])
                        else:
                            _link(conn, run_id, link, column, table, rows[name])
                    conn.execute(update(runs).where(runs.c.id == run_id).values(
                        finished_at=finished_at, status=PARTIAL if partial_reason else COMPLETE,
                        reason=partial_reason, pages=len(snap.pages), links_checked=links_checked,
                        errors=counts["error"], warnings=counts["warning"], infos=counts["info"],
                        by_rule=json.dumps(dict(sorted(by_rule.items()))), stats=json.dumps(stats or {}),
                        median_grade=snap.median_grade()))
                return
            except IntegrityError:
                # Another writer stored one of the same records first (databases without
                # SQLite's whole-file write lock); its rows are visible on the next attempt.
                if attempt == 2:
                    raise

    # -- reading

    def runs(self, site: Optional[str] = None, *, complete_only: bool = False,
             before: Optional[int] = None, limit: Optional[int] = None) -> list[Run]:
        """Runs newest first."""
        query = select(*_RUN_COLUMNS).join(sites, sites.c.id == runs.c.site_id).order_by(runs.c.id.desc())
        if site is not None:
            query = query.where(sites.c.url == site_key(site))
        if complete_only:
            query = query.where(runs.c.status == COMPLETE)
        if before is not None:
            query = query.where(runs.c.id < before)
        if limit is not None:
            query = query.limit(limit)
        with self._read() as conn:
            return [_run(row) for row in conn.execute(query)]

    def run(self, run_id: int) -> Optional[Run]:
        query = select(*_RUN_COLUMNS).join(sites, sites.c.id == runs.c.site_id).where(runs.c.id == run_id)
        with self._read() as conn:
            row = conn.execute(query).first()
        return _run(row) if row else None

    def find(self, ref: str) -> Optional[Run]:
        """A run named by its id (``r12``) or by its output folder (the newest run written there)."""
        ref = ref.strip()
        if ref[:1] in ("r", "R") and ref[1:].isdigit():
            return self.run(int(ref[1:]))
        out = str(Path(ref).resolve())
        query = (select(*_RUN_COLUMNS).join(sites, sites.c.id == runs.c.site_id)
                 .where(runs.c.out == out).order_by(runs.c.id.desc()).limit(1))
        with self._read() as conn:
            row = conn.execute(query).first()
        return _run(row) if row else None

    def sites(self) -> list[str]:
        with self._read() as conn:
            return list(conn.execute(select(sites.c.url).order_by(sites.c.url)).scalars())

    def load(self, run_id: int) -> RunSnapshot:
        """Everything one run saw."""
        page_columns = [pages.c[name] for name in PageFacts.__dataclass_fields__]
        outcome_columns = [outcomes.c[name] for name in Outcome.__dataclass_fields__]
        with self._read() as conn:
            found = []
            for rule, severity, url, target, message, evidence, fp, count in conn.execute(
                    select(findings.c.rule, findings.c.severity, findings.c.url, findings.c.target,
                           findings.c.message, findings.c.evidence, findings.c.fingerprint, run_findings.c.count)
                    .join(run_findings, run_findings.c.finding_id == findings.c.id)
                    .where(run_findings.c.run_id == run_id).order_by(findings.c.id)).all():
                record = {"rule": rule, "severity": severity, "url": url, "target": target, "message": message,
                          "evidence": json.loads(evidence), "fingerprint": fp}
                found.extend(dict(record) for _ in range(count))
            # Rows are built positionally, in the dataclasses' field order: a 2,000-page run loads in a blink.
            page_facts = {row[0]: PageFacts(*row) for row in conn.execute(
                select(*page_columns).join(run_pages, run_pages.c.page_id == pages.c.id)
                .where(run_pages.c.run_id == run_id)).all()}
            seen = {row[0]: Outcome(*row) for row in conn.execute(
                select(*outcome_columns).join(run_outcomes, run_outcomes.c.outcome_id == outcomes.c.id)
                .where(run_outcomes.c.run_id == run_id)).all()}
        return RunSnapshot(findings=tuple(found), pages=page_facts, outcomes=seen)


class _Transaction:
    """``with`` a connection in one transaction; write transactions take the write lock at BEGIN."""

    def __init__(self, engine: Engine, *, write: bool):
        self.engine, self.write = engine, write

    def __enter__(self) -> Connection:
        self.conn = self.engine.connect().execution_options(write=self.write)
        self.tx = self.conn.begin()
        return self.conn

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc_type is None:
                self.tx.commit()
            else:
                self.tx.rollback()
        finally:
            self.conn.close()


def _version(conn: Connection) -> Optional[int]:
    if not inspect(conn).has_table("meta"):
        return None
    value = conn.execute(select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
    return int(value) if value is not None else None


def _site_id(conn: Connection, site: str) -> int:
    key = site_key(site)
    site_id = conn.execute(select(sites.c.id).where(sites.c.url == key)).scalar()
    if site_id is None:
        _insert_new(conn, sites, "url", [{"url": key}])
        site_id = conn.execute(select(sites.c.id).where(sites.c.url == key)).scalar_one()
    return site_id


def _insert_new(conn: Connection, table: Table, key: str, rows: list[dict]) -> None:
    """Insert the rows no other writer has stored meanwhile (another machine may be storing the same ones)."""
    name = conn.dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # finish_run's retry covers databases without ON CONFLICT
        conn.execute(insert(table), rows)
        return
    conn.execute(dialect_insert(table).on_conflict_do_nothing(index_elements=[key]), rows)


def _finding_digest(f: dict) -> str:
    from audits.history.facts import digest

    return digest({k: f.get(k) for k in ("fingerprint", "rule", "severity", "url", "target", "message", "evidence")})


def _chunks(items: Sequence, size: int = _CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _ids(conn: Connection, table: Table, digests: Iterable[str]) -> dict[str, int]:
    found = {}
    for chunk in _chunks(list(digests)):
        found.update((d, i) for d, i in conn.execute(select(table.c.digest, table.c.id).where(table.c.digest.in_(chunk))))
    return found


def _link(conn: Connection, run_id: int, link: Table, column: str, table: Table, rows: list[dict]) -> None:
    """Store the records not stored yet, then link the run to all of them."""
    counts: dict[str, int] = {}
    unique: dict[str, dict] = {}
    for row in rows:
        counts[row["digest"]] = counts.get(row["digest"], 0) + 1
        unique.setdefault(row["digest"], row)
    ids = _ids(conn, table, unique)
    missing = [row for digest, row in unique.items() if digest not in ids]
    if missing:
        _insert_new(conn, table, "digest", missing)
        ids.update(_ids(conn, table, [row["digest"] for row in missing]))
    if counts:
        conn.execute(insert(link), [{"run_id": run_id, column: ids[d], "count": n} for d, n in counts.items()])


def _link_as(conn: Connection, run_id: int, link: Table, column: str, like_run: int) -> None:
    """Link the run to the very records (and counts) run ``like_run`` is linked to."""
    conn.execute(insert(link).from_select(
        ["run_id", column, "count"],
        select(literal(run_id, Integer), link.c[column], link.c.count).where(link.c.run_id == like_run)))


def _reason(exc: SQLAlchemyError) -> str:
    return str(getattr(exc, "orig", None) or exc).splitlines()[0]


def store_size(store: "HistoryStore") -> int:
    """Bytes on disk of a SQLite store, once its write-ahead log is folded into the file (SQLite only)."""
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    path = Path(store.location)
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


__all__ = ["HistoryStore", "Run", "SCHEMA_VERSION", "DEFAULT_PATH", "MIGRATIONS", "site_key", "run_name",
           "store_size", "server_engine", "shown_url", "is_url", "COMPLETE", "PARTIAL", "RUNNING"]
