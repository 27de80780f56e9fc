"""The crawl state's tables in the history store (schema 3, 4): what a re-crawl and --resume use.

  crawl_page_models         page models, one row per distinct content (keyed by the hash of its JSON)
  crawl_validators          per page URL: ETag, Last-Modified, body hash and the page model they vouch for
  crawl_external_checks     the last outcome of each external link, with when it was checked
  crawl_checkpoints         an unfinished crawl per output folder, and its records
  crawl_checkpoint_records  (pages and fetches, committed one by one as the crawl records them)
  crawl_audit_results       the rules' findings for a digest of everything they read (schema 4)

Defined on the store's ``metadata``, created for a new store and by the 2 -> 3
and 3 -> 4 migrations; read and written by ``crawler/crawlstate.py``. Portable Core types only.
"""
from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Index, Integer, String, Table, Text

from audits.history.store import metadata

page_models = Table(
    "crawl_page_models", metadata,
    Column("key", String(64), primary_key=True),  # sha256 of the JSON: one row per distinct page
    Column("page", Text, nullable=False),  # Page.to_dict() with depth 0 (depth belongs to a run)
)
validators = Table(
    "crawl_validators", metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("body_hash", String(64), nullable=False),  # content type + body: a 200 with this hash is unchanged
    Column("extraction", String(64), nullable=False),  # the extraction the model came from (code, options)
    Column("page_key", String(64), ForeignKey("crawl_page_models.key"), nullable=False),
    Column("status", Integer, nullable=False),
    Column("content_type", Text),
    Column("fetched_at", Float, nullable=False),  # unix time
)
externals = Table(
    "crawl_external_checks", metadata,
    Column("url", Text, primary_key=True),
    Column("fetch", Text, nullable=False),  # Fetch.to_dict()
    Column("checked_at", Float, nullable=False),  # unix time
)
checkpoints = Table(
    "crawl_checkpoints", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("out", Text, nullable=False, unique=True),  # the crawl's output folder, resolved
    Column("config", String(64), nullable=False),  # fingerprint of the configuration crawled with
    Column("started_at", Float, nullable=False),
    Column("sitemap", Text),  # {"found": bool, "urls": [...]} once a sitemap was read
)
checkpoint_records = Table(
    "crawl_checkpoint_records", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),  # record order
    Column("checkpoint", Integer, ForeignKey("crawl_checkpoints.id", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False),
    Column("page_key", String(64), ForeignKey("crawl_page_models.key")),  # a page record
    Column("depth", Integer),
    Column("fetch", Text),  # a fetch record: Fetch.to_dict()
    Index("ix_crawl_checkpoint_records_checkpoint", "checkpoint"),
)
audit_results = Table(
    "crawl_audit_results", metadata,
    Column("key", String(64), primary_key=True),  # digest of every input the rules read (crawler/recrawl.py)
    Column("findings", Text, nullable=False),  # [Finding.to_dict(), ...] as the rules returned them
    Column("saved_at", Float, nullable=False),  # unix time; only the newest few are kept
)


TABLES = (page_models, validators, externals, checkpoints, checkpoint_records)
TABLES_4 = (audit_results,)
