"""Session fixtures: loopback servers for the fixture sites, the shared CLI runs, --update-goldens.

Helpers that test modules import live in tests/support/; this file only holds
fixtures. Both servers live for the whole session. The clinic's `times = 1`
route (/new-patient-forms/ answers 503 once) is consumed by the first request
of the session; a test that must see that first 503 starts its own server with
`support.sites.new_clinic_server(external_server)` (starting one takes milliseconds).
"""
from __future__ import annotations

from typing import Iterator

import pytest

from crawler.siteserver import SiteServer
from support.e2e import Run, check_build, crawl_clinic
from support.sites import new_clinic_server, start_external


def pytest_addoption(parser):
    parser.addoption("--update-goldens", action="store_true",
                     help="rewrite tests/goldens/ from the renderers' current output (then review the diff)")


@pytest.fixture
def update_goldens(request) -> bool:
    return request.config.getoption("--update-goldens")


@pytest.fixture(scope="session")
def external_server() -> Iterator[SiteServer]:
    server = start_external()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def clinic_server(external_server: SiteServer) -> Iterator[SiteServer]:
    with new_clinic_server(external_server) as server:
        yield server


@pytest.fixture(scope="session")
def clinic_crawl(tmp_path_factory) -> Run:
    """`siteproof crawl` of fresh clinic and external servers, once per session."""
    return crawl_clinic(tmp_path_factory.mktemp("e2e-crawl"))


@pytest.fixture(scope="session")
def build_check(tmp_path_factory) -> Run:
    """`siteproof check build` of the clinic rendered as a production build folder, once per session."""
    return check_build(tmp_path_factory.mktemp("e2e-build"))


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the session (per xdist worker); skips only where PostgreSQL is not installed."""
    from support.postgres import PostgresServer, binaries

    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip("PostgreSQL is not installed (no initdb on PATH or under /usr/lib/postgresql/*/bin; "
                    ".ci/run installs it with apt-get install postgresql)")
    with PostgresServer(bin_dir) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgresql"])
def history_location(request, tmp_path) -> str:
    """Where a history store goes: a SQLite file, or a fresh database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite")
    return request.getfixturevalue("postgres_server").new_database()
