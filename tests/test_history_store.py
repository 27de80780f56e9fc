"""The history store on real SQLite files and a real PostgreSQL server: schema migration,
content-addressed runs, run lookup, and many writers at once.

Tests taking ``history_location`` run once on each (the fixture is in conftest.py);
those reading a schema-1 SQLite file are about that file.
"""
from __future__ import annotations

import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import text

from audits.config import ConfigError
from audits.history.diff import compare
from audits.history.facts import Outcome, PageFacts, RunSnapshot
from audits.history.store import SCHEMA_VERSION, HistoryStore, store_size

V1 = Path(__file__).parent / "fixtures" / "history" / "v1.sqlite"
SITE = "https://clinic.example/"


def _snap(n_pages: int, *, title: str = "T", broken: bool = False) -> RunSnapshot:
    pages = {f"{SITE}p{i}/": PageFacts(url=f"{SITE}p{i}/", status=200, title=f"{title} {i}", h1=f"H {i}",
                                        word_count=400 + i, grade=6.0 + i % 5, is_article=i % 2 == 0,
                                        body_hash=f"{i:032x}") for i in range(n_pages)}
    findings = tuple({"rule": "missing-alt", "severity": "warning", "url": f"{SITE}p{i}/",
                      "target": f"{SITE}img/{i}.png", "message": f"Image {i} has no alt", "evidence": {},
                      "fingerprint": f"{i:032x}"} for i in range(0, n_pages, 3))
    outcomes = {f"{SITE}p{i}/": Outcome(target=f"{SITE}p{i}/", status=404 if broken and i == 1 else 200)
                for i in range(n_pages)}
    return RunSnapshot(findings=findings, pages=pages, outcomes=outcomes)


def _record(store: HistoryStore, snap: RunSnapshot, *, out: str = "/tmp/out", partial: str | None = None,
            like: int | None = None) -> int:
    run_id = store.begin_run(site=SITE, command="crawl", started_at="2026-12-01T08:00:00Z", tool_version="0.1.0",
                             config_fingerprint="cf", out=out)
    store.finish_run(run_id, snap, finished_at="2026-12-01T08:01:00Z", partial_reason=partial,
                     like=(like, store.load(like)) if like is not None else None)
    return run_id


def test_a_store_written_by_schema_1_is_migrated_and_read(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copyfile(V1, path)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone() == ("1",)
    with HistoryStore.open(path) as store:
        assert store.schema_version() == SCHEMA_VERSION == 4
        runs = store.runs()
        assert [(r.name, r.status) for r in runs] == [("r3", "running"), ("r2", "complete"), ("r1", "complete")]
        # schema 2's median article grade, backfilled from schema 1's page rows: median(9.8, 7.5), median(11.2, 7.5)
        assert [r.median_grade for r in runs] == [None, 8.7, 9.3]
        changes = compare(store.load(1), store.load(2))
        assert [f["rule"] for f in changes.new] == ["broken-link"]
        assert changes.changed == [{"url": f"{SITE}blog/a/", "fields": {"title": ["A", "A, revised"], "grade": [11.2, 9.8]}}]
        assert changes.links == [{"target": f"{SITE}gone/", "before": {"status": 200}, "after": {"status": 404}}]
        # and the migrated file takes new runs
        run_id = _record(store, _snap(3))
        assert store.run(run_id).complete


def test_a_store_from_a_newer_siteproof_is_refused(history_location):
    with HistoryStore.open(history_location) as store, store.engine.begin() as conn:
        conn.execute(text("UPDATE meta SET value = '99' WHERE key = 'schema_version'"))
    with pytest.raises(ConfigError, match="schema 99"):
        HistoryStore.open(history_location)


def test_an_unchanged_rerun_adds_only_link_rows(history_location):
    sqlite = "://" not in history_location
    n = 2000 if sqlite else 300  # the size on disk is measured on SQLite only; the rows tell on both
    with HistoryStore.open(history_location) as store:
        empty = store_size(store) if sqlite else 0
        _record(store, _snap(n))
        first = store_size(store) - empty if sqlite else 0
        _record(store, _snap(n))
        if sqlite:
            second = store_size(store) - empty - first
            assert second < first / 10, (first, second)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM pages").scalar() == n
            assert conn.exec_driver_sql("SELECT count(*) FROM findings").scalar() == len(range(0, n, 3))
            assert conn.exec_driver_sql("SELECT count(*) FROM run_pages").scalar() == 2 * n


def test_a_rerun_that_saw_the_same_records_is_linked_to_them_without_digesting_them(history_location, monkeypatch):
    """An unchanged re-crawl's 20,000 findings cost a second of digests and lookups; linked to the last
    run's records instead, it must still read back exactly as written, and any change is digested."""
    from audits.history import store as store_module

    real = store_module._finding_digest
    digested = []
    monkeypatch.setattr(store_module, "_finding_digest", lambda f: digested.append(f) or real(f))
    with HistoryStore.open(history_location) as store:
        twice = RunSnapshot(findings=_snap(30).findings * 2, pages=_snap(30).pages, outcomes=_snap(30).outcomes)
        first = _record(store, twice)
        digested.clear()
        second = _record(store, twice, like=first)
        assert digested == []
        assert store.load(second) == store.load(first) and len(store.load(second).findings) == 20
        assert store.run(second).findings == store.run(first).findings == {"error": 0, "warning": 20, "info": 0}

        changed = _snap(30, title="New", broken=True)  # other pages and outcomes, fewer findings
        third = _record(store, changed, like=second)
        assert len(digested) == 10
        loaded = store.load(third)
        assert loaded.pages == changed.pages and loaded.outcomes == changed.outcomes
        assert sorted(f["url"] for f in loaded.findings) == sorted(f["url"] for f in changed.findings)
        # 1 and 1.0 are equal in Python, not in the store: a finding whose evidence changed type is its own record
        ones = [RunSnapshot(findings=({**_snap(3).findings[0], "evidence": {"n": n}},)) for n in (1, 1.0)]
        assert ones[0].same_records(ones[1]) == {"pages", "outcomes"}


def test_runs_are_found_by_id_or_output_folder_newest_first(tmp_path, history_location):
    with HistoryStore.open(history_location) as store:
        a = _record(store, _snap(4), out=str(tmp_path / "nightly"))
        b = _record(store, _snap(4, broken=True), out=str(tmp_path / "nightly"))
        c = _record(store, _snap(4), out=str(tmp_path / "other"), partial="stopped at max_pages (4)")
        assert store.find(f"r{a}").id == a
        assert store.find(str(tmp_path / "nightly")).id == b  # the newest run written there
        assert store.find("r999") is None
        assert [r.id for r in store.runs(SITE, complete_only=True)] == [b, a]
        partial = store.run(c)
        assert (partial.status, partial.reason, partial.complete) == ("partial", "stopped at max_pages (4)", False)
        # same site under another spelling
        assert len(store.runs("HTTPS://Clinic.example")) == 3


def test_duplicate_findings_count_as_two(history_location):
    f = {"rule": "broken-link", "severity": "error", "url": f"{SITE}a/", "target": f"{SITE}x/", "message": "m",
         "evidence": {}, "fingerprint": "d" * 32}
    with HistoryStore.open(history_location) as store:
        run_id = _record(store, RunSnapshot(findings=(f, dict(f))))
        assert len(store.load(run_id).findings) == 2
        assert store.run(run_id).findings["error"] == 2


def test_schemas_3_and_4_add_the_crawl_state_to_an_older_store(tmp_path):
    from crawler.crawlstate import CrawlState, Validators
    from audits.model import Finding, Page, Severity
    from audits.store import page_json

    path = tmp_path / "old.sqlite"
    shutil.copyfile(V1, path)
    state = CrawlState.open(path)  # migrates 1 -> 2 -> 3 -> 4 on the way
    try:
        page = Page(url="https://clinic.test/", title="Home")
        key, text = page_json(page.to_dict())
        state.record_page(None, page, key, text, Validators('"e1"', None, "h" * 64, "", 200, "text/html"), "x")
        known = state.validators_for("https://clinic.test/", "x")
        assert known.etag == '"e1"' and state.load_page(known.page_key) == page
        found = [Finding(rule="broken-link", severity=Severity.ERROR, url="https://clinic.test/",
                         target="https://clinic.test/gone/", message="404", evidence={"status": 404}, line=3)]
        state.save_audit_findings("k" * 64, found)
        assert state.audit_findings("k" * 64) == found and state.audit_findings("j" * 64) is None
    finally:
        state.close()
    with HistoryStore.open(path) as store:
        assert store.schema_version() == 4
        assert len(store.runs()) == 3  # the runs survive the migration


def test_many_writers_at_once_create_the_schema_once_and_lose_no_run(history_location):
    """Six crawls finishing at once on a fresh store, as Scrapyd nodes sharing one database do:
    each opens the store (the first creates the schema, the others wait for it) and records
    runs whose findings and pages overlap."""
    def crawl(i: int) -> list[int]:
        with HistoryStore.open(history_location) as store:
            return [_record(store, _snap(40, broken=bool(i % 2)), out=f"/tmp/out{i}-{n}") for n in range(2)]

    with ThreadPoolExecutor(6) as pool:
        ids = [run_id for ids in pool.map(crawl, range(6)) for run_id in ids]
    assert len(set(ids)) == 12
    with HistoryStore.open(history_location) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert all(r.complete for r in store.runs()) and len(store.runs()) == 12
        assert all(len(store.load(run_id).pages) == 40 for run_id in ids)
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM meta").scalar() == 1
            assert conn.exec_driver_sql("SELECT count(*) FROM sites").scalar() == 1
            assert conn.exec_driver_sql("SELECT count(*) FROM pages").scalar() == 40  # stored once, shared
            assert conn.exec_driver_sql("SELECT count(*) FROM outcomes").scalar() == 41  # p1 as 200 and as 404
